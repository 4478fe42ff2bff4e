#!/usr/bin/env bash
# What Jail.enter costs a daemon (issue 9's target: under 5 ms), timed inside the process
# around the call, for a jail without and with an address; beside it, a whole
# `jail -c ... command=/bin/true` (a process, its jail, its teardown) for scale.
#   bench/selfjail.sh            (RUNS=50 to change the run count)
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-50}
need_packages hyperfine busybox-static python3
build_tree
build_jail
PROBE=$TOP/.build/release/selfjail-probe
(cd "$TOP" && swift build -c release --product selfjail-probe -Xswiftc -static-executable >/dev/null)

measure() {   # prints one enter_ms per run
    local i
    for ((i = 0; i < RUNS; i++)); do
        "$PROBE" enter 0 "path=$ROOTFS" "$@" | sed -n 's/^enter_ms=//p'
    done
}
cd /tmp
plain=$(measure)
address=$(measure ip4.addr=127.0.1.90)
OUT=$SCRATCH/selfjail.json
hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$OUT" -n "jail -c" "$JAIL -c path=$ROOTFS command=/bin/true" >&2
python3 - "$OUT" "$plain" "$address" <<'PY'
import json, statistics, sys
whole = statistics.median(json.load(open(sys.argv[1]))["results"][0]["times"]) * 1000
plain = statistics.median(float(x) for x in sys.argv[2].split())
address = statistics.median(float(x) for x in sys.argv[3].split())
print("| what | median ms |")
print("|---|---|")
print(f"| Jail.enter, no address | {plain:.2f} |")
print(f"| Jail.enter, ip4.addr | {address:.2f} |")
print(f"| jail -c command=/bin/true (whole run) | {whole:.2f} |")
PY
