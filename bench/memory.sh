#!/usr/bin/env bash
# Host memory per idle jail, as ../shared/PEERS.md measures the peers: N jails each
# running /bin/sleep 1000; per jail, the PSS of every process it adds plus its share of
# the growth of SUnreclaim + KernelStack + PageTables + Percpu.   N=100 by default.
source "$(dirname "$0")/common.sh"
N=${N:-100}
need_packages busybox-static python3
build_tree
build_jail

kernel() { awk '/^(SUnreclaim|KernelStack|PageTables|Percpu):/{s+=$2} END{print s}' /proc/meminfo; }
names=()
cleanup() { [ ${#names[@]} -gt 0 ] && "$JAIL" -q -r "${names[@]}" >/dev/null 2>&1 || true; }
trap cleanup EXIT

sync; sleep 1
before=$(kernel)
for i in $(seq 1 "$N"); do
    name=bench-mem-$$-$i
    # The command backgrounds sleep and returns: what stays is the init and the sleep.
    "$JAIL" -q -c "name=$name" "path=$ROOTFS" command=/bin/sh -c 'sleep 1000 </dev/null >/dev/null 2>&1 &'
    names+=("$name")
done
sleep 2
after=$(kernel)
pss=0; procs=0
for rec in /run/jail/[0-9]*; do
    grep -q "^name=bench-mem-$$-" "$rec" || continue
    cg=$(sed -n 's/^cgroup=//p' "$rec")
    for pid in $(cat "$cg/cgroup.procs" "$cg/jail/cgroup.procs" 2>/dev/null); do
        k=$(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
        pss=$((pss + ${k:-0})); procs=$((procs + 1))
    done
done
python3 - "$N" "$procs" "$pss" "$before" "$after" <<'PY'
import sys
n, procs, pss, before, after = map(int, sys.argv[1:])
k = after - before
print(f"jails={n} processes={procs} PSS={pss / n:.0f} KiB/jail kernel={k / n:.0f} KiB/jail total={(pss + k) / n:.0f} KiB/jail")
PY
