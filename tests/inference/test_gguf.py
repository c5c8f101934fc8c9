"""The GGUF header reader: the real bundled model, and every kind of broken file."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from app.inference.gguf import GgufError, format_parameters, format_size, read_gguf_info


def test_bundled_model_header(bundled_model: Path) -> None:
    info = read_gguf_info(bundled_model)
    assert info.architecture == "gemma3"
    assert info.quantization == "Q4_K_M"
    assert info.context_length == 32768
    assert info.has_chat_template is False  # a base model
    assert 250_000_000 < info.parameter_count < 300_000_000
    assert info.size_label == "270M"
    assert info.file_size == bundled_model.stat().st_size
    text = "\n".join(info.summary_lines())
    assert "gemma3" in text and "Q4_K_M" in text and "268M" in text and "completion mode" in text


def _head(bundled_model: Path, size: int) -> bytes:
    with bundled_model.open("rb") as handle:
        return handle.read(size)


def _expect(path: Path, *fragments: str) -> str:
    with pytest.raises(GgufError) as caught:
        read_gguf_info(path)
    message = str(caught.value)
    assert message.startswith(path.name), message
    for fragment in fragments:
        assert fragment in message, message
    assert "\n" not in message
    return message


def test_truncated_in_tensor_data(bundled_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut-data.gguf"
    path.write_bytes(_head(bundled_model, 20_000_000))
    _expect(path, "truncated", "20,000,000")


def test_truncated_in_header(bundled_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut-header.gguf"
    path.write_bytes(_head(bundled_model, 200))
    _expect(path, "truncated")


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.gguf"
    path.write_bytes(os.urandom(4096).replace(b"GGUF", b"XXXX"))
    _expect(path, "not a GGUF model")


def test_wrong_magic(bundled_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "ggml.bin"
    path.write_bytes(b"GGML" + _head(bundled_model, 4096)[4:])
    _expect(path, "not a GGUF model", "b'GGML'")


def test_zero_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.gguf"
    path.write_bytes(b"")
    _expect(path, "empty (0 bytes)")


def test_directory(tmp_path: Path) -> None:
    path = tmp_path / "folder.gguf"
    path.mkdir()
    _expect(path, "is a folder")


def test_missing(tmp_path: Path) -> None:
    _expect(tmp_path / "nowhere.gguf", "not found")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable(bundled_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "locked.gguf"
    path.write_bytes(_head(bundled_model, 1024))
    path.chmod(0)
    try:
        _expect(path, "cannot be read", "permission denied")
    finally:
        path.chmod(0o600)


def test_unreadable_file_object(tmp_path: Path) -> None:
    # Root can read any mode, so also check an object that cannot be read at all: a socket.
    import socket

    path = tmp_path / "model.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        _expect(path, "is a socket, not a regular file")


def test_unsupported_version(tmp_path: Path) -> None:
    path = tmp_path / "future.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<I", 99) + b"\0" * 32)
    _expect(path, "unsupported GGUF version 99")


def test_absurd_counts(tmp_path: Path) -> None:
    path = tmp_path / "garbage-counts.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**40, 2**40) + b"\0" * 64)
    _expect(path, "corrupt")


def test_minimal_valid_file(tmp_path: Path) -> None:
    """A hand-made GGUF v3 with two keys and no tensors parses, defaults filled in."""

    def string(text: str) -> bytes:
        data = text.encode()
        return struct.pack("<Q", len(data)) + data

    body = b"GGUF" + struct.pack("<IQQ", 3, 0, 2)
    body += string("general.architecture") + struct.pack("<I", 8) + string("llama")
    body += string("llama.context_length") + struct.pack("<I", 4) + struct.pack("<I", 4096)
    path = tmp_path / "tiny.gguf"
    path.write_bytes(body)
    info = read_gguf_info(path)
    assert (info.architecture, info.context_length, info.quantization) == ("llama", 4096, "not stated")
    assert info.tensor_count == 0 and not info.has_chat_template


def test_formatting() -> None:
    assert format_size(253_113_024) == "253.1 MB"
    assert format_size(512) == "512 B"
    assert format_parameters(268_098_176) == "268M"
    assert format_parameters(7_240_000_000) == "7.2B"


def _nested_arrays_header(depth: int) -> bytes:
    """A v3 header with one key whose value is `depth` arrays, each holding the next."""
    key = b"hostile.nesting"
    body = struct.pack("<4sIQQ", b"GGUF", 3, 0, 1) + struct.pack("<Q", len(key)) + key
    body += struct.pack("<I", 9)  # the value is an array ...
    body += struct.pack("<IQ", 9, 1) * (depth - 1)  # ... of one array, of one array, ...
    body += struct.pack("<IQ", 4, 1) + struct.pack("<I", 7)  # ... of one uint32
    return body


def test_thousands_of_nested_metadata_arrays_are_refused_not_a_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "nested.gguf"
    path.write_bytes(_nested_arrays_header(5000))
    _expect(path, "nested more than 64 levels deep")


def test_shallow_nested_arrays_still_read(tmp_path: Path) -> None:
    path = tmp_path / "nested.gguf"
    path.write_bytes(_nested_arrays_header(3))
    assert read_gguf_info(path).metadata["hostile.nesting"] == ["<array of 1>"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_as_model_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    os.mkfifo(path)
    _expect(path, "is a named pipe (FIFO), not a regular file")


def test_a_link_loop_as_model_is_named_a_loop(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    path.symlink_to(path)
    _expect(path, "loop of symbolic links")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_model_is_refused() -> None:
    with pytest.raises(GgufError, match="zero: is a character device"):
        read_gguf_info("/dev/zero")
