# Shared by the bench scripts: root check, packages, the busybox tree, our binary.
set -euo pipefail
SCRATCH=${SCRATCH:-/var/tmp/jail-bench}
ROOTFS=$SCRATCH/rootfs
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$HERE")
JAIL=${JAIL:-$TOP/.build/release/jail}

log() { printf '[bench] %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { log "run as root"; exit 1; }

need_packages() {
    local missing=() p
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} = 0 ] && return 0
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

build_tree() {
    [ -x "$ROOTFS/bin/busybox" ] && return 0
    log "building $ROOTFS"
    mkdir -p "$ROOTFS"/{bin,proc,sys,dev,tmp,etc,root,usr,run}
    chmod 1777 "$ROOTFS/tmp"
    cp /bin/busybox "$ROOTFS/bin/busybox"
    for a in sh true sleep cat ls ps id hostname echo; do ln -sf busybox "$ROOTFS/bin/$a"; done
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ROOTFS/etc/passwd"
    printf 'root:x:0:\n' > "$ROOTFS/etc/group"
}

build_jail() {
    # Always: an incremental build is quick, and a stale binary would measure old code.
    log "building $JAIL"
    (cd "$TOP" && swift build -c release --product jail -Xswiftc -static-executable >/dev/null)
}

# crun 1.8 refuses hybrid cgroup hosts whose v2 root lists a controller: it runs inside a
# helper mount namespace (bound at $1, for this run only) that hides
# /sys/fs/cgroup/unified/cgroup.controllers; the cost of entering it is measured apart.
crun_namespace() {
    local ns=$1
    trap "umount '$ns' 2>/dev/null || true" EXIT
    if ! grep -q " $ns " /proc/self/mountinfo; then
        : > "$SCRATCH/empty"; touch "$ns"
        unshare --mount="$ns" --propagation private sh -c \
            "mount --bind $SCRATCH/empty /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || true"
    fi
}

# An OCI bundle at $1 running /bin/true in the busybox tree, with the JSON object $2 as
# its linux.resources (limits; "{}" for none).
crun_bundle() {
    local bundle=$1 resources=${2:-"{}"}
    [ -s "$bundle/config.json" ] && return 0
    mkdir -p "$bundle"
    (cd "$bundle" && rm -f config.json && crun spec)
    python3 - "$bundle/config.json" "$ROOTFS" "$resources" <<'PY'
import json, sys
path, root, resources = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
c = json.load(open(path))
c["root"] = {"path": root, "readonly": True}
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "mount", "ipc", "uts", "network")]
if resources:
    c["linux"]["resources"] = resources
json.dump(c, open(path, "w"), indent=1)
PY
}
