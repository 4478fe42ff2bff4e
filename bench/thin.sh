#!/usr/bin/env bash
# A thin jail starts as fast as a plain one: start + /bin/true + teardown of a plain jail,
# an overlay thin jail (thin.base) and the Handbook's nullfs thin jail (the base read-only
# on the path by a mount line), side by side in one hyperfine run.
#   bench/thin.sh              (RUNS=150 WARMUP=15)
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-150}; WARMUP=${WARMUP:-15}
need_packages hyperfine busybox-static python3
build_tree
build_jail
export JAIL_CGROUP_PARENT=jail-bench
mkdir -p "$SCRATCH/thin" "$SCRATCH/nullfs"

# From one jail.conf, so that the three pay the same parsing (a mount line has spaces).
cat > "$SCRATCH/thin.conf" <<CONF
exec.start = "/bin/true";
plain { path = "$ROOTFS"; }
overlay { path = "$SCRATCH/thin"; thin.base = "$ROOTFS"; }
nullfs { path = "$SCRATCH/nullfs"; mount = "$ROOTFS $SCRATCH/nullfs nullfs ro"; }
CONF
OUT=$SCRATCH/thin.json
cd /tmp
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT" \
    -n plain "$JAIL -q -f $SCRATCH/thin.conf -c plain" \
    -n overlay "$JAIL -q -f $SCRATCH/thin.conf -c overlay" \
    -n nullfs "$JAIL -q -f $SCRATCH/thin.conf -c nullfs" >&2

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: statistics.median(v["times"]) * 1000 for k, v in rows.items()}
print("| start | median ms | × plain |")
print("|---|---|---|")
for k in ("plain", "overlay", "nullfs"):
    print(f"| {k} | {med[k]:.2f} | {med[k] / med['plain']:.2f} |")
PY
