#!/usr/bin/env bash
# Add Specialist Studio to the desktop menu and the command line, for the current user.
# Ships next to the executable in the app folder; nothing is copied out of the folder except
# the menu entry, the icon and the AppStream metainfo, so moving the folder means running this again.
#
#   ./install.sh              # menu entry, icon, metainfo, and ~/.local/bin/specialist-studio
#   ./install.sh --uninstall  # remove them again (the app folder itself is left alone)
set -euo pipefail

app_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exe="$app_dir/specialist-studio"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
bin_dir="${SPECIALIST_STUDIO_BIN_DIR:-$HOME/.local/bin}"
desktop_file="$data_home/applications/specialist-studio.desktop"
icon_file="$data_home/icons/hicolor/scalable/apps/specialist-studio.svg"
metainfo_file="$data_home/metainfo/io.github.specialiststudio.SpecialistStudio.metainfo.xml"
launcher_link="$bin_dir/specialist-studio"

refresh_caches() {
    # Both are optional: menus pick the files up on their own, only later.
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$data_home/applications" || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true
}

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -f "$desktop_file" "$icon_file" "$metainfo_file"
    # Only remove the command link if it points at this folder's executable.
    if [[ -L "$launcher_link" && "$(readlink "$launcher_link")" == "$exe" ]]; then rm -f "$launcher_link"; fi
    refresh_caches
    echo "Specialist Studio removed from the menu; delete $app_dir to remove the app itself."
    exit 0
fi
if [[ -n "${1:-}" ]]; then
    echo "usage: $0 [--uninstall]" >&2
    exit 2
fi
[[ -x "$exe" ]] || { echo "install.sh: $exe is missing; run this script from the unpacked app folder" >&2; exit 1; }

mkdir -p "$(dirname "$desktop_file")" "$(dirname "$icon_file")" "$(dirname "$metainfo_file")" "$bin_dir"
# The menu entry names the executable by absolute path, so it works whether or not
# ~/.local/bin is on PATH.
sed -e "s|^Exec=specialist-studio|Exec=\"$exe\"|" -e "s|^TryExec=specialist-studio|TryExec=$exe|" \
    "$app_dir/share/applications/specialist-studio.desktop" >"$desktop_file"
cp "$app_dir/share/icons/hicolor/scalable/apps/specialist-studio.svg" "$icon_file"
cp "$app_dir/share/metainfo/io.github.specialiststudio.SpecialistStudio.metainfo.xml" "$metainfo_file"
ln -sfn "$exe" "$launcher_link"
refresh_caches
echo "Specialist Studio is in the application menu, and '$launcher_link' starts it from a terminal."
