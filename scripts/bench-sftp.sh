#!/usr/bin/env bash
# Benchmark ftpanel's SFTP server side by side with OpenSSH's internal-sftp,
# in one run, with the same client (OpenSSH sftp, batch mode, key login).
#
# Steps: build ftpanel; create a system user sftpbench and a root-owned
# chroot /srv/sftpbench-chroot with a folder data/ it owns; start a private
# sshd on 127.0.0.1:$SSHD_PORT (its own config, host key and pid file:
# internal-sftp, ChrootDirectory, key login only); start `ftpanel serve` on a
# fresh data folder with SFTP on 127.0.0.1:$SFTP_PORT, a site whose main
# account gets the same client key; then per round and server: upload and
# download a 1 GiB file (throughput, server CPU per GB), sequential logins
# (logins/s), and $IDLE idle sessions (memory per session, PSS). Both
# servers are stopped and the user removed afterwards. Needs root.
#
# Usage: scripts/bench-sftp.sh               (from the repository)
# Environment: ROUNDS=3  SIZE_MB=1024  LOGINS=40  IDLE=50
#   SSHD_PORT=2322 SFTP_PORT=2323 HTTP_PORT=8096  OUT=/tmp/sftpbench-<time>
#   CIPHER=aes128-gcm@openssh.com   make the client ask both servers for
#                          this cipher (default: each server's negotiation
#                          with the client's default list, as users get it)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-3}
SIZE_MB=${SIZE_MB:-1024}
LOGINS=${LOGINS:-40}
IDLE=${IDLE:-50}
SSHD_PORT=${SSHD_PORT:-2322}
SFTP_PORT=${SFTP_PORT:-2323}
HTTP_PORT=${HTTP_PORT:-8096}
OUT=${OUT:-/tmp/sftpbench-$(date +%Y%m%d-%H%M%S)}
BUSER=sftpbench
CHROOT=/srv/sftpbench-chroot

log() { printf '[bench-sftp %s] %s\n' "$(date +%T)" "$*" >&2; }
[ "$(id -u)" = 0 ] || { echo "bench-sftp: run as root (it creates a system user and runs sshd)" >&2; exit 2; }
for p in "$SSHD_PORT" "$SFTP_PORT" "$HTTP_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "bench-sftp: port $p is taken" >&2
		exit 2
	fi
done
command -v sftp >/dev/null && [ -x /usr/sbin/sshd ] || { echo "bench-sftp: needs openssh-client and openssh-server" >&2; exit 2; }

mkdir -p "$OUT"
# Server CPU is read from a cpuacct cgroup per server when the machine
# has cgroup v1's cpuacct (it counts every process of the server, sshd's
# per-connection ones included, at no cost while it runs); otherwise
# from /proc/PID/stat (the process and the children it reaped).
CGROOT=/sys/fs/cgroup/cpuacct
CGROUPS=()
in_cgroup() {
	local g="$CGROOT/bench-sftp-$1"
	if [ -w "$CGROOT" ] && mkdir -p "$g" 2>/dev/null && echo "$2" >"$g/cgroup.procs" 2>/dev/null; then
		CGROUPS+=("$g")
	else
		log "no cpuacct cgroup for $1: CPU from /proc/$2/stat"
	fi
}
WORK=$(mktemp -d /tmp/sftpbench-work.XXXXXX)
SSHD_PID="" FTP_PID=""
cleanup() {
	[ -n "$FTP_PID" ] && kill "$FTP_PID" 2>/dev/null && wait "$FTP_PID" 2>/dev/null || true
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null || true
	for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
	userdel "$BUSER" 2>/dev/null || true
	rm -rf "$CHROOT" "$WORK"
	sleep 0.5
	for g in "${CGROUPS[@]}"; do rmdir "$g" 2>/dev/null || true; done
	"$REPO/scripts/warm-memory.sh" --restore >&2
}
trap cleanup EXIT

log "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
"$REPO/scripts/warm-memory.sh" >&2
BIN=$WORK/ftpanel
(cd "$REPO" && go build -o "$BIN" ./cmd/ftpanel)

# Client key, known_hosts, the test file.
ssh-keygen -q -t ed25519 -N '' -f "$WORK/id" -C bench
head -c "$((SIZE_MB << 20))" /dev/urandom >"$WORK/big.bin"

# OpenSSH: user, chroot, sshd.
id "$BUSER" >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin "$BUSER"
usermod -p '*' "$BUSER" # no password, but not locked: sshd without PAM refuses locked accounts
mkdir -p "$CHROOT/data"
chown root:root "$CHROOT" && chmod 755 "$CHROOT"
chown "$BUSER:$BUSER" "$CHROOT/data"
# sshd reads authorized_keys as the user.
chmod 711 "$WORK"
install -m 644 "$WORK/id.pub" "$WORK/authorized_keys"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/sshd_host_key"
cat >"$WORK/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $WORK/sshd_host_key
PidFile $WORK/sshd.pid
AuthorizedKeysFile $WORK/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 200
MaxSessions 200
Subsystem sftp internal-sftp
Match User $BUSER
	ChrootDirectory $CHROOT
	ForceCommand internal-sftp
	AllowTcpForwarding no
	X11Forwarding no
