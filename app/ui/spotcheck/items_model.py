"""The spot-check item table: both outputs side by side, filterable, graded from the keyboard."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.domain.evaluation import ItemResult, SideResult

ItemFilter = Literal["all", "disagreements", "failures", "ood"]
FILTER_TITLES: dict[ItemFilter, str] = {
    "all": "All items",
    "disagreements": "Disagreements",
    "failures": "Failures (either model wrong or errored)",
    "ood": "Out-of-distribution (ood)",
}
COLUMNS = ("Id", "Input", "Expected", "Specialist", "✓", "Frontier", "✓", "Tags")
Index = QModelIndex | QPersistentModelIndex
_HEADER_TIPS = {4: "Specialist right (✓), wrong (✗), error (!), not graded (–)", 6: "Frontier, same marks"}


def mark(side: SideResult) -> str:
    """A word-free mark that is not colour alone: ✓ right, ✗ wrong, ! error, – not graded."""
    if side.error is not None:
        return "!"
    if side.correct is None:
        return "–"
    return "✓" if side.correct else "✗"


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
            return {
                4: "Specialist right (✓), wrong (✗), error (!), not graded (–)",
                6: "Frontier, same marks",
            }.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._visible):
            return None
        result = self.result_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(result, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return result.input
            if column in (3, 4):
                return result.specialist.error or result.specialist.detail
            if column in (5, 6):
                return result.frontier.error or result.frontier.detail
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (4, 6):
            return int(Qt.AlignmentFlag.AlignCenter)
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
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 70), (2, 90), (3, 110), (4, 30), (5, 110), (6, 30), (7, 120)):
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
