#!/usr/bin/env bash
# Build the one-folder bundle and run it the way a user would, from the built folder, with a
# PATH that holds no Python: --version, calc on a preset, a memo to PDF, ask with the bundled
# model (its child process must be the bundle's own executable) and against a local
# OpenAI-compatible endpoint, the Playground and the window offscreen, and the desktop
# integration that install.sh adds.
#
#   tests/packaging/smoke_test.sh              # build (packaging/build.sh), then check
#   tests/packaging/smoke_test.sh --no-build   # check the bundle already in packaging/dist
#
# Needs pdftotext (poppler-utils). Prints one "ok ..." line per check; exits non-zero at the
# first failure with a line that says what was wrong.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
preset="${SMOKE_PRESET:-support-ticket-triage}"
# Only to read the JSON the bundle prints; the bundle itself never sees this Python.
host_python="${PYTHON:-python3}"

if [[ "${1:-}" != "--no-build" ]]; then
    packaging/build.sh
fi

bundle_dir="$repo_root/packaging/dist/specialist-studio"
exe="$bundle_dir/specialist-studio"
[[ -x "$exe" ]] || { echo "FAIL: no bundle at $exe (run packaging/build.sh)"; exit 1; }

work="$(mktemp -d)"
children_log="$work/children.txt"
cleanup() {
    # Nothing started here may outlive the test.
    if [[ -n "${bg_pid:-}" ]] && kill -0 "$bg_pid" 2>/dev/null; then kill "$bg_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/home" "$work/bin" "$work/out"

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok $*"; }

# The bundle runs in a scrubbed environment: an empty PATH folder (so no python can be found),
# its own settings and cache folders, no display.
bundle_env=(env -i HOME="$work/home" PATH="$work/bin" LANG=C.UTF-8
    SPECIALIST_STUDIO_HOME="$work/home/studio" SPECIALIST_STUDIO_CACHE="$work/home/cache"
    QT_QPA_PLATFORM=offscreen)
if "${bundle_env[@]}" /bin/sh -c 'command -v python3 || command -v python' >/dev/null 2>&1; then
    fail "the scrubbed PATH still finds a python"
fi
run_bundle() { "${bundle_env[@]}" "$exe" "$@"; }

# 1. --version matches the project version.
expected_version="$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n1)"
version_out="$(run_bundle --version)"
[[ "$version_out" == "specialist-studio $expected_version" ]] \
    || fail "--version printed '$version_out', expected 'specialist-studio $expected_version'"
ok "--version: $version_out"

# 2. calc on a preset, as JSON; the contract fields are there and the verdict is a known one.
run_bundle calc --preset "$preset" --json >"$work/out/calc.json" \
    || fail "calc --preset $preset --json exited non-zero"
"$host_python" -c '
import json, sys
data = json.load(open(sys.argv[1]))
need = ["large_cost_per_request", "specialist_cost_per_request", "monthly_savings",
        "net_monthly_savings", "one_time_cost", "break_even_months", "recommendation"]
missing = [k for k in need if k not in data]
assert not missing, f"calc --json lacks {missing}"
verdicts = {"specialize", "use_off_the_shelf", "keep_large_and_route", "keep_large", "needs_eval"}
assert data["recommendation"]["verdict"] in verdicts, data["recommendation"]["verdict"]
assert len(data["recommendation"]["rules"]) == 6, "expected six rules"
print(data["recommendation"]["verdict"], data["break_even_months"])
' "$work/out/calc.json" >"$work/out/calc.summary" || fail "calc --json output: $(tail -n1 "$work/out/calc.summary" 2>/dev/null)"
ok "calc --preset $preset --json: verdict and break-even $(cat "$work/out/calc.summary")"

# 3. A memo to PDF, read back with pdftotext.
run_bundle memo --preset "$preset" -o "$work/out/memo.pdf" >/dev/null \
    || fail "memo --preset $preset exited non-zero"
[[ -s "$work/out/memo.pdf" ]] || fail "memo wrote no PDF"
pdftotext "$work/out/memo.pdf" "$work/out/memo.txt" || fail "pdftotext could not read the memo"
grep -qi "specialist studio\|decision memo" "$work/out/memo.txt" || fail "memo text lacks its title"
verdict="$(cut -d' ' -f1 "$work/out/calc.summary" | tr '_' ' ')"
tr -s ' \n' '  ' <"$work/out/memo.txt" | grep -qi "$verdict" || fail "memo does not state the verdict '$verdict'"
ok "memo: $(pdfinfo "$work/out/memo.pdf" 2>/dev/null | sed -n 's/^Pages: *//p') pages, $(wc -w <"$work/out/memo.txt") words"

# 4. ask with the bundled model; every child process is the bundle's own executable.
"${bundle_env[@]}" "$exe" ask --json --max-tokens 16 "The capital of France is" >"$work/out/ask.json" 2>"$work/out/ask.err" &
bg_pid=$!
while kill -0 "$bg_pid" 2>/dev/null; do
    for child in $(pgrep -P "$bg_pid" 2>/dev/null || true); do
        child_exe="$(readlink "/proc/$child/exe" 2>/dev/null || true)"
        child_cmd="$(tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null || true)"
        [[ -n "$child_exe" ]] && echo "$child_exe|$child_cmd" >>"$children_log"
    done
    sleep 0.1
done
wait "$bg_pid" || fail "ask exited non-zero: $(tail -n3 "$work/out/ask.err")"
bg_pid=""
[[ -s "$children_log" ]] || fail "ask started no child process"
grep -q "app.inference.model_server" "$children_log" || fail "no model server child seen: $(sort -u "$children_log")"
while IFS='|' read -r child_exe child_cmd; do
    [[ "$child_exe" == "$exe" ]] || fail "child ran from $child_exe, not the bundle ($child_cmd)"
done < <(sort -u "$children_log")
if pgrep -f "^$exe -m app.inference.model_server" >/dev/null; then fail "ask left its model process running"; fi
"$host_python" -c '
import json, sys
local = json.load(open(sys.argv[1]))["local"]
error, text, speed = local.get("error"), local.get("text") or "", local.get("tokens_per_second") or 0
assert not error, f"local model error: {error}"
assert text.strip(), f"ask --json returned no local text: {local}"
print(repr(text.strip()[:40]), f"at {speed:.0f} tok/s")
' "$work/out/ask.json" >"$work/out/ask.summary" || fail "ask --json output: $(head -c 300 "$work/out/ask.json")"
ok "ask: model server child ran as $exe; answer $(cat "$work/out/ask.summary")"

# 4b. ask's frontier side (the openai SDK inside the bundle) against an OpenAI-compatible server
#     on 127.0.0.1: the bundle's own model server, started by hand, stands in for the frontier.
model_file="$(ls "$work"/home/cache/models/*.gguf | head -n1)"
env -i PATH="$work/bin" SPECIALIST_STUDIO_MODEL_KEY=smoke-key \
    "$exe" -m app.inference.model_server --model "$model_file" --model-id stand-in >"$work/out/standin.out" \
    2>"$work/out/standin.err" &
bg_pid=$!
for _ in $(seq 1 600); do grep -q '^READY' "$work/out/standin.out" && break; sleep 0.1; done
port="$(sed -n 's/^READY port=\([0-9]*\).*/\1/p' "$work/out/standin.out")"
[[ -n "$port" ]] || fail "the stand-in server did not start: $(tail -n2 "$work/out/standin.err")"
"${bundle_env[@]}" SPECIALIST_STUDIO_FRONTIER_KEY=smoke-key "$exe" ask --no-local --json --max-tokens 8 \
    --frontier-url "http://127.0.0.1:$port/v1" --frontier-model stand-in --frontier-preset custom \
    --frontier-price 1 2 "The capital of France is" >"$work/out/frontier.json" \
    || fail "ask against the stand-in frontier exited non-zero"
kill "$bg_pid"; wait "$bg_pid" 2>/dev/null || true; bg_pid=""
"$host_python" -c '
import json, sys
side = json.load(open(sys.argv[1]))["frontier"]
assert side.get("error") is None and side.get("output_tokens"), f"frontier side failed: {side}"
print(side["output_tokens"], "tokens, cost", side["cost_usd"])
' "$work/out/frontier.json" >"$work/out/frontier.summary" || fail "frontier report: $(cat "$work/out/frontier.json")"
ok "ask frontier side over the openai SDK: $(cat "$work/out/frontier.summary")"

# 4c. The playground's GPU check asks a child `-c` process; in the bundle that child is the
#     bundle's executable too, and it must answer rather than open a window.
gpu="$(run_bundle -c 'from app.inference.local_server import gpu_offload_supported as g; print(g())')" \
    || fail "the GPU-offload check failed in the bundle"
[[ "$gpu" == "True" || "$gpu" == "False" ]] || fail "the GPU-offload check printed '$gpu'"
ok "GPU offload supported by the bundled llama.cpp: $gpu"

# 4d. The Playground tab itself, driven inside the bundle: it loads the bundled model in a child
#     process (the bundle's executable again), streams an answer and shows the GPU note.
run_bundle -c "import runpy; runpy.run_path('tests/packaging/bundle_playground.py', run_name='__main__')" \
    "$work/out/playground.json" >"$work/out/playground.log" 2>&1 \
    || fail "the playground run failed: $(grep -v propagateSizeHints "$work/out/playground.log" | tail -n3)"
"$host_python" -c '
import json, sys
report, exe = json.load(open(sys.argv[1])), sys.argv[2]
assert report["answer"].strip(), f"no answer streamed: {report}"
server_exe = report["server_exe"]
assert server_exe == exe, f"the model process ran from {server_exe!r}"
assert not report["gpu_note"].startswith("checking"), "the GPU note never arrived"
print(report["gpu_note"])
' "$work/out/playground.json" "$exe" >"$work/out/playground.summary" \
    || fail "playground report: $(cat "$work/out/playground.json")"
ok "playground: answer streamed from a model process run as $exe; note: $(cat "$work/out/playground.summary")"

# 5. The window starts (offscreen) and stays up until it is told to stop.
"${bundle_env[@]}" "$exe" >"$work/out/gui.out" 2>"$work/out/gui.err" &
bg_pid=$!
sleep "${SMOKE_GUI_SECONDS:-8}"
kill -0 "$bg_pid" 2>/dev/null || fail "the window exited early: $(tail -n3 "$work/out/gui.err")"
kill "$bg_pid"
wait "$bg_pid" 2>/dev/null || true
bg_pid=""
if grep -q "Traceback" "$work/out/gui.err"; then fail "the window printed a traceback: $(tail -n3 "$work/out/gui.err")"; fi
ok "window: started offscreen and kept running"

# 6. install.sh puts a menu entry that names this executable, the icon and a command link in
#    place for the user, and --uninstall takes them away again.
install_env=(env -i HOME="$work/home" PATH="/usr/bin:/bin" XDG_DATA_HOME="$work/home/share"
    SPECIALIST_STUDIO_BIN_DIR="$work/home/bin")
"${install_env[@]}" "$bundle_dir/install.sh" >/dev/null || fail "install.sh exited non-zero"
entry="$work/home/share/applications/specialist-studio.desktop"
grep -qx "Exec=\"$exe\" %f" "$entry" || fail "menu entry does not start $exe: $(grep '^Exec=' "$entry")"
[[ -f "$work/home/share/icons/hicolor/scalable/apps/specialist-studio.svg" ]] || fail "install.sh left out the icon"
[[ "$("${bundle_env[@]}" "$work/home/bin/specialist-studio" --version)" == "$version_out" ]] \
    || fail "the ~/.local/bin link does not start the app"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$entry" || fail "the installed menu entry does not validate"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net --pedantic \
        "$work/home/share/metainfo/io.github.specialiststudio.SpecialistStudio.metainfo.xml" >/dev/null \
        || fail "the installed metainfo does not validate"
fi
"${install_env[@]}" "$bundle_dir/install.sh" --uninstall >/dev/null || fail "install.sh --uninstall exited non-zero"
[[ ! -e "$entry" && ! -e "$work/home/bin/specialist-studio" ]] || fail "--uninstall left the entry or the link"
ok "install.sh: menu entry, icon, metainfo and command link added and removed"

echo "smoke test passed: $(du -sh "$bundle_dir" | cut -f1) bundle at $bundle_dir"