CONF
mkdir -p /run/sshd && chmod 755 /run/sshd # privilege separation folder
/usr/sbin/sshd -t -f "$WORK/sshd_config"
/usr/sbin/sshd -D -f "$WORK/sshd_config" -E "$OUT/sshd.log" &
SSHD_PID=$!
in_cgroup openssh "$SSHD_PID"

# ftpanel.
export FTPANEL_DATA=$WORK/data FTPANEL_FTP_LISTEN=127.0.0.1:0 FTPANEL_HTTP_LISTEN=127.0.0.1:$HTTP_PORT
export FTPANEL_SFTP_LISTEN=127.0.0.1:$SFTP_PORT FTPANEL_LOG_LEVEL=warn FTPANEL_SFTP_MAX_CLIENTS_PER_IP=1000
export FTPANEL_SFTP_MAX_SESSIONS_PER_ACCOUNT=1000 FTPANEL_FTP_MAX_CLIENTS_PER_IP=1000 FTPANEL_FTP_MAX_SESSIONS_PER_ACCOUNT=1000
"$BIN" customer add bench >/dev/null
"$BIN" site add bench.example --customer bench --main-login sftpbench1 --main-password 'Bench-pass-1x' >/dev/null
"$BIN" account key add sftpbench1 --file "$WORK/id.pub" >/dev/null
"$BIN" serve >"$OUT/serve.out" 2>"$OUT/serve.log" &
FTP_PID=$!
in_cgroup ftpanel "$FTP_PID"
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$SFTP_PORT") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$SSHD_PORT") 2>/dev/null && break
	sleep 0.1
done
sleep 0.5
SITE=$WORK/data/sites/bench.example

