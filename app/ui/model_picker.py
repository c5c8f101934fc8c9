"""Model picker: choose a model from the price catalog to fill its prices, with their source and date."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from app.domain.scenario import ModelCost, Scenario
from app.storage.catalog import PriceEntry, load_catalog
from app.ui.document import ScenarioDocument

_CUSTOM = "Custom prices (typed in)"
_catalog_cache: list[PriceEntry] | None = None


def catalog_entries() -> list[PriceEntry]:
    """The price catalog, read once per process; empty (with the app still usable) if unreadable."""
    global _catalog_cache
    if _catalog_cache is None:
        try:
            _catalog_cache = load_catalog()
        except Exception:  # a broken catalog file must not stop the calculator; prices can be typed
            _catalog_cache = []
    return _catalog_cache


def entry_matches(entry: PriceEntry, cost: ModelCost) -> bool:
    """True when the model's prices are this catalog entry's (so the picker shows it)."""
    return (
        cost.name == entry.display_name
        and cost.input_price_per_mtok == entry.input_price_per_mtok
        and cost.output_price_per_mtok == entry.output_price_per_mtok
    )


def source_text(cost: ModelCost) -> str:
    """'Prices: <source> · as of <date>' or a note that they were typed in."""
    if not cost.price_source:
        return "Prices typed in (no source recorded)"
    as_of = f" · as of {cost.price_as_of}" if cost.price_as_of else ""
    return f"Prices: {cost.price_source}{as_of}"


class ModelPicker(QWidget):
    """A catalog combo box for one side (`large` or `small`) and the source of the prices in use."""

    notice = Signal(str)

    def __init__(
        self, document: ScenarioDocument, side: str, kinds: tuple[str, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._side = side
        self._entries = [entry for entry in catalog_entries() if entry.kind in kinds]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.combo = QComboBox()
        # Long catalog names must not widen the inputs panel.
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(24)
        self.combo.addItem(_CUSTOM)
        for entry in self._entries:
            self.combo.addItem(
                f"{entry.display_name} — {entry.provider} "
                f"(${entry.input_price_per_mtok:g} / ${entry.output_price_per_mtok:g} per Mtok)"
            )
        who = "large model" if side == "large" else "specialist"
        self.combo.setAccessibleName(f"{who.capitalize()} from the price catalog")
        self.combo.setToolTip(
            f"Pick the {who} from the price catalog to fill its input and output prices; "
            "feeds the cost per request and every chart"
        )
        self.combo.activated.connect(self._on_chosen)
        self.source_label = QLabel()
        self.source_label.setObjectName("sourceNote")
        self.source_label.setWordWrap(True)
        self.source_label.setAccessibleName(f"{who.capitalize()} price source")
        layout.addWidget(self.combo)
        layout.addWidget(self.source_label)
        document.changed.connect(self.refresh)
        self.refresh(document.scenario)

    @property
    def entries(self) -> list[PriceEntry]:
        """The catalog entries offered, in combo order after the 'custom' item."""
        return list(self._entries)

    def _on_chosen(self, index: int) -> None:
        if index <= 0:
            return
        entry = self._entries[index - 1]
        cost: ModelCost = getattr(self._document.scenario, self._side)
        new_cost = entry.apply_to(cost)
        new = self._document.scenario.with_changes(
            **{self._side: ModelCost.model_validate(new_cost.model_dump())}
        )
        self._document.set_scenario(new, f"Pick {entry.display_name}")
        self.notice.emit(f"Prices from the catalog: {entry.display_name} ({source_text(new_cost)})")

    def refresh(self, scenario: Scenario) -> None:
        """Select the matching catalog entry (or 'custom') and show the price source."""
        cost: ModelCost = getattr(scenario, self._side)
        index = 0
        for position, entry in enumerate(self._entries, start=1):
            if entry_matches(entry, cost):
                index = position
                break
        if index == 0 and cost.name:
            self.combo.setItemText(0, f"{cost.name} — custom prices")
        elif index == 0:
            self.combo.setItemText(0, _CUSTOM)
        if self.combo.currentIndex() != index:
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(index)
            self.combo.blockSignals(False)
        self.source_label.setText(source_text(cost))
