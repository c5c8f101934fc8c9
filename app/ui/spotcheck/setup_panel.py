"""The spot-check's set-up rows: which test set, which scorer, how many items, which specialist
(local or served, from the settings) and which frontier."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.domain.evaluation import SCORER_KINDS, SCORER_TITLES, PromptTemplate, ScorerKind, ScorerSpec
from app.inference.spotcheck import DEFAULT_CONCURRENCY
from app.storage.settings import FrontierSettings, SpecialistSettings
from app.ui.specialist_settings import describe_specialist
from app.ui.widgets import wrapped_label

RECORDED = "recorded"
LIVE = "live"

# What the scorer's option box takes, per scorer kind (kinds not listed take no option).
SCORER_OPTION_HINTS: dict[str, str] = {
    "one_of": "labels, comma-separated",
    "regex": "pattern (empty: each item's expected is the pattern)",
    "number": "tolerance, e.g. 0.01",
    "json_fields": "fields to compare, comma-separated (empty: all)",
}


class SetupPanel(QWidget):
    """Four rows: the set (with what it holds), the scorer and its option, the run's options, and
    which specialist the run asks."""

    set_chosen = Signal(object)  # Path of a set picked in the list
    open_requested = Signal()  # "Open set…"
    specialist_requested = Signal()  # "Specialist…": the settings dialog

    def __init__(
        self,
        sets: list[Path],
        frontier: FrontierSettings,
        specialist: SpecialistSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # The loaded set's prompt template: the scorer option falls back to its labels and options.
        self.template: PromptTemplate | None = None
        top = QGridLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        self.set_combo = QComboBox()
        for path in sets:
            self.set_combo.addItem(path.stem, str(path))
        self.set_combo.activated.connect(
            lambda _row: self.set_chosen.emit(Path(self.set_combo.currentData()))
        )
        open_button = QPushButton("Open set…")
        open_button.clicked.connect(self.open_requested)
        self.set_info = wrapped_label()
        top.addWidget(QLabel("Test set"), 0, 0)
        top.addWidget(self.set_combo, 0, 1)
        top.addWidget(open_button, 0, 2)
        top.addWidget(self.set_info, 0, 3, 1, 3)

        self.scorer_combo = QComboBox()
        for kind in SCORER_KINDS:
            self.scorer_combo.addItem(SCORER_TITLES[kind], kind)
        self.scorer_combo.currentIndexChanged.connect(self._scorer_kind_changed)
        self.scorer_option = QLineEdit()
        self.scorer_option.setPlaceholderText("labels, comma-separated")
        top.addWidget(QLabel("Scorer"), 1, 0)
        top.addWidget(self.scorer_combo, 1, 1)
        top.addWidget(self.scorer_option, 1, 2, 1, 2)

        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 100_000)
        self.limit_spin.setSpecialValueText("all")
        self.limit_spin.setToolTip("Run only the first N items (0 = all)")
        self.local_check = QCheckBox("Run the specialist")
        self.local_check.setChecked(True)
        self.frontier_combo = QComboBox()
        self.frontier_combo.addItem("Frontier: recorded answers from the set (offline)", RECORDED)
        self.frontier_combo.addItem("", LIVE)
        self.show_frontier(frontier)
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(1, 64)
        self.concurrency_spin.setValue(DEFAULT_CONCURRENCY)
        self.concurrency_spin.setToolTip(
            "Parallel requests to each endpoint (the frontier, a served specialist); a run lowers it "
            "by itself when rate limits or server errors pile up"
        )
        self.fresh_check = QCheckBox("Start over")
        self.fresh_check.setToolTip("Discard earlier results of this set instead of resuming them")
        options = QHBoxLayout()
        options.addWidget(QLabel("Items"))
        options.addWidget(self.limit_spin)
        options.addWidget(self.local_check)
        options.addWidget(self.frontier_combo, 1)
        options.addWidget(QLabel("Parallel"))
        options.addWidget(self.concurrency_spin)
        options.addWidget(self.fresh_check)
        top.addLayout(options, 2, 0, 1, 6)

        self.specialist_info = wrapped_label("", "Specialist asked")
        self.specialist_button = QPushButton("Specialist…")
        self.specialist_button.setToolTip(
            "The local GGUF or a specialist served at an OpenAI-compatible endpoint"
        )
        self.specialist_button.clicked.connect(self.specialist_requested)
        specialist_row = QHBoxLayout()
        specialist_row.addWidget(self.specialist_info, 1)
        specialist_row.addWidget(self.specialist_button)
        top.addLayout(specialist_row, 3, 0, 1, 6)
        self.show_specialist(specialist)

    def show_specialist(self, specialist: SpecialistSettings) -> None:
        """Name the specialist a run would ask (it follows the settings)."""
        self.specialist_info.setText(describe_specialist(specialist))

    def show_frontier(self, frontier: FrontierSettings) -> None:
        """Name the endpoint a live run would ask (it follows the settings)."""
        self.frontier_combo.setItemText(
            self.frontier_combo.findData(LIVE), f"Frontier: {frontier.model} at {frontier.base_url}"
        )

    @property
    def live_frontier(self) -> bool:
        """Whether the run asks the live frontier endpoint (else the set's recorded answers)."""
        return bool(self.frontier_combo.currentData() == LIVE)

    def show_set(self, path: Path, items: int, ood: int, template: PromptTemplate) -> None:
        """A set was loaded: select it in the list, say what it holds, take its template's scorer."""
        self.template = template
        if self.set_combo.findData(str(path)) < 0:
            self.set_combo.addItem(path.stem, str(path))
        self.set_combo.setCurrentIndex(self.set_combo.findData(str(path)))
        self.set_info.setText(f"{items} items, {ood} tagged ood")
        self.set_info.setToolTip("")
        self.scorer_combo.setCurrentIndex(self.scorer_combo.findData(template.scorer.kind))
        self.fill_scorer_option(template.scorer)

    def show_set_problems(self, name: str, problems: list[str]) -> None:
        """One line in the bar (a long list would widen the whole window); all of them on hover."""
        more = len(problems) - 1
        self.set_info.setText(
            f"Cannot load {name}: {problems[0]}"
            + (f" (and {more} more problems; hover for the list)" if more > 0 else "")
        )
        self.set_info.setToolTip("\n".join(problems))

    def fill_scorer_option(self, spec: ScorerSpec) -> None:
        """Show the option of `spec` (labels, pattern, tolerance or fields) in the option box."""
        if spec.kind == "one_of":
            self.scorer_option.setText(", ".join(spec.labels))
        elif spec.kind == "regex":
            self.scorer_option.setText(spec.pattern)
        elif spec.kind == "number":
            self.scorer_option.setText(f"{spec.tolerance:g}")
        elif spec.kind == "json_fields":
            self.scorer_option.setText(", ".join(spec.fields))
        else:
            self.scorer_option.setText("")

    def _scorer_kind_changed(self) -> None:
        kind: ScorerKind = self.scorer_combo.currentData()
        self.scorer_option.setEnabled(kind in SCORER_OPTION_HINTS)
        self.scorer_option.setPlaceholderText(SCORER_OPTION_HINTS.get(kind, ""))
        if self.template is not None and kind == self.template.scorer.kind:
            self.fill_scorer_option(self.template.scorer)
        elif kind == "one_of" and self.template is not None and self.template.labels:
            self.scorer_option.setText(", ".join(self.template.labels))
        else:
            self.scorer_option.setText("")

    def scorer_spec(self) -> ScorerSpec:
        """The scorer chosen in the controls; raises ValueError with a readable reason."""
        kind: ScorerKind = self.scorer_combo.currentData()
        option = self.scorer_option.text().strip()
        parts = tuple(part.strip() for part in option.split(",") if part.strip())
        if kind == "one_of":
            return ScorerSpec(kind=kind, labels=parts)
        if kind == "regex":
            return ScorerSpec(kind=kind, pattern=option)
        if kind == "number":
            try:
                tolerance = float(option) if option else 0.0
            except ValueError as exc:
                raise ValueError(f"tolerance must be a number, got {option!r}") from exc
            return ScorerSpec(kind=kind, tolerance=tolerance)
        if kind == "json_fields":
            return ScorerSpec(kind=kind, fields=parts)
        return ScorerSpec(kind=kind)