SSHOPTS=(-F /dev/null -i "$WORK/id" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
if [ -n "${CIPHER:-}" ]; then SSHOPTS+=(-c "$CIPHER"); fi
# target NAME: user@host, port, remote folder, server pid
target() {
	case $1 in
	openssh) echo "$BUSER@127.0.0.1 $SSHD_PORT /data $SSHD_PID" ;;
	ftpanel) echo "sftpbench1@127.0.0.1 $SFTP_PORT /httpdocs $FTP_PID" ;;
	esac
}
# cpu_ms NAME PID: CPU milliseconds used by the server so far.
cpu_ms() {
	local g="$CGROOT/bench-sftp-$1"
	if [ -r "$g/cpuacct.usage" ]; then
		echo $(( $(cat "$g/cpuacct.usage") / 1000000 ))
	else
		awk -v hz="$HZ" '{print int(($14+$15+$16+$17) * 1000 / hz)}' "/proc/$2/stat"
	fi
}
# settle PID: waits (up to 5 s) until PID has no child processes left, so
# that its reaped children's time is in its cutime/cstime: sshd's
# per-connection processes end a moment after the client. No sampling
# runs during a transfer (a sampler forking pgrep ten times a second took
# 15-20% off the throughput it measured).
settle() {
	local i
	for i in $(seq 50); do
		pgrep -P "$1" >/dev/null || return 0
		sleep 0.1
	done
	log "pid $1 still has children: $(pgrep -P "$1" | tr '\n' ' ')"
}
# pss PID...: summed proportional set size in KiB.
pss() {
	local t=0 p
	for p in "$@"; do
		[ -r "/proc/$p/smaps_rollup" ] && t=$((t + $(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup")))
	done
	echo "$t"
}
# server_pids NAME: the server's processes (sshd: the listener and its sessions).
server_pids() {
	local pid=$1
	if [ "$2" = openssh ]; then
		echo "$pid" $(pgrep -P "$pid") $(for c in $(pgrep -P "$pid"); do pgrep -P "$c"; done)
	else
		echo "$pid"
	fi
}
HZ=$(getconf CLK_TCK)
now() { date +%s.%N; }

run_round() {
	local name=$1 round=$2 dest port dir pid t0 t1 c0 c1 up down
	read -r dest port dir pid <<<"$(target "$name")"
	# Upload.
	printf 'put %s %s/big.bin\n' "$WORK/big.bin" "$dir" >"$WORK/b-up"
	settle "$pid"
	c0=$(cpu_ms "$name" "$pid"); t0=$(now)
	sftp "${SSHOPTS[@]}" -P "$port" -b "$WORK/b-up" "$dest" >/dev/null
	t1=$(now)
	settle "$pid"
	c1=$(cpu_ms "$name" "$pid")
	up=$(echo "$SIZE_MB / ($t1 - $t0)" | bc -l)
	local upcpu; upcpu=$(echo "($c1 - $c0) / ($SIZE_MB / 1024)" | bc -l)
	# Download.
	printf 'get %s/big.bin %s\n' "$dir" "$WORK/back.bin" >"$WORK/b-down"
	settle "$pid"
	c0=$(cpu_ms "$name" "$pid"); t0=$(now)
	sftp "${SSHOPTS[@]}" -P "$port" -b "$WORK/b-down" "$dest" >/dev/null
	t1=$(now)
	settle "$pid"
	c1=$(cpu_ms "$name" "$pid")
	down=$(echo "$SIZE_MB / ($t1 - $t0)" | bc -l)
	local downcpu; downcpu=$(echo "($c1 - $c0) / ($SIZE_MB / 1024)" | bc -l)
	cmp -s "$WORK/big.bin" "$WORK/back.bin" || { log "$name: download differs"; exit 1; }
	rm -f "$WORK/back.bin"
	# Logins: sequential sessions that list the folder and quit.
	printf 'ls %s\n' "$dir" >"$WORK/b-ls"
	t0=$(now)
	for _ in $(seq "$LOGINS"); do sftp "${SSHOPTS[@]}" -P "$port" -b "$WORK/b-ls" "$dest" >/dev/null; done
	t1=$(now)
	local logins; logins=$(echo "$LOGINS / ($t1 - $t0)" | bc -l)
	# Idle sessions: sftp clients waiting on a pipe.
	local before after fifo=$WORK/idle-fifo
	sleep 1
	before=$(pss $(server_pids "$pid" "$name"))
	rm -f "$fifo"; mkfifo "$fifo"
	exec 7<>"$fifo"
	local cpids=()
	for _ in $(seq "$IDLE"); do
		sftp "${SSHOPTS[@]}" -P "$port" "$dest" <"$fifo" >/dev/null 2>&1 &
		cpids+=($!)
	done
	sleep 4
	after=$(pss $(server_pids "$pid" "$name"))
	exec 7>&-
	kill "${cpids[@]}" 2>/dev/null || true
	wait "${cpids[@]}" 2>/dev/null || true
	local mem; mem=$(echo "($after - $before) / $IDLE" | bc -l)
	printf '{"server":"%s","round":%d,"upload_mbs":%.1f,"download_mbs":%.1f,"upload_cpu_ms_per_gb":%.0f,"download_cpu_ms_per_gb":%.0f,"logins_per_s":%.1f,"idle_kib_per_session":%.0f}\n' \
		"$name" "$round" "$up" "$down" "$upcpu" "$downcpu" "$logins" "$mem" | tee -a "$OUT/results.jsonl"
	sleep 1
}

# What each server negotiates with this client (cipher and MAC).
printf 'ls /\n' >"$WORK/b-kex"
for s in openssh ftpanel; do
	read -r dest port _ _ <<<"$(target "$s")"
	log "$s: $(sftp "${SSHOPTS[@]/LogLevel=ERROR/LogLevel=DEBUG1}" -P "$port" -b "$WORK/b-kex" "$dest" 2>&1 >/dev/null |
		grep -m2 -E 'kex: (server->client|client->server) cipher' | sed 's/.*kex: //' | tr '\n' ' ')"
done

for r in $(seq "$ROUNDS"); do
	for s in openssh ftpanel; do
		log "round $r: $s"
		run_round "$s" "$r"
	done
done
# Medians per server.
python3 - "$OUT/results.jsonl" "$SIZE_MB" <<'PY' | tee "$OUT/table.md"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
size = "%s MiB" % sys.argv[2]
keys = [("upload_mbs", size + " upload, MB/s"), ("download_mbs", size + " download, MB/s"),
        ("logins_per_s", "logins/s (sequential, sftp -b)"), ("idle_kib_per_session", "memory per idle session, KiB PSS"),
        ("upload_cpu_ms_per_gb", "server CPU per GB uploaded, ms"), ("download_cpu_ms_per_gb", "server CPU per GB downloaded, ms")]
med = {s: {k: statistics.median(r[k] for r in rows if r["server"] == s) for k, _ in keys} for s in ("ftpanel", "openssh")}
print("| measure (median of %d rounds) | ftpanel | OpenSSH internal-sftp | ratio |" % len([r for r in rows if r["server"] == "ftpanel"]))
print("|---|---:|---:|---:|")
for k, label in keys:
    a, b = med["ftpanel"][k], med["openssh"][k]
    print("| %s | %.1f | %.1f | %.2f× |" % (label, a, b, a / b if b else float("nan")))
PY
log "done: $OUT/table.md"
