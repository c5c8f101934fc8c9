"""Text safe to forward: every user-typed string that reaches the memo passes `sanitize_text`.

It keeps file names but drops their folders and blanks anything shaped like an API key: the memo
gets forwarded, and a scenario name, a model name or a test item may hold either.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath

from app.domain.scenario import ModelCost

# Shapes of secrets: vendor prefixes (sk-, sk-proj-, rk-, pk-, gsk_, xai-, hf_, AIza...) and
# long opaque tokens. Generous on purpose: a redacted word costs nothing, a leaked key does.
_KEY_PATTERNS = (
    re.compile(r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"\b(?:gsk|hf|xai|ghp|gho|github_pat)[_-][A-Za-z0-9_\-]{8,}"),
    re.compile(r"\bAIza[A-Za-z0-9_\-]{20,}"),
    re.compile(r"\bBearer\s+\S+", re.IGNORECASE),
    re.compile(r"(?i)\b(api[_-]?key|token|secret|password)\s*[=:]\s*\S+"),
    re.compile(r"\b(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}\b"),
)
_REDACTED = "[redacted]"
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]|^\\\\")


def _strip_folders(word: str) -> str:
    """A path becomes its file name; URLs and plain words pass through."""
    if "://" in word:
        return word
    core = word.strip("\"'(),;[]<>")
    if not core:
        return word
    is_posix_path = core.startswith(("/", "~/", "./", "../")) and len(core) > 1
    is_windows_path = bool(_WINDOWS_PATH.match(core))
    if not (is_posix_path or is_windows_path):
        return word
    name = PureWindowsPath(core).name if is_windows_path else PurePosixPath(core).name
    return word.replace(core, name or "(folder)")


def sanitize_text(text: str) -> str:
    """Text safe to forward: folders dropped from paths, anything key-shaped redacted."""
    for pattern in _KEY_PATTERNS:
        text = pattern.sub(_REDACTED, text)
    return " ".join(_strip_folders(word) for word in text.split(" "))


def model_label(model: ModelCost, fallback: str) -> str:
    """The model's name as the memo prints it, or `fallback` when it has none."""
    return sanitize_text(model.name) if model.name.strip() else fallback
