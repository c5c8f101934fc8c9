"""Read what a GGUF file's header says before llama.cpp ever sees it.

llama.cpp aborts the whole process on some malformed files (`GGML_ASSERT`), so the window
checks a file here first and shows what it is: architecture, parameters, quantisation,
context length, chat template. Pure Python, reads only the header and tensor table.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.storage.regular_files import FileRefusedError, check_regular

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (1, 2, 3)
DEFAULT_ALIGNMENT = 32
# Far above any real file; a bigger count means the header is garbage, not a huge model.
MAX_TENSORS = 1_000_000
MAX_KV_PAIRS = 1_000_000
# llama.cpp's own files nest arrays one level; gguf-py allows arrays of arrays. 64 is generous.
MAX_ARRAY_NESTING = 64

# llama.cpp's `llama_ftype`: what `general.file_type` says the weights are quantised to.
FILE_TYPE_NAMES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
}

# ggml tensor types: (elements per block, bytes per block), to check the tensor data is all there.
_GGML_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0: (1, 4),  # F32
    1: (1, 2),  # F16
    2: (32, 18),  # Q4_0
    3: (32, 20),  # Q4_1
    6: (32, 22),  # Q5_0
    7: (32, 24),  # Q5_1
    8: (32, 34),  # Q8_0
    9: (32, 36),  # Q8_1
    10: (256, 84),  # Q2_K
    11: (256, 110),  # Q3_K
    12: (256, 144),  # Q4_K
    13: (256, 176),  # Q5_K
    14: (256, 210),  # Q6_K
    15: (256, 292),  # Q8_K
    16: (256, 66),  # IQ2_XXS
    17: (256, 74),  # IQ2_XS
    18: (256, 98),  # IQ3_XXS
    19: (256, 50),  # IQ1_S
    20: (32, 18),  # IQ4_NL
    21: (256, 110),  # IQ3_S
    22: (256, 82),  # IQ2_S
    23: (256, 136),  # IQ4_XS
    24: (1, 1),  # I8
    25: (1, 2),  # I16
    26: (1, 4),  # I32
    27: (1, 8),  # I64
    28: (1, 8),  # F64
    29: (256, 56),  # IQ1_M
    30: (1, 2),  # BF16
    34: (256, 54),  # TQ1_0
    35: (256, 66),  # TQ2_0
    39: (32, 17),  # MXFP4
}

# GGUF metadata value types -> struct format of the fixed-size ones.
_SCALAR_FORMATS: dict[int, str] = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_TYPE_STRING = 8
_TYPE_ARRAY = 9

MetadataValue = int | float | bool | str | list[object]


class GgufError(Exception):
    """A file that is not a loadable GGUF model; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path.name}: {problem}")


@dataclass(frozen=True)
class GgufInfo:
    """What a GGUF header says about the model inside."""

    path: Path
    file_size: int
    version: int
    tensor_count: int
    architecture: str
    name: str
    parameter_count: int
    size_label: str
    file_type: int | None
    quantization: str
    context_length: int | None
    has_chat_template: bool
    metadata: dict[str, MetadataValue]

    def summary_lines(self) -> list[str]:
        """Human-readable lines for the model panel and the CLI."""
        return [
            f"File: {self.path.name} ({format_size(self.file_size)})",
            f"Model: {self.name or '(unnamed)'}",
            f"Architecture: {self.architecture}",
            f"Parameters: {format_parameters(self.parameter_count)}"
            + (f" (label {self.size_label})" if self.size_label else ""),
            f"Quantisation: {self.quantization}",
            f"Context length: {self.context_length if self.context_length else 'not stated'}",
            "Chat template: "
            + ("present" if self.has_chat_template else "none (base model: use completion mode)"),
        ]


def format_size(num_bytes: int) -> str:
    """`253.0 MB` style sizes (decimal units, as file managers show them)."""
    size = float(num_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"  # pragma: no cover - loop always returns


def format_parameters(count: int) -> str:
    """`268M` / `7.2B` style parameter counts."""
    if count >= 1_000_000_000:
        return f"{count / 1e9:.1f}B"
    if count >= 1_000_000:
        return f"{count / 1e6:.0f}M"
    return f"{count:,}"


class _Reader:
    """Little-endian reads that turn a short read into a 'truncated' GgufError."""

    def __init__(self, handle: BinaryIO, path: Path, file_size: int) -> None:
        self._handle = handle
        self._path = path
        self._file_size = file_size

    def tell(self) -> int:
        return self._handle.tell()

    def read(self, size: int) -> bytes:
        if size < 0 or self.tell() + size > self._file_size:
            raise GgufError(
                self._path,
                f"file is truncated or corrupt: the header needs {size} more bytes at offset "
                f"{self.tell()} but the file is {self._file_size} bytes",
            )
        data = self._handle.read(size)
        if len(data) != size:
            raise GgufError(self._path, f"file is truncated at offset {self.tell()}")
        return data

    def skip(self, size: int) -> None:
        if size < 0 or self.tell() + size > self._file_size:
            raise GgufError(
                self._path,
                f"file is truncated or corrupt: a value of {size} bytes at offset {self.tell()} "
                f"runs past the end of the {self._file_size}-byte file",
            )
        self._handle.seek(size, os.SEEK_CUR)

    def unpack(self, fmt: str) -> int | float | bool:
        value: int | float | bool = struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]
        return value

    def u32(self) -> int:
        return int(self.unpack("<I"))

    def u64(self) -> int:
        return int(self.unpack("<Q"))

    def string(self, length_u64: bool) -> str:
        length = self.u64() if length_u64 else self.u32()
        return self.read(length).decode("utf-8", errors="replace")


