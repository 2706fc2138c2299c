#!/usr/bin/env bash
# Benchmark ftpanel's FTP server side by side with vsftpd, pure-ftpd and
# ProFTPD, with the shared harness (../shared/bench/run-peers.sh, ftpbench).
#
# Steps: run-peers.sh setup (system user benchuser / Bench-pass-1 with the
# test files in /home/benchuser), build ftpanel, start `ftpanel serve` on a
# fresh data folder with a customer, a site rooted at /home/benchuser (files
# owned by benchuser, as a hosting site's files would be) and the account
# benchuser (home /), run the harness with ftpanel as an EXTRA server, stop
# ftpanel. Everything binds to 127.0.0.1. Needs root (useradd, chown).
#
# Usage: scripts/bench-ftpanel.sh            (from the repository)
# Environment:
#   ROUNDS=3               rounds of the harness (each runs every server once)
#   BENCH=../shared/bench  the harness folder (relative to the repository)
#   OUT=/tmp/ftpbench-ftpanel-<time>   results (results.jsonl, ceilings.jsonl,
#                          table.md, bench.log; the harness appends to them)
#   FTP_PORT=2125 HTTP_PORT=8095   ftpanel's loopback ports
#   PASSIVE=29000-31999    ftpanel's passive port range (the peers use
#                          20000-28999; all below the ephemeral range)
#   LOG_LEVEL=info         ftpanel's log level (logs go to <data>/serve.log)
#   KEEP=1                 keep the data folder afterwards
# Other variables (SERVERS, BENCH_ARGS, CEIL_REPS, PEERS) pass through to
# run-peers.sh.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$REPO/../shared/bench}
BENCH=$(cd "$BENCH" && pwd)
ROUNDS=${ROUNDS:-3}
FTP_PORT=${FTP_PORT:-2125}
HTTP_PORT=${HTTP_PORT:-8095}
PASSIVE=${PASSIVE:-29000-31999}
LOG_LEVEL=${LOG_LEVEL:-info}
OUT=${OUT:-/tmp/ftpbench-ftpanel-$(date +%Y%m%d-%H%M%S)}
export OUT
BUSER=benchuser
BPASS=Bench-pass-1
BHOME=/home/$BUSER

log() { printf '[bench-ftpanel %s] %s\n' "$(date +%T)" "$*" >&2; }

[ "$(id -u)" = 0 ] || { echo "bench-ftpanel: run as root (the harness creates a system user)" >&2; exit 2; }
for p in "$FTP_PORT" "$HTTP_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "bench-ftpanel: port $p is taken; set FTP_PORT / HTTP_PORT" >&2
		exit 2
	fi
done

log "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BENCH/run-peers.sh" install setup
"$REPO/scripts/warm-memory.sh" >&2

BIN=$(mktemp -d /tmp/bench-ftpanel-bin.XXXXXX)/ftpanel
(cd "$REPO" && go build -o "$BIN" ./cmd/ftpanel)
DATA=$(mktemp -d /tmp/bench-ftpanel-data.XXXXXX)
export FTPANEL_DATA=$DATA
export FTPANEL_FTP_LISTEN=127.0.0.1:$FTP_PORT
export FTPANEL_HTTP_LISTEN=127.0.0.1:$HTTP_PORT
export FTPANEL_FTP_TLS=off
export FTPANEL_FTP_PASSIVE_PORTS=$PASSIVE
export FTPANEL_FTP_MAX_CLIENTS=2000
export FTPANEL_FTP_MAX_CLIENTS_PER_IP=1000
export FTPANEL_FTP_MAX_SESSIONS_PER_ACCOUNT=1000
export FTPANEL_LOG_LEVEL=$LOG_LEVEL

PID=
stop_ftpanel() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID"
		wait "$PID" 2>/dev/null || true
		log "stopped ftpanel (pid $PID)"
	fi
	PID=
	rm -rf "$BHOME"/bench-ftpanel
	if [ "${KEEP:-}" = 1 ]; then log "data folder kept: $DATA"; else rm -rf "$DATA"; fi
	rm -rf "$(dirname "$BIN")"
	"$REPO/scripts/warm-memory.sh" --restore >&2
}
trap stop_ftpanel EXIT

"$BIN" serve >"$DATA/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$FTP_PORT") 2>/dev/null && break
	kill -0 "$PID" 2>/dev/null || { cat "$DATA/serve.log" >&2; exit 1; }
	sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$FTP_PORT") 2>/dev/null || { log "ftpanel did not listen"; cat "$DATA/serve.log" >&2; exit 1; }

uidgid="$(id -u "$BUSER"):$(id -g "$BUSER")"
"$BIN" customer add bench --name "Benchmark" --email bench@example.com >/dev/null
"$BIN" site add bench.example --customer bench --root "$BHOME" --system-user "$uidgid" \
	--main-login "$BUSER" --main-password - <<<"$BPASS" >/dev/null
curl -sS --max-time 10 "ftp://$BUSER:$BPASS@127.0.0.1:$FTP_PORT/files/" | grep -q big1g.bin ||
	{ log "curl listing from ftpanel lacks big1g.bin"; cat "$DATA/serve.log" >&2; exit 1; }
log "ftpanel pid $PID on 127.0.0.1:$FTP_PORT (site root $BHOME, system user $uidgid)"

EXTRA="ftpanel|127.0.0.1:$FTP_PORT|$PID" ROUNDS=$ROUNDS "$BENCH/run-peers.sh"
log "results in $OUT (table.md)"
log "ftpanel's own log: $(wc -l <"$DATA/serve.log") lines, $(grep -c 'level=ERROR' "$DATA/serve.log" || true) errors"
stop_ftpanel
trap - EXIT
