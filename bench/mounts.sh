#!/usr/bin/env bash
# A live mount into a running jail (jail mount, read-only) and its removal (jail umount).
# There is no peer row: util-linux cannot attach a host directory inside another mount
# namespace (nsenter's mount would look for the source inside the jail); the target is
# an absolute one, under 5 ms.
#   bench/mounts.sh            (RUNS=100 WARMUP=10)
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-100}; WARMUP=${WARMUP:-10}
need_packages hyperfine busybox-static python3
build_tree
build_jail
export JAIL_CGROUP_PARENT=jail-bench
mkdir -p "$ROOTFS/mnt" "$SCRATCH/shared"
echo data > "$SCRATCH/shared/file"
"$JAIL" -r bench-mount >/dev/null 2>&1 || true
"$JAIL" -c name=bench-mount path="$ROOTFS" persist >/dev/null
trap '"$JAIL" -r bench-mount >/dev/null 2>&1 || true' EXIT

OUT=$SCRATCH/mounts.json
cd /tmp
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT" \
    --prepare "sh -c '$JAIL umount bench-mount /mnt 2>/dev/null; true'" \
    -n "jail mount" "$JAIL mount bench-mount $SCRATCH/shared /mnt ro" \
    --prepare "sh -c '$JAIL mount bench-mount $SCRATCH/shared /mnt ro 2>/dev/null; true'" \
    -n "jail umount" "$JAIL umount bench-mount /mnt" >&2

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: statistics.median(v["times"]) * 1000 for k, v in rows.items()}
print("| live mount | median ms | max ms |")
print("|---|---|---|")
for k in ("jail mount", "jail umount"):
    print(f"| {k} | {med[k]:.2f} | {max(rows[k]['times']) * 1000:.2f} |")
PY
