"""What a spot-check shows around its run: the set before it runs, where the results file is, the
last results of a set found again, and a warning when a served side's errors pile up."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from app.domain.evaluation import ItemResult, TestSet
from app.domain.formatting import format_count
from app.inference.spotcheck import Side
from app.storage.paths import data_dir
from app.ui.widgets import wrapped_label

# Frontier errors "pile up" from this many, and this share of the items answered so far.
ERRORS_PILE_UP_COUNT = 3
ERRORS_PILE_UP_SHARE = 0.1
# At most this many labels and tags are named in the set's description.
NAMED_AT_MOST = 6


def _counted(counts: Counter[str]) -> str:
    named = [f"{name} {count}" for name, count in counts.most_common(NAMED_AT_MOST)]
    more = len(counts) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def describe_set(test_set: TestSet) -> str:
    """What a set holds, before it runs: "87 items · labels: bug 30, billing 20 · tags: ood 19"."""
    parts = [format_count(len(test_set.items), "item")]
    labels = Counter(item.expected for item in test_set.items if item.expected)
    if labels:
        parts.append(f"labels: {_counted(labels)}")
    unlabelled = sum(1 for item in test_set.items if not item.expected)
    if unlabelled:
        parts.append(f"{format_count(unlabelled, 'item')} without an expected answer")
    tags = Counter(tag for item in test_set.items for tag in item.tags)
    if tags:
        parts.append(f"tags: {_counted(tags)}")
    return " · ".join(parts)


def latest_results_file(test_set: TestSet) -> Path | None:
    """The newest results file the window wrote for this set, or None."""
    folder = data_dir() / "spotcheck"
    if not folder.is_dir():
        return None
    found = [path for path in folder.glob(f"{test_set.name}-*.jsonl") if path.is_file()]
    return max(found, key=lambda path: path.stat().st_mtime) if found else None


def served_error_warning(
    results: list[ItemResult], parallel: int, sides: tuple[Side, ...] = ("frontier",)
) -> str:
    """A plain warning when errors of a served side pile up (rate limits, timeouts), else "".

    The run has already backed off by itself (halving that side's parallelism); errors left after
    that mean the endpoint refuses even the lowered pace, or fails for another reason.
    """
    warnings = []
    for side in sides:
        live = [getattr(result, side) for result in results if getattr(result, side).source == "live"]
        errors = [answer for answer in live if answer.error is not None]
        if len(errors) < ERRORS_PILE_UP_COUNT or len(errors) < ERRORS_PILE_UP_SHARE * len(live):
            continue
        advice = (
            f"lower Parallel (now {parallel}) and run again: the failed items are asked again"
            if parallel > 1
            else "the endpoint refuses even one request at a time: check its limits and the key"
        )
        warnings.append(
            f"{len(errors)} of {len(live)} {side} requests failed (rate limits or timeouts?) even after "
            f"backing off: {advice}."
        )
    return " ".join(warnings) + (" Failed answers count as wrong." if warnings else "")


class ResultsBar(QWidget):
    """Where the results file is, with a button that opens its folder; says when results shown are
    the last ones found again rather than a run of this session."""

    folder_opened = Signal(object)  # Path of the folder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = wrapped_label(
            "Results are kept as a file per set, scorer and models; none yet.", "Results file"
        )
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show the folder of the results file in the file manager")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_folder)
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        self.path: Path | None = None

    def show_path(self, path: Path | None, reopened: bool = False) -> None:
        """Name the results file (and when it was written, for results found again)."""
        self.path = path
        self.open_button.setEnabled(path is not None)
        if path is None:
            self.label.setText("No results for this set yet.")
            return
        if reopened and path.exists():
            when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
            self.label.setText(f"Last results of this set, from {when}: {path}")
        else:
            self.label.setText(f"Results file: {path}")
        self.label.setToolTip(str(path))

    def open_folder(self) -> bool:
        """Open the results file's folder in the desktop's file manager."""
        if self.path is None:
            return False
        folder = self.path.parent
        self.folder_opened.emit(folder)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
