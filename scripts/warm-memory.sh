#!/usr/bin/env bash
# Touch the machine's free memory once, so that no server in a benchmark
# pays for it.
#
# On a virtual machine that has just booted, a guest page the guest has
# never used costs a fault in the host the first time it is written. The
# page cache takes such pages for every new file, so an upload of 1 GiB
# into a new file cost ftpanel 1.7–2.4 s of CPU on a fresh machine and
# 0.35–0.65 s once its memory had been touched (2026-12-03): whichever
# server happens to write first into untouched memory loses, and the rows
# of a benchmark say more about the order of the servers than about them.
# This writes one byte per page of the free memory (all but 1 GiB) in a
# process that then exits, which takes a few seconds and is harmless on a
# machine whose memory is already warm.
#
# Touching once is not enough where the host takes freed memory back. On
# this VM, virtio-balloon free page reporting (/sys/module/page_reporting)
# handed about 630 MiB of freed guest memory back to the host every 20 s.
# A 1 GiB file written 1 s after another one was deleted took 0.15 s of
# CPU; written 20 s after, 2.1 s. In the FTP harness, ftpanel's upload
# always starts minutes after the previous server's, so it always wrote
# into memory the host had taken back. This script therefore also pauses
# reporting: it sets page_reporting_order above the largest block the
# kernel has, and remembers the old value in $STATE. With --restore, it
# puts the old value back. The bench scripts restore on exit.
#
# Usage: scripts/warm-memory.sh             (the bench scripts call it first)
#        scripts/warm-memory.sh --restore   (the bench scripts call it on exit)
set -euo pipefail
ORDER=/sys/module/page_reporting/parameters/page_reporting_order
STATE=${STATE:-/run/ftpanel-bench-page-reporting-order}
if [ "${1:-}" = --restore ]; then
	if [ -f "$STATE" ]; then
		cat "$STATE" >"$ORDER" && echo "warm-memory: free page reporting back to order $(cat "$STATE")"
		rm -f "$STATE"
	fi
	exit 0
fi
if [ -w "$ORDER" ]; then
	[ -f "$STATE" ] || cat "$ORDER" >"$STATE"
	if echo 11 >"$ORDER" 2>/dev/null; then
		echo "warm-memory: free page reporting paused (order $(cat "$STATE") -> 11) until --restore"
	fi
fi
python3 - <<'PY'
import mmap

free = 0
with open("/proc/meminfo") as f:
    for line in f:
        if line.startswith("MemFree:"):
            free = int(line.split()[1]) * 1024
size = max(0, free - (1 << 30)) // mmap.PAGESIZE * mmap.PAGESIZE
if size:
    m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    for off in range(0, size, mmap.PAGESIZE):
        m[off] = 1
    m.close()
print("warm-memory: touched %.1f GiB" % (size / (1 << 30)))
PY
