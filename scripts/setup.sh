# Sourced by the other scripts: the packages Jails needs on a fresh Debian 12, and the
# Swift toolchain on PATH. Installs only what is missing.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "run as root (jails need it)" >&2; exit 1; }
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH
# groff-base, mandoc and zsh: the man pages and completions are checked (Tests/JailsTests/DocsTests.swift);
# debootstrap, zstd and xz-utils: jail bootstrap; openssh-client and sshpass: the full-jail login test;
# lighttpd: the daemon a nanojail serves a page from (Tests/IntegrationTests/NanoTests.swift).
JAILS_PACKAGES="libseccomp-dev busybox-static gcc libc6-dev iproute2 openssh-client sshpass groff-base mandoc zsh debootstrap zstd xz-utils lighttpd"
missing=()
for p in $JAILS_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
