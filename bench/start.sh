#!/usr/bin/env bash
# Start + /bin/true + teardown, side by side in one hyperfine run: our jail, the bare
# namespace floor (unshare ... chroot), bubblewrap and crun, over the same busybox tree.
# Absolute times on shared machines are noise; the ratios printed at the end are not.
#   bench/start.sh            (RUNS=200 WARMUP=20 to change the run counts)
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-200}; WARMUP=${WARMUP:-20}
need_packages hyperfine bubblewrap crun busybox-static python3
build_tree
build_jail

# crun runs in a helper namespace; entering it (the "nsenter" row) is subtracted.
NS=$SCRATCH/crun-mntns
crun_namespace "$NS"
BUNDLE=$SCRATCH/bundle
crun_bundle "$BUNDLE"

OUT=$SCRATCH/start.json
cd /tmp
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT" \
    -n jail "$JAIL -c path=$ROOTFS command=/bin/true" \
    -n unshare "unshare -m -p -f -u -i -n chroot $ROOTFS /bin/true" \
    -n bwrap "bwrap --unshare-all --bind $ROOTFS / --proc /proc --dev /dev /bin/true" \
    -n nsenter "nsenter --mount=$NS /bin/true" \
    -n crun "nsenter --mount=$NS crun run --bundle $BUNDLE jail-bench-crun" >&2

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: statistics.median(v["times"]) * 1000 for k, v in rows.items()}
med["crun"] -= med.pop("nsenter")
print("| tool | median ms | × unshare | × bwrap |")
print("|---|---|---|---|")
for k in ("jail", "unshare", "bwrap", "crun"):
    print(f"| {k} | {med[k]:.2f} | {med[k] / med['unshare']:.2f} | {med[k] / med['bwrap']:.2f} |")
PY