def _read_value(
    reader: _Reader, value_type: int, length_u64: bool, keep_arrays: bool, depth: int = 0
) -> MetadataValue:
    if value_type in _SCALAR_FORMATS:
        return reader.unpack(_SCALAR_FORMATS[value_type])
    if value_type == _TYPE_STRING:
        return reader.string(length_u64)
    if value_type == _TYPE_ARRAY:
        if depth >= MAX_ARRAY_NESTING:
            # Real files nest at most one level (arrays of strings or numbers); thousands of
            # levels are a hostile header, refused before Python's recursion limit is hit.
            raise GgufError(
                reader._path,
                f"file is corrupt: metadata arrays nested more than {MAX_ARRAY_NESTING} levels deep",
            )
        item_type = reader.u32()
        count = reader.u64() if length_u64 else reader.u32()
        if not keep_arrays:
            # Tokenizer vocabularies hold ~100k+ entries: skip them without building lists.
            if item_type in _SCALAR_FORMATS:
                reader.skip(count * struct.calcsize(_SCALAR_FORMATS[item_type]))
            else:
                for _ in range(count):
                    _read_value(reader, item_type, length_u64, keep_arrays=False, depth=depth + 1)
            return [f"<array of {count}>"]
        return [_read_value(reader, item_type, length_u64, keep_arrays, depth + 1) for _ in range(count)]
    raise GgufError(reader._path, f"file is corrupt: unknown metadata value type {value_type}")


def _open_checked(path: Path) -> tuple[BinaryIO, int]:
    try:
        # A named pipe or a device would block or never end: only a regular file is opened.
        size = check_regular(path, "a GGUF model file", None).st_size
    except FileRefusedError as exc:
        raise GgufError(path, exc.problem) from None
    try:
        handle = path.open("rb")
    except PermissionError:
        raise GgufError(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise GgufError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped for a pipe since the check
        handle.close()
        raise GgufError(path, "is not a regular file")
    if size == 0:
        handle.close()
        raise GgufError(path, "file is empty (0 bytes)")
    return handle, size


def read_gguf_info(path: Path | str) -> GgufInfo:
    """Parse the header and tensor table of a GGUF file; raise `GgufError` naming what is wrong."""
    path = Path(path)
    handle, file_size = _open_checked(path)
    try:
        with handle:
            return _parse(handle, path, file_size)
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise GgufError(path, "is a folder, not a GGUF model file") from None
        raise GgufError(path, f"cannot be read: {exc.strerror or exc}") from None


def _parse(handle: BinaryIO, path: Path, file_size: int) -> GgufInfo:
    reader = _Reader(handle, path, file_size)
    head = handle.read(4)
    if len(head) < 4:
        raise GgufError(path, f"file is too short to be a GGUF model ({file_size} bytes)")
    if head != GGUF_MAGIC:
        raise GgufError(path, f"not a GGUF model: it starts with {head!r} instead of b'GGUF'")
    version = reader.u32()
    if version not in SUPPORTED_VERSIONS:
        raise GgufError(path, f"unsupported GGUF version {version} (this app reads versions 1 to 3)")
    length_u64 = version >= 2  # GGUF v1 used 32-bit counts and string lengths
    tensor_count = reader.u64() if length_u64 else reader.u32()
    kv_count = reader.u64() if length_u64 else reader.u32()
    if tensor_count > MAX_TENSORS or kv_count > MAX_KV_PAIRS:
        raise GgufError(path, f"file is corrupt: header claims {tensor_count} tensors and {kv_count} keys")

    metadata: dict[str, MetadataValue] = {}
    for _ in range(kv_count):
        key = reader.string(length_u64)
        value_type = reader.u32()
        metadata[key] = _read_value(reader, value_type, length_u64, keep_arrays=False)

    parameter_count = 0
    data_end = 0
    for _ in range(tensor_count):
        reader.string(length_u64)  # tensor name
        n_dims = reader.u32()
        if n_dims > 8:
            raise GgufError(path, f"file is corrupt: a tensor claims {n_dims} dimensions")
        elements = 1
        for _ in range(n_dims):
            elements *= reader.u64() if length_u64 else reader.u32()
        tensor_type = reader.u32()
        offset = reader.u64()
        parameter_count += elements
        block, block_bytes = _GGML_TYPE_SIZES.get(tensor_type, (0, 0))
        nbytes = (elements // block) * block_bytes if block else 0
        data_end = max(data_end, offset + nbytes)

    alignment_value = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    alignment = (
        alignment_value if isinstance(alignment_value, int) and alignment_value > 0 else DEFAULT_ALIGNMENT
    )
    data_start = -(-reader.tell() // alignment) * alignment
    if tensor_count and data_start + data_end > file_size:
        raise GgufError(
            path,
            f"file is truncated: the tensor data needs {data_start + data_end:,} bytes "
            f"but the file has only {file_size:,}",
        )

    architecture = str(metadata.get("general.architecture", "unknown"))
    context = metadata.get(f"{architecture}.context_length")
    file_type_value = metadata.get("general.file_type")
    file_type = file_type_value if isinstance(file_type_value, int) else None
    quantization = (
        FILE_TYPE_NAMES.get(file_type, f"type {file_type}") if file_type is not None else "not stated"
    )
    return GgufInfo(
        path=path,
        file_size=file_size,
        version=version,
        tensor_count=tensor_count,
        architecture=architecture,
        name=str(metadata.get("general.name", "")),
        parameter_count=parameter_count,
        size_label=str(metadata.get("general.size_label", "")),
        file_type=file_type,
        quantization=quantization,
        context_length=context if isinstance(context, int) else None,
        has_chat_template="tokenizer.chat_template" in metadata,
        metadata=metadata,
    )
