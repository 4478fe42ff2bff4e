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

# crun 1.8 refuses hybrid cgroup hosts whose v2 root lists a controller: it runs inside a
# helper mount namespace that hides /sys/fs/cgroup/unified/cgroup.controllers, and the
# cost of entering it (the "nsenter" row) is subtracted from its row.
NS=$SCRATCH/crun-mntns
# The helper namespace lives only for this run.
trap 'umount "$NS" 2>/dev/null || true' EXIT
if ! grep -q " $NS " /proc/self/mountinfo; then
    : > "$SCRATCH/empty"; touch "$NS"
    unshare --mount="$NS" --propagation private sh -c \
        "mount --bind $SCRATCH/empty /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || true"
fi
BUNDLE=$SCRATCH/bundle
if [ ! -s "$BUNDLE/config.json" ]; then
    mkdir -p "$BUNDLE"
    (cd "$BUNDLE" && rm -f config.json && crun spec)
    python3 - "$BUNDLE/config.json" "$ROOTFS" <<'PY'
import json, sys
path, root = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["root"] = {"path": root, "readonly": True}
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "mount", "ipc", "uts", "network")]
json.dump(c, open(path, "w"), indent=1)
PY
fi

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
