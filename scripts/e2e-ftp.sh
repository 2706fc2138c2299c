#!/usr/bin/env bash
# End-to-end check of an FTP server with real clients: curl, lftp,
# python3 ftplib, rclone, wget and ncftp. Each client makes a folder,
# uploads files (0 B, 1 B, 1 MiB, 5 MiB), lists them, downloads them (also
# the other clients' uploads), compares sha256 sums, renames, deletes and
# removes its folder. lftp also mirrors a tree with spaces and UTF-8 names
# up (mirror -R, 4 in parallel) and back, and downloads in 4 segments
# (pget -n 4); rclone copies the tree (4 transfers) and checks it by
# downloading it; wget and ncftp fetch lftp's tree recursively. Clients
# retry nothing, so any failed transfer fails the run. Every server reply
# the clients show (curl -v, lftp debug, ftplib debug) is checked for
# internals: "tcp ", "127.0.0.1:", "broken pipe", "use of closed".
# Exits non-zero when any check failed.
#
# Usage: scripts/e2e-ftp.sh HOST:PORT LOGIN PASSWORD
#    or: FTP_ADDR=HOST:PORT FTP_LOGIN=... FTP_PASSWORD=... scripts/e2e-ftp.sh
# Environment:
#   FTP_TLS     off (default) | optional | required: use explicit FTPS
#               (AUTH TLS, PROT P) with optional and required; with
#               required, also check that a plain login is refused
#   FTP_CACERT  PEM file to verify the server certificate against
#               (default: no verification, for self-signed certificates)
#   FTP_DIR     remote folder to work in (default: the login folder)
#   FTP_CLIENTS clients to run (default: "curl lftp python rclone wget
#               ncftp"; ncftp has no TLS and is skipped unless tls=off)
set -euo pipefail

addr=${1:-${FTP_ADDR:-}}
login=${2:-${FTP_LOGIN:-}}
password=${3:-${FTP_PASSWORD:-}}
tlsmode=${FTP_TLS:-off}
cacert=${FTP_CACERT:-}
base=${FTP_DIR:-}
clients=${FTP_CLIENTS:-curl lftp python rclone wget ncftp}

if [[ -z $addr || -z $login || -z $password ]]; then
	echo "usage: $0 HOST:PORT LOGIN PASSWORD (or FTP_ADDR, FTP_LOGIN, FTP_PASSWORD)" >&2
	exit 2
fi
case $tlsmode in off | optional | required) ;; *)
	echo "FTP_TLS must be off, optional or required" >&2
	exit 2
	;;
