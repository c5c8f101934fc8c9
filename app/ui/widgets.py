"""Reusable widgets: a slider paired with an exact-entry box, a collapsible section, wrapped text.

A `NumberField` shows one number of the scenario. The slider covers the practical range (log
scale for volumes and prices, snapped to two significant digits so drags land on round numbers);
the entry box takes any value the scenario model accepts, typed as `10M`, `2.5k`, `$5` or `12 %`.
Out-of-bounds entries are clamped to the model's bounds with a notice, never an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.fields import UNIT_SUFFIX, FieldPlace, ScenarioField, Unit
from app.ui.formatting import NumberParseError, format_compact, format_plain, parse_number

# Units and their suffixes are the field catalogue's (domain knowledge, shared with the memo and CLI).
__all__ = ["UNIT_SUFFIX", "FieldSpec", "NumberField", "Unit"]

SLIDER_STEPS = 1000


def wrapped_label(text: str = "", accessible_name: str = "") -> QLabel:
    """A label whose long text wraps instead of widening its window (and a name for screen readers)."""
    label = QLabel(text)
    label.setWordWrap(True)
    if accessible_name:
        label.setAccessibleName(accessible_name)
    return label


@dataclass(frozen=True)
class FieldSpec(FieldPlace):
    """How one scenario number is edited: where it lives, its bounds, its unit and what it feeds."""

    path: tuple[str, ...]
    label: str
    unit: Unit
    minimum: float  # the scenario model's bounds (typed entries are clamped to these)
    maximum: float
    slider_min: float  # the slider's practical range
    slider_max: float
    feeds: str  # tooltip: what this input feeds
    log: bool = False
    integer: bool = False
    scale: float = 1.0  # shown = stored * scale (shares shown as percent)
    optional: bool = False  # None means "unknown"
    exclusive_minimum: bool = False  # the model wants > minimum

    @classmethod
    def of(cls, entry: ScenarioField) -> FieldSpec:
        """The widget spec of a field catalogue entry (bounds from the scenario model)."""
        bounds = entry.bounds
        return cls(
            entry.path,
            entry.label,
            entry.unit,
            bounds.minimum,
            bounds.maximum,
            entry.typical_low,
            entry.typical_high,
            entry.help,
            log=entry.log,
            integer=bounds.integer,
            scale=entry.scale,
            optional=bounds.optional,
            exclusive_minimum=bounds.exclusive_minimum,
        )


def column_layout(widget: QWidget, margins: tuple[int, int, int, int], spacing: int) -> QVBoxLayout:
    """A top-to-bottom layout for `widget` with its margins (left, top, right, bottom) and spacing."""
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    return layout


def _linear_snap(span: float) -> float:
    """The step a linear slider snaps to: about a hundredth of its range, a power of ten."""
    return float(10 ** math.floor(math.log10(span / 100))) if span > 0 else 1.0


def round_significant(value: float, digits: int = 2) -> float:
    """Round to `digits` significant digits (slider snapping): 1234567 -> 1200000."""
    if value == 0 or not math.isfinite(value):
        return value
    exponent = math.floor(math.log10(abs(value)))
    return round(value, digits - 1 - exponent)


class NumberField(QWidget):
    """Slider + exact-entry box (+ a 'known' check box for optional numbers) for one FieldSpec."""

    # (stored value or None for unknown, merge key: the field key for slider drags, "" for typed edits)
    edited = Signal(object, str)
    notice = Signal(str)  # a one-line message for the user (clamped value, unreadable entry)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._value: float | None = None
        self._shown = ""  # the entry text last shown for `_value`
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        tooltip = f"{spec.label} ({spec.suffix}). Feeds: {spec.feeds}"

        self.known: QCheckBox | None = None
        if spec.optional:
            self.known = QCheckBox()
            self.known.setToolTip(f"Tick when {spec.label.lower()} is known; unticked means unknown")
            self.known.setAccessibleName(f"{spec.label} known")
            self.known.toggled.connect(self._on_known_toggled)
            layout.addWidget(self.known)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        # Arrow keys must change the value: a log slider snaps to two significant digits and an
        # integer one to whole units, so one key step spans at least that much.
        span = spec.slider_max - spec.slider_min
        single = 10
        if not spec.log and span > 0:
            unit = max(_linear_snap(span), 1.0 if spec.integer else 0.0)
            single = max(1, math.ceil(unit / span * SLIDER_STEPS - 1e-9))
        self.slider.setSingleStep(single)
        self.slider.setPageStep(max(single * 5, SLIDER_STEPS // 10))
        self.slider.setMinimumWidth(70)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.setToolTip(tooltip)
        self.slider.setAccessibleName(f"{spec.label} slider")
        self.slider.setAccessibleDescription(spec.feeds)
        self.slider.valueChanged.connect(self._on_slider_moved)
        layout.addWidget(self.slider, 1)

        self.entry = QLineEdit()
        self.entry.setObjectName("numberEntry")
        self.entry.setFixedWidth(86)
        self.entry.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.entry.setToolTip(f"{tooltip}\nType an exact value: 10M, 2.5k, $5, 12 %")
        self.entry.setAccessibleName(spec.label)
        self.entry.setAccessibleDescription(f"{spec.suffix}; feeds {spec.feeds}")
        self.entry.editingFinished.connect(self._on_entry_finished)
        layout.addWidget(self.entry)

        self.unit_label = QLabel(spec.suffix)
        self.unit_label.setFixedWidth(50)
        self.unit_label.setToolTip(tooltip)
        layout.addWidget(self.unit_label)
        self.setToolTip(tooltip)

    # -- value <-> widgets -----------------------------------------------------------------
    @property
    def value(self) -> float | None:
        """The stored value this field shows (None = unknown)."""
        return self._value

    def set_value(self, value: float | None) -> None:
        """Show a value from the document without emitting `edited`."""
        if value == self._value and self.entry.text() == self._shown:
            return  # nothing to redraw (most fields, on most changes)
        text = "unknown" if value is None else self.display_text(value)
        self._value = value
        self._shown = text
        for widget in (self.slider, self.entry, self.known):
            if widget is not None:
                widget.blockSignals(True)
        try:
            if self.known is not None:
                self.known.setChecked(value is not None)
            enabled = value is not None
            self.slider.setEnabled(enabled)
            self.entry.setEnabled(enabled)
            if value is None:
                self.entry.setText(text)
                self.slider.setValue(0)
            else:
                self.entry.setText(text)
                self.slider.setValue(self._slider_position(value * self.spec.scale))
        finally:
            for widget in (self.slider, self.entry, self.known):
                if widget is not None:
                    widget.blockSignals(False)

    def display_text(self, stored: float) -> str:
        """The exact text for a stored value, in display units."""
        shown = stored * self.spec.scale
        if self.spec.unit in {"count", "usd", "examples"}:
            return format_compact(shown)
        if self.spec.unit == "percent":
            return format_plain(shown, 4)
        return format_plain(shown, 6)

    def _slider_position(self, shown: float) -> int:
        low, high = self.spec.slider_min, self.spec.slider_max
        if self.spec.log:
            shown = max(shown, low)
            fraction = (math.log(shown) - math.log(low)) / (math.log(high) - math.log(low))
        else:
            fraction = (shown - low) / (high - low)
        return round(min(max(fraction, 0.0), 1.0) * SLIDER_STEPS)

    def _slider_value(self, position: int) -> float:
        low, high = self.spec.slider_min, self.spec.slider_max
        fraction = position / SLIDER_STEPS
        if self.spec.log:
            shown = round_significant(
                math.exp(math.log(low) + fraction * (math.log(high) - math.log(low))), 2
            )
        else:
            shown = low + fraction * (high - low)
            step = _linear_snap(high - low)
            shown = round(round(shown / step) * step, 10)
        return shown

    # -- user edits --------------------------------------------------------------------------
    def _to_stored(self, shown: float) -> float:
        stored = shown / self.spec.scale
        if self.spec.integer:
            stored = float(round(stored))
        return stored

    def _emit(self, stored: float | None, merge_key: str) -> None:
        self._value = stored
        value: float | int | None = stored
        if stored is not None and self.spec.integer:
            value = int(stored)
        self.edited.emit(value, merge_key)

    def _on_slider_moved(self, position: int) -> None:
        stored = self._clamp(self._to_stored(self._slider_value(position)), announce=False)
        self._shown = self.display_text(stored)
        self.entry.blockSignals(True)
        self.entry.setText(self._shown)
        self.entry.blockSignals(False)
        # Consecutive slider moves share a merge key so a drag is one undo step.
        self._emit(stored, self.spec.key)

    def _on_entry_finished(self) -> None:
        text = self.entry.text()
        if self._value is not None and text == self.display_text(self._value):
            return
        try:
            shown = parse_number(text)
        except NumberParseError as exc:
            self.notice.emit(f"{self.spec.label}: {exc}; kept {self._current_text()}")
            self.set_value(self._value)
            return
        stored = self._clamp(self._to_stored(shown), announce=True)
        self.set_value(stored)
        self._emit(stored, "")

    def _current_text(self) -> str:
        return "unknown" if self._value is None else f"{self.display_text(self._value)} {self.spec.suffix}"

    def _clamp(self, stored: float, announce: bool) -> float:
        low, high = self.spec.minimum, self.spec.maximum
        if self.spec.exclusive_minimum and stored <= low:
            low = low + (1.0 if self.spec.integer else 1e-6)
        clamped = min(max(stored, low), high)
        if announce and clamped != stored:
            bound = "maximum" if clamped == high else "minimum"
            self.notice.emit(
                f"{self.spec.label}: {self.display_text(stored)} is outside what the model accepts; "
                f"set to the {bound}, {self.display_text(clamped)} {self.spec.suffix}"
            )
        return clamped

    def _on_known_toggled(self, checked: bool) -> None:
        if not checked:
            self.set_value(None)
            self._emit(None, "")
            return
        # Becoming known starts from the slider's middle, a visible and editable value.
        stored = self._clamp(self._to_stored(self._slider_value(SLIDER_STEPS // 2)), announce=False)
        self.set_value(stored)
        self._emit(stored, "")


class CollapsibleSection(QWidget):
    """A titled section whose body folds away (the extras start folded)."""

    def __init__(
        self, title: str, body: QWidget, expanded: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = column_layout(self, (0, 0, 0, 0), 2)
        self.header = QToolButton()
        self.header.setObjectName("sectionHeader")
        self.header.setText(title)
        self.header.setCheckable(True)
        self.header.setChecked(expanded)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.setAccessibleName(f"{title} section")
        self.header.toggled.connect(self.set_expanded)
        self.body = body
        self.body.setVisible(expanded)
        layout.addWidget(self.header)
        layout.addWidget(self.body)

    def set_expanded(self, expanded: bool) -> None:
        """Show or fold the body."""
        self.header.blockSignals(True)
        self.header.setChecked(expanded)
        self.header.blockSignals(False)
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    @property
    def expanded(self) -> bool:
        """True when the body is shown."""
        return self.header.isChecked()


class WrappedText(QTextEdit):
    """Read-only word-wrapped text whose changes do not re-lay out the window.

    A word-wrapped QLabel asks its parent layouts to recompute on every new text, and nested
    layouts measure its height several times over; while a slider drags, that was most of the
    decision panel's cost. This widget lays its text out once and changes its own height only
    when the number of lines changes.
    """

    def __init__(self, object_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if object_name:
            self.setObjectName(object_name)
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.document().setDocumentMargin(0)
        # Read-only: no undo history to keep for each new text.
        self.document().setUndoRedoEnabled(False)
        self._text = ""
        self.setFixedHeight(self.fontMetrics().lineSpacing())

    def text(self) -> str:
        """The text shown."""
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (mirrors QLabel)
        """Show `text`; the height follows the number of lines."""
        if text == self._text:
            return
        self._text = text
        # The document directly: QTextEdit.setPlainText also resets its cursor and edit state,
        # a third of the cost, on each of the decision panel's texts at every drag step.
        self.document().setPlainText(text)
        self._fit_height()

    def _fit_height(self) -> None:
        width = self.viewport().width()
        if self.document().textWidth() != width:  # re-wrapping is the costly part: only on resize
            self.document().setTextWidth(width)
        height = max(self.fontMetrics().lineSpacing(), round(self.document().size().height()))
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Re-wrap for the new width."""
        super().resizeEvent(event)
        self._fit_height()


