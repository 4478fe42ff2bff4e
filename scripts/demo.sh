#!/usr/bin/env bash
# Builds jail, makes a small tree from the host's static busybox, and runs a jail in it:
# what a user of FreeBSD's jail(8) would type, on Linux.
source "$(dirname "$0")/setup.sh"
swift build -c release --product jail -Xswiftc -static-executable
JAIL=$PWD/.build/release/jail
TREE=${TREE:-/var/tmp/jail-demo}
if [ ! -x "$TREE/bin/busybox" ]; then
    mkdir -p "$TREE"/{bin,dev,proc,sys,tmp,etc,root}
    chmod 1777 "$TREE/tmp"
    cp /bin/busybox "$TREE/bin/"
    for a in sh ls ps id hostname cat echo sleep uname; do ln -sf busybox "$TREE/bin/$a"; done
    echo 'root:x:0:0:root:/root:/bin/sh' > "$TREE/etc/passwd"
    echo 'root:x:0:' > "$TREE/etc/group"
fi
run() { echo "+ $*"; "$@"; }
ln -sf jail .build/release/jls
ln -sf jail .build/release/jexec
export PATH=$PWD/.build/release:$PATH
run jail -c name=demo path="$TREE" host.hostname=demo.example persist
run jls
run jexec demo /bin/sh -c 'echo "inside: $(id), hostname $(hostname)"; echo "processes it sees:"; ps; echo "its root holds: $(ls /)"
    mount -t tmpfs none /tmp 2>/dev/null && echo "mount: allowed?!" || echo "mount: denied, as in a FreeBSD jail"'
run jail ps demo
run jail -r demo