esac
host=${addr%:*}
port=${addr##*:}
base=${base%/}
base=${base#/}
[[ -n $base ]] && base="$base/"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tag="e2e-$$-$RANDOM"
failures=0

log() { printf '[e2e-ftp] %s\n' "$*"; }
fail() {
	printf '[e2e-ftp] FAIL: %s\n' "$*" >&2
	failures=$((failures + 1))
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
check_same() { # expected-file got-file what
	if [[ ! -f $2 ]]; then
		fail "$3: nothing downloaded"
	elif [[ $(sha "$1") != "$(sha "$2")" ]]; then
		fail "$3: sha256 differs ($(stat -c %s "$2") bytes, want $(stat -c %s "$1"))"
	fi
}

# Test files.
mkdir -p "$work/src"
: >"$work/src/empty.bin"
printf 'x' >"$work/src/one.bin"
head -c 1048576 /dev/urandom >"$work/src/mib.bin"
head -c 5242880 /dev/urandom >"$work/src/five.bin"
files=(empty.bin one.bin mib.bin five.bin)

# A tree with spaces and UTF-8 names, for mirror, rclone, wget and ncftp.
tree="$work/tree"
mkdir -p "$tree/sub dir" "$tree/日本語" "$tree/a b/c d" "$tree/many files"
head -c 3000 /dev/urandom >"$tree/sub dir/ünïcödé file.txt"
head -c 100000 /dev/urandom >"$tree/日本語/ファイル 1.bin"
head -c 1048576 /dev/urandom >"$tree/a b/c d/e f.bin"
: >"$tree/a b/empty.txt"
for i in $(seq -w 1 24); do head -c $((RANDOM * 3)) /dev/urandom >"$tree/many files/f $i.dat"; done

# Server replies as the clients show them, checked at the end.
traces="$work/traces"
mkdir -p "$traces"

# ---------------------------------------------------------------- curl
curl_opts=(--silent --show-error --fail --max-time 120 --user "$login:$password")
if [[ $tlsmode != off ]]; then
	curl_opts+=(--ssl-reqd)
	if [[ -n $cacert ]]; then curl_opts+=(--cacert "$cacert"); else curl_opts+=(--insecure); fi
fi
url="ftp://$host:$port/$base"

# curl with its protocol trace ("< 550 …") kept for the reply check.
curl() { command curl --verbose "$@" 2>>"$traces/curl"; }

run_curl() {
	local d="$tag-curl"
	log "curl: upload, list, download, rename, delete in /$base$d"
	for f in "${files[@]}"; do
		curl "${curl_opts[@]}" --ftp-create-dirs -T "$work/src/$f" "$url$d/$f" || fail "curl: upload $f"
	done
	local listing
	listing=$(curl "${curl_opts[@]}" "$url$d/") || fail "curl: LIST"
	for f in "${files[@]}"; do
		grep -q " $f\$" <<<"${listing//$'\r'/}" || fail "curl: LIST lacks $f"
	done
	listing=$(curl "${curl_opts[@]}" --list-only --disable-epsv "$url$d/") || fail "curl: NLST over PASV"
	for f in "${files[@]}"; do
		grep -qx "$f" <<<"${listing//$'\r'/}" || fail "curl: NLST lacks $f"
	done
	mkdir -p "$work/curl"
	for f in "${files[@]}"; do
		curl "${curl_opts[@]}" -o "$work/curl/$f" "$url$d/$f" || fail "curl: download $f"
		check_same "$work/src/$f" "$work/curl/$f" "curl: $f"
	done
	# Resume: download the second half only.
	curl "${curl_opts[@]}" -r 524288- -o "$work/curl/half" "$url$d/mib.bin" || fail "curl: ranged download"
	tail -c 524288 "$work/src/mib.bin" >"$work/curl/half.want"
	check_same "$work/curl/half.want" "$work/curl/half" "curl: ranged download"
	curl "${curl_opts[@]}" -Q "RNFR $base$d/one.bin" -Q "RNTO $base$d/renamed.bin" "$url" -o /dev/null ||
		fail "curl: rename"
	curl "${curl_opts[@]}" -o "$work/curl/renamed" "$url$d/renamed.bin" || fail "curl: download renamed"
	check_same "$work/src/one.bin" "$work/curl/renamed" "curl: renamed file"
	if curl "${curl_opts[@]}" -o /dev/null "$url$d/one.bin" 2>/dev/null; then
		fail "curl: the old name still downloads after the rename"
	fi
}

cleanup_curl() {
	local d="$tag-curl" q=()
	for f in empty.bin mib.bin five.bin renamed.bin; do q+=(-Q "DELE $base$d/$f"); done
	q+=(-Q "RMD $base$d")
	curl "${curl_opts[@]}" "${q[@]}" "$url" -o /dev/null || fail "curl: delete files and folder"
}

# ---------------------------------------------------------------- lftp
lftp_setup="set cmd:fail-exit yes; set net:max-retries 1; set net:timeout 20; set net:reconnect-interval-base 1;"
if [[ $tlsmode == off ]]; then
	lftp_setup+=" set ftp:ssl-allow no;"
else
	lftp_setup+=" set ftp:ssl-force yes; set ftp:ssl-protect-data yes; set ftp:ssl-protect-list yes;"
	if [[ -n $cacert ]]; then
		lftp_setup+=" set ssl:ca-file '$cacert';"
	else
		lftp_setup+=" set ssl:verify-certificate no;"
	fi
fi

lftp_run() { # commands
	lftp -u "$login,$password" -p "$port" \
		-e "debug -o '$traces/lftp.$RANDOM$RANDOM' 3; $lftp_setup $1; quit" "$host"
}

run_lftp() {
	local d="$tag-lftp"
	log "lftp: mkdir, put, ls, get, mv, rm, rmdir in /$base$d"
	local cmds="mkdir /$base$d; cd /$base$d"
	for f in "${files[@]}"; do cmds+="; put '$work/src/$f' -o '$f'"; done
	cmds+="; put '$work/src/mib.bin' -o 'with space.bin'"
	lftp_run "$cmds" || fail "lftp: upload"
	local listing
	listing=$(lftp_run "cd /$base$d; cls -1") || fail "lftp: list"
	for f in "${files[@]}" "with space.bin"; do
		grep -qxF "$f" <<<"$listing" || fail "lftp: list lacks '$f' in: $listing"
	done
	listing=$(lftp_run "set ftp:use-mlsd no; cd /$base$d; cls -l") || fail "lftp: LIST"
	grep -q " five.bin\$" <<<"$listing" || fail "lftp: LIST lacks five.bin in: $listing"
	mkdir -p "$work/lftp"
	cmds="cd /$base$d; lcd '$work/lftp'"
	for f in "${files[@]}" "with space.bin"; do cmds+="; get '$f'"; done
	lftp_run "$cmds" || fail "lftp: download"
	for f in "${files[@]}"; do check_same "$work/src/$f" "$work/lftp/$f" "lftp: $f"; done
	check_same "$work/src/mib.bin" "$work/lftp/with space.bin" "lftp: with space.bin"
	# Resume an interrupted download: keep the first 1 MiB and continue.
	head -c 1048576 "$work/src/five.bin" >"$work/lftp/resumed.bin"
	lftp_run "cd /$base$d; lcd '$work/lftp'; get -c five.bin -o resumed.bin" || fail "lftp: resumed download"
	check_same "$work/src/five.bin" "$work/lftp/resumed.bin" "lftp: resumed download"
	# Resume an upload: put the first 2 MiB, then continue (REST+STOR).
	head -c 2097152 "$work/src/five.bin" >"$work/lftp/part.bin"
	lftp_run "cd /$base$d; put '$work/lftp/part.bin' -o up.bin" || fail "lftp: partial upload"
	lftp_run "cd /$base$d; put -c '$work/src/five.bin' -o up.bin" || fail "lftp: resumed upload"
	lftp_run "cd /$base$d; lcd '$work/lftp'; get up.bin -o up.back" || fail "lftp: download resumed upload"
	check_same "$work/src/five.bin" "$work/lftp/up.back" "lftp: resumed upload"
	lftp_run "cd /$base$d; mv 'with space.bin' moved.bin; mkdir sub; mv moved.bin sub/moved.bin" || fail "lftp: rename"
	lftp_run "cd /$base$d/sub; lcd '$work/lftp'; get moved.bin" || fail "lftp: download renamed"
	check_same "$work/src/mib.bin" "$work/lftp/moved.bin" "lftp: renamed file"
	# Segmented download over 4 data connections at once.
	lftp_run "cd /$base$d; lcd '$work/lftp'; pget -n 4 five.bin -o pget.bin" || fail "lftp: pget -n 4"
	check_same "$work/src/five.bin" "$work/lftp/pget.bin" "lftp: pget -n 4"
	# The tree up (4 files at once) and back.
	local m="$tag-mirror"
	log "lftp: mirror -R of a tree with spaces and UTF-8 names to /$base$m, and back"
	lftp_run "mirror -R --parallel=4 '$tree' '/$base$m'" || fail "lftp: mirror -R"
	lftp_run "mirror --parallel=4 '/$base$m' '$work/lftp/mirror'" || fail "lftp: mirror"
	diff -r "$tree" "$work/lftp/mirror" >&2 || fail "lftp: the tree mirrored back differs"
}

cleanup_lftp() {
	local d="$tag-lftp"
	lftp_run "cd /$base$d; rm sub/moved.bin; rmdir sub; rm ${files[*]} up.bin; cd /$base; rmdir $d" ||
		fail "lftp: delete files and folders"
	lftp_run "rm -r '/$base$tag-mirror'" || fail "lftp: rm -r the mirrored tree"
}

# ---------------------------------------------------------------- rclone
run_rclone() {
	local d="$tag-rclone" remote
	log "rclone: copy the tree to /$base$d (4 transfers), check --download, copy back, purge"
	remote=":ftp,host=$host,port=$port,user=$login,pass=$(rclone --config "" obscure "$password")"
	if [[ $tlsmode != off ]]; then remote+=",explicit_tls=true,no_check_certificate=true"; fi
	local opts=(--config "" --retries 1 --low-level-retries 1 --transfers 4 --checkers 4 --contimeout 20s --timeout 60s)
	rclone copy "${opts[@]}" "$tree" "$remote:$base$d" || fail "rclone: copy"
	rclone check --download "${opts[@]}" "$tree" "$remote:$base$d" 2>"$work/rclone.check" ||
		fail "rclone: check --download: $(tail -5 "$work/rclone.check")"
	rclone copy "${opts[@]}" "$remote:$base$d" "$work/rclone" || fail "rclone: copy back"
	diff -r "$tree" "$work/rclone" >&2 || fail "rclone: the tree copied back differs"
	rclone purge "${opts[@]}" "$remote:$base$d" || fail "rclone: purge"
}

# ---------------------------------------------------------------- wget
run_wget() {
	local m="$tag-mirror" opts=(--quiet --tries=1 --timeout=60 "--ftp-user=$login" "--ftp-password=$password")
	local scheme=ftp
	if [[ $tlsmode != off ]]; then
		scheme=ftps
		if [[ -n $cacert ]]; then opts+=("--ca-certificate=$cacert"); else opts+=(--no-check-certificate); fi
	fi
	log "wget: download files and, recursively, lftp's tree"
	mkdir -p "$work/wget"
	for f in "${files[@]}"; do
		[[ $f == empty.bin ]] && continue # wget writes no file for an empty download over FTPS
		wget "${opts[@]}" -O "$work/wget/$f" "$scheme://$host:$port/$base$tag-lftp/$f" || fail "wget: download $f"
		check_same "$work/src/$f" "$work/wget/$f" "wget: $f"
	done
	if [[ " $clients " == *" lftp "* ]]; then
		local cut
		cut=$(($(tr -cd / <<<"$base$m/" | wc -c)))
		(cd "$work/wget" && wget "${opts[@]}" --recursive --no-parent --no-host-directories --cut-dirs="$cut" \
			--restrict-file-names=nocontrol -P tree "$scheme://$host:$port/$base$m/") || fail "wget: recursive download"
		find "$work/wget/tree" -name .listing -delete 2>/dev/null || true
		diff -r "$tree" "$work/wget/tree" >&2 || fail "wget: the tree differs"
	fi
}

# ---------------------------------------------------------------- ncftp
run_ncftp() {
	if [[ $tlsmode != off ]]; then
		log "ncftp: skipped (no TLS support)"
		return
	fi
	local d="$tag-ncftp" opts=(-u "$login" -p "$password" -P "$port" -t 60 -r 0 -F -V)
	log "ncftp: ncftpput, ncftpget and ncftpget -R of lftp's tree in /$base$d"
	ncftpput "${opts[@]}" -m "$host" "/$base$d" "${files[@]/#/$work/src/}" >/dev/null || fail "ncftp: upload"
	mkdir -p "$work/ncftp"
	ncftpget "${opts[@]}" "$host" "$work/ncftp" "${files[@]/#//$base$d/}" >/dev/null || fail "ncftp: download"
	for f in "${files[@]}"; do check_same "$work/src/$f" "$work/ncftp/$f" "ncftp: $f"; done
	if [[ " $clients " == *" lftp "* ]]; then
		ncftpget "${opts[@]}" -R "$host" "$work/ncftp" "/$base$tag-mirror" >/dev/null || fail "ncftp: recursive download"
		diff -r "$tree" "$work/ncftp/$tag-mirror" >&2 || fail "ncftp: the tree differs"
	fi
}

cleanup_ncftp() {
	[[ $tlsmode != off ]] && return
	lftp_run "rm -r '/$base$tag-ncftp'" || fail "ncftp: delete its folder"
}

# ---------------------------------------------------------------- python3 ftplib
run_python() {
	log "python3 ftplib: mkd, storbinary, mlsd/nlst, retrbinary, rename, delete, rmd in /$base$tag-py"
	FTP_HOST=$host FTP_PORT=$port FTP_LOGIN=$login FTP_PASSWORD=$password FTP_TLS=$tlsmode FTP_CACERT=$cacert \
		BASE=$base DIR="$tag-py" SRC="$work/src" OTHERS="$tag-curl $tag-lftp" python3 - >>"$traces/python" <<'EOF' || fail "python3 ftplib"
import ftplib, hashlib, io, os, ssl, sys

env = os.environ
tls = env["FTP_TLS"] != "off"
if tls:
    ctx = ssl.create_default_context(cafile=env["FTP_CACERT"] or None)
    if not env["FTP_CACERT"]:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    ftp = ftplib.FTP_TLS(context=ctx, timeout=60)
else:
    ftp = ftplib.FTP(timeout=60)
ftp.set_debuglevel(1)  # replies to stdout, for the reply check
ftp.connect(env["FTP_HOST"], int(env["FTP_PORT"]))
ftp.login(env["FTP_LOGIN"], env["FTP_PASSWORD"])
if tls:
    ftp.prot_p()
errors = []
def sha(b): return hashlib.sha256(b).hexdigest()
base = "/" + env["BASE"]
d = base + env["DIR"]
src = env["SRC"]
names = ["empty.bin", "one.bin", "mib.bin", "five.bin"]
made = ftp.mkd(d)
if made != d:
    errors.append(f"MKD returned {made!r}, want {d!r} (257 must quote the path first)")
ftp.cwd(d)
for n in names:
    with open(os.path.join(src, n), "rb") as f:
        ftp.storbinary("STOR " + n, f)
listed = {name: facts for name, facts in ftp.mlsd(d)}
nlst = set(os.path.basename(p) for p in ftp.nlst(d))
for n in names:
    want = open(os.path.join(src, n), "rb").read()
    if n not in listed or int(listed[n].get("size", -1)) != len(want):
        errors.append(f"MLSD: {n}: {listed.get(n)}")
    if n not in nlst:
        errors.append(f"NLST lacks {n}")
    if ftp.size(n) != len(want):
        errors.append(f"SIZE {n} = {ftp.size(n)}, want {len(want)}")
    buf = io.BytesIO()
    ftp.retrbinary("RETR " + n, buf.write)
    if sha(buf.getvalue()) != sha(want):
        errors.append(f"download {n}: sha256 differs ({len(buf.getvalue())} bytes)")
# The other clients' uploads, when they ran first.
for other in env["OTHERS"].split():
    try:
        buf = io.BytesIO()
        ftp.retrbinary(f"RETR {base}{other}/five.bin", buf.write)
    except ftplib.error_perm:
        continue
    if sha(buf.getvalue()) != sha(open(os.path.join(src, "five.bin"), "rb").read()):
        errors.append(f"{other}/five.bin from python: sha256 differs")
# Resume a download from 1 MiB.
buf = io.BytesIO()
ftp.retrbinary("RETR five.bin", buf.write, rest=1048576)
if sha(buf.getvalue()) != sha(open(os.path.join(src, "five.bin"), "rb").read()[1048576:]):
    errors.append("REST+RETR: sha256 differs")
ftp.rename("one.bin", "renamed.bin")
try:
    ftp.size("one.bin")
    errors.append("the old name still exists after RNFR/RNTO")
except ftplib.error_perm:
    pass
for n in ["empty.bin", "renamed.bin", "mib.bin", "five.bin"]:
    ftp.delete(n)
ftp.cwd(base or "/")
ftp.rmd(d)
ftp.quit()
for e in errors:
    print("[e2e-ftp] FAIL: python3 ftplib:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
}

# ---------------------------------------------------------------- plain login refused
if [[ $tlsmode == required ]]; then
	log "tls=required: a plain login must be refused with a 530 (curl exit 67), not a 421"
	rc=0
	curl --silent --max-time 20 --user "$login:$password" "$url" -o /dev/null || rc=$?
	if ((rc == 0)); then
		fail "plain (non-TLS) login accepted with tls=required"
	elif ((rc != 67)); then
		fail "plain login with tls=required: curl exit $rc, want 67 (530 login denied)"
	fi
fi

for c in $clients; do
	case $c in
	curl) run_curl ;;
	lftp) run_lftp ;;
	python) run_python ;;
	rclone) run_rclone ;;
	wget) run_wget ;;
	ncftp) run_ncftp ;;
	*)
		echo "unknown client $c" >&2
		exit 2
		;;
	esac