class ElidedLabel(QLabel):
    """One line of text that never shows a cut: when it does not fit it ends in "…" and the whole
    text is in the tooltip (and the accessible name), so nothing is lost at any window width.

    Its minimum width is small, so layouts may narrow it; its size hint is the full text's width.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(20)
        self.setText(text)

    def text(self) -> str:
        """The whole text, as set (what is painted may end in "…")."""
        return self._full

    def shown_text(self) -> str:
        """The text as painted, elided to the width."""
        return super().text()

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel override)
        """Show `text`, elided to the current width."""
        if text == self._full:
            return
        self._full = text
        self._elide()

    def is_elided(self) -> bool:
        """True when the shown text is shorter than the full text."""
        return self.shown_text() != self._full

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """The full text's size: layouts that have the room give it."""
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = metrics.horizontalAdvance(self._full) + margins.left() + margins.right() + 2
        return QSize(width, max(metrics.height(), super().sizeHint().height()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Narrow: the text elides rather than forcing its width on the layout."""
        return QSize(self.minimumWidth(), self.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Elide again for the new width."""
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        margins = self.contentsMargins()
        width = max(0, self.width() - margins.left() - margins.right() - 2)
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        if shown != self.shown_text():
            super().setText(shown)
        tip = self._full if shown != self._full else ""
        if tip != self.toolTip():  # each new tooltip is an event: not on every drag step
            self.setToolTip(tip)
