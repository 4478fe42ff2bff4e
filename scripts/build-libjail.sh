#!/usr/bin/env bash
# Builds libjail (FreeBSD's libjail calls, in C, no Swift needed at run time) into
# .build/libjail: libjail.so.1, its headers and libjail.pc. With a prefix (PREFIX=/usr/local
# bash scripts/build-libjail.sh install) it installs them there.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$TOP/.build/libjail
PREFIX=${PREFIX:-/usr/local}
JAIL_BINARY=${JAIL_BINARY:-$PREFIX/sbin/jail}
mkdir -p "$OUT/include/sys"
cc -O2 -g -fPIC -shared -Wall -Wextra -Werror -std=gnu11 \
    -DJAIL_BINARY="\"$JAIL_BINARY\"" \
    -I "$TOP/libjail/include" -I "$TOP/Sources/CJail/include" \
    -Wl,-soname,libjail.so.1 -Wl,--version-script="$TOP/libjail/libjail.map" -o "$OUT/libjail.so.1" \
    "$TOP/libjail/jail.c" "$TOP/Sources/CJail/attach.c" "$TOP/Sources/CJail/confine.c"
ln -sf libjail.so.1 "$OUT/libjail.so"
cp "$TOP/libjail/include/jail.h" "$OUT/include/"
cp "$TOP/libjail/include/sys/jail.h" "$OUT/include/sys/"
sed "s|@PREFIX@|$PREFIX|" "$TOP/libjail/libjail.pc.in" > "$OUT/libjail.pc"
if [ "${1:-}" = install ]; then
    install -D -m 0755 "$OUT/libjail.so.1" "$PREFIX/lib/libjail.so.1"
    ln -sf libjail.so.1 "$PREFIX/lib/libjail.so"
    install -D -m 0644 "$OUT/include/jail.h" "$PREFIX/include/libjail/jail.h"
    install -D -m 0644 "$OUT/include/sys/jail.h" "$PREFIX/include/libjail/sys/jail.h"
    install -D -m 0644 "$OUT/libjail.pc" "$PREFIX/lib/pkgconfig/libjail.pc"
    ldconfig 2>/dev/null || true
fi
echo "$OUT/libjail.so.1"
