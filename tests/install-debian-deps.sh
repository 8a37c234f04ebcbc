#!/bin/sh
# Installs the Debian packages GroupDesk's tests use (real parts: Dovecot IMAP, gnome-keyring,
# poppler, Xvfb, desktop-file-utils...). Idempotent; uses sudo when not root; skips apt entirely when
# everything is already installed. Used by README's test command and so by CI.
set -eu

PACKAGES="python3 python3-venv
libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 fonts-dejavu-core
xvfb libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
poppler-utils
dovecot-core dovecot-imapd openssl
gnome-keyring dbus dbus-daemon dbus-bin
desktop-file-utils appstream shared-mime-info"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "Debian test packages: all present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "installing$missing needs root or sudo" >&2; exit 1; }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do
    if $SUDO apt-get update -q; then break; fi
    [ "$attempt" -eq 3 ] && { echo "apt-get update failed 3 times" >&2; exit 1; }
    sleep 10
done
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing </dev/null
