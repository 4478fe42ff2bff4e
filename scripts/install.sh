#!/usr/bin/env bash
# Installs the jail binary (with its other names jls, jexec and rctl), the man pages, the
# bash and zsh completions, and the systemd units that start jails at boot. Run it again
# to update: every step replaces what it installed before.
#
#   swift build -c release && bash scripts/install.sh          # under /usr/local
#   PREFIX=/usr bash scripts/install.sh                         # under /usr
#   DESTDIR=/tmp/stage bash scripts/install.sh                  # staged, for a package
#
# Variables: PREFIX (/usr/local), DESTDIR (empty), BINARY (.build/release/jail),
# MANDIR ($PREFIX/share/man), BASHCOMPDIR ($PREFIX/share/bash-completion/completions,
# where bash-completion looks through XDG_DATA_DIRS), ZSHCOMPDIR
# ($PREFIX/share/zsh/site-functions), SYSTEMDUNITDIR (/etc/systemd/system),
# SYSTEMDGENERATORDIR (/usr/lib/systemd/system-generators). Nothing is enabled or
# reloaded: `systemctl daemon-reload`, then `systemctl enable --now jail@NAME`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
BINARY=${BINARY:-.build/release/jail}
MANDIR=${MANDIR:-$PREFIX/share/man}
BASHCOMPDIR=${BASHCOMPDIR:-$PREFIX/share/bash-completion/completions}
ZSHCOMPDIR=${ZSHCOMPDIR:-$PREFIX/share/zsh/site-functions}
SYSTEMDUNITDIR=${SYSTEMDUNITDIR:-/etc/systemd/system}
SYSTEMDGENERATORDIR=${SYSTEMDGENERATORDIR:-/usr/lib/systemd/system-generators}

if [ ! -x "$BINARY" ]; then
    echo "install.sh: $BINARY: not built (swift build -c release)" >&2
    exit 1
fi

sbin=$DESTDIR$PREFIX/sbin
install -d -m 0755 "$sbin" "$DESTDIR$MANDIR/man5" "$DESTDIR$MANDIR/man8" \
    "$DESTDIR$BASHCOMPDIR" "$DESTDIR$ZSHCOMPDIR" \
    "$DESTDIR$SYSTEMDUNITDIR" "$DESTDIR$SYSTEMDGENERATORDIR"

# The binary is replaced by a rename, so a running jail, jls or jexec keeps its copy.
install -m 0755 "$BINARY" "$sbin/.jail.new"
mv -f "$sbin/.jail.new" "$sbin/jail"
for name in jls jexec rctl; do
    ln -sfn jail "$sbin/$name"
done

install -m 0644 man/jail.8 man/jls.8 man/jexec.8 man/rctl.8 "$DESTDIR$MANDIR/man8/"
install -m 0644 man/jail.conf.5 "$DESTDIR$MANDIR/man5/"

# bash-completion loads a completion by the command's name: one file, three links.
install -m 0644 completions/jail.bash "$DESTDIR$BASHCOMPDIR/jail"
for name in jls jexec rctl; do
    ln -sfn jail "$DESTDIR$BASHCOMPDIR/$name"
done
install -m 0644 completions/_jail "$DESTDIR$ZSHCOMPDIR/_jail"

# The units and the generator run the installed binary (without DESTDIR).
units=$(mktemp -d)
trap 'rm -rf "$units"' EXIT
for file in jail@.service jails.target jail-generator; do
    sed "s|@SBINDIR@|$PREFIX/sbin|g" "systemd/$file" >"$units/$file"
done
install -m 0644 "$units/jail@.service" "$units/jails.target" "$DESTDIR$SYSTEMDUNITDIR/"
install -m 0755 "$units/jail-generator" "$DESTDIR$SYSTEMDGENERATORDIR/jail-generator"

echo "installed jail, jls, jexec and rctl in $sbin, their man pages, completions and systemd units"
