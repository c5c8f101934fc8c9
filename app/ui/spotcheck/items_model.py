"""The spot-check item table: both outputs side by side, filterable, graded from the keyboard."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.domain.evaluation import ItemResult, SideResult
from app.domain.formatting import format_share

ItemFilter = Literal["all", "disagreements", "failures", "ood"]
FILTER_TITLES: dict[ItemFilter, str] = {
    "all": "All items",
    "disagreements": "Disagreements",
    "failures": "Failures (either model wrong or errored)",
    "ood": "Out-of-distribution (ood)",
}
COLUMNS = ("Id", "Input", "Expected", "Specialist", "✓", "Confidence", "Frontier", "✓", "Tags")
(
    ID_COLUMN,
    INPUT_COLUMN,
    EXPECTED_COLUMN,
    SPECIALIST_COLUMN,
    SPECIALIST_MARK,
    CONFIDENCE_COLUMN,
    FRONTIER_COLUMN,
    FRONTIER_MARK,
    TAGS_COLUMN,
) = range(len(COLUMNS))
Index = QModelIndex | QPersistentModelIndex
_HEADER_TIPS = {
    SPECIALIST_MARK: "Specialist right (✓), wrong (✗), error (!), not graded (–)",
    CONFIDENCE_COLUMN: "The specialist's confidence in its answer: for labels, the probability of the "
    "chosen label among the labels; otherwise the geometric mean of its tokens' probabilities. "
    "Blank when the model sent no log-probabilities. The routing curve escalates the least confident.",
    FRONTIER_MARK: "Frontier, same marks",
}


def mark(side: SideResult) -> str:
    """A word-free mark that is not colour alone: ✓ right, ✗ wrong, ! error, – not graded."""
    if side.error is not None:
        return "!"
    if side.correct is None:
        return "–"
    return "✓" if side.correct else "✗"


def confidence_text(side: SideResult) -> str:
    """The answer's confidence as a share ("87.5%"), blank when it carries none."""
    return "" if side.confidence is None else format_share(side.confidence)


def _keep(result: ItemResult, mode: ItemFilter) -> bool:
    if mode == "disagreements":
        return result.disagreement
    if mode == "failures":
        return result.failure
    if mode == "ood":
        return result.is_ood
    return True


class ItemsModel(QAbstractTableModel):
    """Results in set order; `set_filter` narrows what is shown without losing anything."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._results: list[ItemResult] = []
        self._visible: list[int] = []
        self._filter: ItemFilter = "all"

    # -- content -------------------------------------------------------------------------------
    @property
    def results(self) -> list[ItemResult]:
        """All results, filtered or not."""
        return list(self._results)

    @property
    def item_filter(self) -> ItemFilter:
        return self._filter

    def set_results(self, results: list[ItemResult]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._results = list(results)
        self._visible = self._filtered()
        self.endResetModel()

    def add_result(self, result: ItemResult) -> None:
        """Append (or replace, by id) one finished item while a run is going."""
        for position, existing in enumerate(self._results):
            if existing.item_id == result.item_id:
                self.replace(position, result)
                return
        self._results.append(result)
        if _keep(result, self._filter):
            row = len(self._visible)
            self.beginInsertRows(QModelIndex(), row, row)
            self._visible.append(len(self._results) - 1)
            self.endInsertRows()

    def replace(self, position: int, result: ItemResult) -> None:
        """Swap the result at `position` in the full list (after a grade)."""
        self._results[position] = result
        if position in self._visible:
            row = self._visible.index(position)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def set_filter(self, mode: ItemFilter) -> None:
        """Show only disagreements, failures, ood items, or everything."""
        self.beginResetModel()
        self._filter = mode
        self._visible = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[int]:
        return [n for n, result in enumerate(self._results) if _keep(result, self._filter)]

    def position_of_row(self, row: int) -> int:
        """Index into `results` of a visible row."""
        return self._visible[row]

    def result_at(self, row: int) -> ItemResult:
        return self._results[self._visible[row]]

    # -- Qt model API -------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 (Qt API)
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 (Qt API)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802 (Qt API)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._visible):
            return None
        result = self.result_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(result, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(result, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (SPECIALIST_MARK, FRONTIER_MARK):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == CONFIDENCE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _tooltip(result: ItemResult, column: int) -> str | None:
        if column == INPUT_COLUMN:
            return result.input
        if column in (SPECIALIST_COLUMN, SPECIALIST_MARK):
            return result.specialist.error or result.specialist.detail
        if column == CONFIDENCE_COLUMN and result.frontier.confidence is not None:
            return f"The frontier's confidence: {confidence_text(result.frontier)}"
        if column in (FRONTIER_COLUMN, FRONTIER_MARK):
            return result.frontier.error or result.frontier.detail
        return None

    @staticmethod
    def _display(result: ItemResult, column: int) -> str:
        one_line = result.input.replace("\n", " ")
        values = (
            result.item_id,
            one_line if len(one_line) <= 120 else one_line[:119] + "…",
            result.expected or "",
            result.specialist.output or (result.specialist.error or ""),
            mark(result.specialist),
            confidence_text(result.specialist),
            result.frontier.output or (result.frontier.error or ""),
            mark(result.frontier),
            ", ".join(result.tags),
        )
        return values[column]


Side = Literal["specialist", "frontier"]


class ItemsTable(QTableView):
    """The table; Up/Down move, Y or + grades up, N or - grades down, 0 or Backspace clears,
    S and F pick which model's answer the keys grade."""

    grade_requested = Signal(int, object, str)  # visible row, True/False/None, side
    grading_side_changed = Signal(str)

    def __init__(self, model: ItemsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.grading_side: Side = "specialist"
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(INPUT_COLUMN, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (ID_COLUMN, 70),
            (EXPECTED_COLUMN, 90),
            (SPECIALIST_COLUMN, 110),
            (SPECIALIST_MARK, 30),
            (CONFIDENCE_COLUMN, 80),
            (FRONTIER_COLUMN, 110),
            (FRONTIER_MARK, 30),
            (TAGS_COLUMN, 120),
        ):
            self.setColumnWidth(column, width)
        self.verticalHeader().setVisible(False)
        self.setToolTip(
            "Up/Down: move · Y or +: right · N or -: wrong · 0: clear · S/F: grade specialist/frontier"
        )

    def set_grading_side(self, side: Side) -> None:
        """Which model's answer the grading keys apply to."""
        if side != self.grading_side:
            self.grading_side = side
            self.grading_side_changed.emit(side)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Grading keys; everything else (arrows, paging) is the table's own."""
        key = event.key()
        text = event.text().lower()
        grade: bool | None
        if key in (Qt.Key.Key_Y, Qt.Key.Key_Plus) or text == "+":
            grade = True
        elif key in (Qt.Key.Key_N, Qt.Key.Key_Minus) or text == "-":
            grade = False
        elif key in (Qt.Key.Key_0, Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            grade = None
        elif key == Qt.Key.Key_S:
            self.set_grading_side("specialist")
            return
        elif key == Qt.Key.Key_F:
            self.set_grading_side("frontier")
            return
        else:
            super().keyPressEvent(event)
            return
        row = self.currentIndex().row()
        if row < 0:
            return
        self.grade_requested.emit(row, grade, self.grading_side)
        # Move on, so grading a set is one key per item.
        if row + 1 < self.model().rowCount():
            self.setCurrentIndex(self.model().index(row + 1, self.currentIndex().column()))
