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
    [ -x "$JAIL" ] && return 0
    log "building $JAIL"
    (cd "$TOP" && swift build -c release --product jail -Xswiftc -static-executable >/dev/null)
}
