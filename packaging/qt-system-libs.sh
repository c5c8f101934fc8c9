#!/usr/bin/env bash
# Check that Qt's X11 (xcb) platform plugin finds its system libraries; install them when root.
#
# Usage: packaging/qt-system-libs.sh PYTHON
#   PYTHON: the interpreter of the environment the app runs in (it has PySide6).
#
# On Debian/Ubuntu, Qt >= 6.5's xcb plugin needs libxcb-cursor0 and a few other xcb libraries that
# a desktop usually has and a minimal install does not; without them the window does not open
# ("Could not load the Qt platform plugin "xcb""). This asks the dynamic linker (ldd) what the
# plugin lacks, maps each missing library to its Debian package (libxcb-icccm.so.4 -> libxcb-icccm4),
# installs them with apt-get when run as root, and otherwise prints the one command to run.
# Nothing to do off Linux, or when Qt is told to draw elsewhere (QT_QPA_PLATFORM=offscreen, wayland).
set -euo pipefail

python="${1:?usage: $0 PYTHON}"
[ "$(uname -s)" = Linux ] || exit 0
case "${QT_QPA_PLATFORM:-xcb}" in
  xcb*) ;;
  *) exit 0 ;;
esac

plugin="$("$python" -c 'import os, PySide6; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt", "plugins", "platforms", "libqxcb.so"))')"
[ -f "$plugin" ] || exit 0  # a PySide6 without the xcb plugin: nothing to check
command -v ldd >/dev/null || exit 0

missing="$(ldd "$plugin" 2>/dev/null | awk '/not found/ {print $1}' | sort -u)"
[ -z "$missing" ] && exit 0

# Debian names a library package after its soname: libfoo-bar.so.N -> libfoo-barN, with a dash
# before N when the name ends in a digit (libxkbcommon-x11.so.0 -> libxkbcommon-x11-0).
packages=""
for library in $missing; do
  name="${library%%.so.*}"
  version="${library##*.so.}"
  name="$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]')"
  case "$name" in
    *[0-9]) package="$name-$version" ;;
    *) package="$name$version" ;;
  esac
  packages="$packages $package"
done

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Qt's xcb plugin lacks:" $missing "- installing:$packages" >&2
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $packages
  exit 0
fi
echo "The window needs system libraries Qt's X11 plugin cannot find:" $missing >&2
echo "Install them with:  sudo apt-get install$packages" >&2
echo "(or run headless with QT_QPA_PLATFORM=offscreen)" >&2
exit 1
