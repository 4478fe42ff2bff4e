#!/usr/bin/env bash
# What limits cost at start: a jail with no limit, one with a per-process limit only
# (openfiles: an rlimit, no cgroup), one with three cgroup limits (memoryuse, maxproc,
# pcpu), and crun with the same three, side by side in one hyperfine run.
# On hybrid hosts (controllers on v1, like these) entering a v1 cgroup waits for one RCU
# grace period; on v2 hosts CLONE_INTO_CGROUP has no such cost (not measurable here).
#   bench/limits.sh            (RUNS=100 WARMUP=10)
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-100}; WARMUP=${WARMUP:-10}
need_packages hyperfine crun busybox-static python3
build_tree
build_jail
# Our cgroups under our own, as the host's session cgroup requires.
export JAIL_CGROUP_PARENT=jail-bench

NS=$SCRATCH/crun-mntns-limits
crun_namespace "$NS"
BUNDLE=$SCRATCH/bundle-limits
crun_bundle "$BUNDLE" '{"memory": {"limit": 536870912}, "pids": {"limit": 200}, "cpu": {"quota": 50000, "period": 100000}}'

OUT=$SCRATCH/limits.json
cd /tmp
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT" \
    -n none "$JAIL -c path=$ROOTFS command=/bin/true" \
    -n rlimit "$JAIL -c path=$ROOTFS rctl=openfiles:deny=1024 command=/bin/true" \
    -n three "$JAIL -c path=$ROOTFS rctl=memoryuse:deny=512M,maxproc:deny=200,pcpu:deny=50 command=/bin/true" \
    -n nsenter "nsenter --mount=$NS /bin/true" \
    -n crun-three "nsenter --mount=$NS crun run --bundle $BUNDLE jail-bench-limits" >&2

# Back to back, the kernel's RCU sync for cgroup migration stays warm; an idle host pays a
# grace period on the first migration. The second run starts each jail after a pause.
COLD=$SCRATCH/limits-cold.json
hyperfine -N --warmup 2 --runs "${COLD_RUNS:-30}" --prepare "sleep 0.3" --export-json "$COLD" \
    -n none "$JAIL -c path=$ROOTFS command=/bin/true" \
    -n three "$JAIL -c path=$ROOTFS rctl=memoryuse:deny=512M,maxproc:deny=200,pcpu:deny=50 command=/bin/true" >&2

python3 - "$OUT" "$COLD" <<'PY'
import json, statistics, sys
def medians(path):
    rows = {r["command"]: r for r in json.load(open(path))["results"]}
    return {k: statistics.median(v["times"]) * 1000 for k, v in rows.items()}
med, cold = medians(sys.argv[1]), medians(sys.argv[2])
med["crun-three"] -= med.pop("nsenter")
print("| start (back to back) | median ms | − none (ms) |")
print("|---|---|---|")
for k in ("none", "rlimit", "three", "crun-three"):
    print(f"| {k} | {med[k]:.2f} | {med[k] - med['none']:+.2f} |")
print(f"| three, after 0.3 s idle | {cold['three']:.2f} | {cold['three'] - cold['none']:+.2f} |")
PY