done
for c in $clients; do
	case $c in
	curl) cleanup_curl ;;
	lftp) cleanup_lftp ;;
	ncftp) cleanup_ncftp ;;
	esac
done

# ---------------------------------------------------------------- replies
# Every reply line the clients traced: curl "< 550 …", lftp "<--- 550 …",
# ftplib "*resp* '550 …'".
{
	grep -ah '^< [0-9][0-9][0-9]' "$traces/curl" 2>/dev/null | cut -c3- || true
	cat "$traces"/lftp.* 2>/dev/null | grep -a '<--- [0-9][0-9][0-9]' | sed 's/.*<--- //' || true
	grep -ah '^\*resp\* ' "$traces/python" 2>/dev/null | cut -c8- || true
} >"$work/replies"
leaked=$(grep -aiE 'tcp |127\.0\.0\.1:|broken pipe|use of closed' "$work/replies" || true)
if [[ -n $leaked ]]; then
	fail "server replies show internals: $(head -5 <<<"$leaked")"
fi
log "$(wc -l <"$work/replies") server replies checked for internals (curl $(grep -ac '^< [0-9]' "$traces/curl" 2>/dev/null || true), lftp $(cat "$traces"/lftp.* 2>/dev/null | grep -ac '<--- [0-9]' || true), ftplib $(grep -ac '^\*resp\*' "$traces/python" 2>/dev/null || true))"

if ((failures > 0)); then
	log "$failures check(s) failed"
	exit 1
fi
log "all checks passed ($clients; tls=$tlsmode)"
