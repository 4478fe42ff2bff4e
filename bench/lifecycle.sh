#!/usr/bin/env bash
# Issue 3's targets, side by side in hyperfine runs: `jls` over N persistent jails
# (target: under 50 ms for 1,000), and `jexec J /bin/true` against
# `nsenter -a -t <init> /bin/true` into the same jail.   N=1000 by default.
source "$(dirname "$0")/common.sh"
N=${N:-1000}
need_packages hyperfine busybox-static python3
build_tree
build_jail
BIN=$SCRATCH/bin
mkdir -p "$BIN"; ln -sf "$JAIL" "$BIN/jls"; ln -sf "$JAIL" "$BIN/jexec"
names=()
cleanup() { [ ${#names[@]} -gt 0 ] && "$JAIL" -q -r "${names[@]}" >/dev/null 2>&1 || true; }
trap cleanup EXIT

log "creating $N persistent jails"
for i in $(seq 1 "$N"); do
    "$JAIL" -q -c "name=bench-lc-$$-$i" "path=$ROOTFS" persist
    names+=("bench-lc-$$-$i")
done
init=$(sed -n 's/^init=\([0-9]*\) .*/\1/p' "/run/jail/$(readlink "/run/jail/@bench-lc-$$-1")")
cd /tmp
hyperfine -N --warmup 5 --runs ${RUNS:-30} --export-json "$SCRATCH/lifecycle.json" \
    -n "jls ($N jails)" "$BIN/jls" \
    -n "jls -n ($N jails)" "$BIN/jls -n" \
    -n jexec "$BIN/jexec bench-lc-$$-1 /bin/true" \
    -n "nsenter -a" "nsenter -a -t $init /bin/true" >&2
python3 - "$SCRATCH/lifecycle.json" <<'PY'
import json, statistics, sys
rows = {r["command"]: statistics.median(r["times"]) * 1000 for r in json.load(open(sys.argv[1]))["results"]}
for k, v in rows.items():
    print(f"| {k} | {v:.2f} ms |")
j, n = rows["jexec"], rows["nsenter -a"]
print(f"jexec / nsenter -a = {j / n:.2f}")
PY
