"""The document's undo model, number formatting and parsing, the number field, the lazy extra views."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.domain.costs import summarize
from app.domain.rules import evaluate
from app.domain.scenario import Scenario
from app.ui.charts import chart_volumes
from app.ui.document import ScenarioDocument
from app.ui.formatting import NumberParseError, format_compact, parse_number
from app.ui.inputs_panel import ALL_FIELD_SPECS
from app.ui.plot_parts import nice_ceiling, sticky_top
from app.ui.views import LazyView
from app.ui.widgets import FieldSpec, NumberField, round_significant


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (10_000_000, "10M"),
        (2_500, "2.5K"),
        (12_345_678, "12,345,678"),
        (1_500_000_000, "1.5B"),
        (999, "999"),
        (0.075, "0.075"),
        (0, "0"),
    ],
)
def test_compact_numbers_are_exact(value: float, text: str) -> None:
    assert format_compact(value) == text
    assert parse_number(text) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10M", 1e7),
        ("2.5k", 2500),
        ("$1,000", 1000),
        ("12 %", 12),
        ("1e6", 1e6),
        ("1_000", 1000),
        (" 3.2B ", 3.2e9),
    ],
)
def test_parse_what_people_type(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1..2", "inf", "nan", "M"])
def test_parse_refuses_what_is_not_a_number(text: str) -> None:
    with pytest.raises(NumberParseError):
        parse_number(text)


def test_axis_tops_and_volume_grid_are_stable() -> None:
    assert [nice_ceiling(v) for v in (0.7, 1.0, 1.3, 2.2, 4.0, 7.0, 123.0)] == [
        1.0,
        1.0,
        2.0,
        2.5,
        5.0,
        10.0,
        200.0,
    ]
    assert round_significant(1_234_567) == 1_200_000
    assert sticky_top(None, 730.0) == 1000.0
    assert sticky_top(1000.0, 900.0) == 1000.0  # still fits: the axis stays
    assert sticky_top(1000.0, 1100.0) == 2000.0  # grows at once
    assert sticky_top(1000.0, 200.0) == 200.0  # shrinks when the data uses under a third


def test_chart_volumes_cover_whole_decades_around_the_scenario(preset: Scenario) -> None:
    volumes = chart_volumes(preset)
    assert volumes[0] == pytest.approx(1_000)  # 3M / 1000 -> the decade below
    assert volumes[-1] == pytest.approx(1e9)  # 3M * 100 -> the decade above
    # Moving within the decade keeps the grid (and so the axis) the same.
    assert chart_volumes(preset.with_changes(volume_per_month=5e6))[[0, -1]] == pytest.approx(
        volumes[[0, -1]]
    )
    # With the range drawn now, a volume well inside it keeps it; one near its edge moves it.
    kept = chart_volumes(preset.with_changes(volume_per_month=2e7), previous=(1e3, 1e9))
    assert kept[[0, -1]] == pytest.approx([1e3, 1e9])
    moved = chart_volumes(preset.with_changes(volume_per_month=5e8), previous=(1e3, 1e9))
    assert moved[0] <= 5e8 / 100 and moved[-1] >= 5e8 * 10


def test_document_undo_merge_and_cache(qtbot, preset: Scenario) -> None:
    document = ScenarioDocument(preset)
    seen: list[Scenario] = []
    document.changed.connect(seen.append)
    assert document.summary == summarize(preset)
    assert document.recommendation == evaluate(preset)
    document.set_field(("volume_per_month",), 1e6, "drag", merge_key="volume_per_month")
    document.set_field(("volume_per_month",), 2e6, "drag", merge_key="volume_per_month")
    assert document.undo_stack.count() == 1  # one drag, one step
    document.set_field(("horizon_months",), 12, "typed")
    assert document.undo_stack.count() == 2
    assert document.summary == summarize(document.scenario)  # recomputed after the change
    assert document.dirty
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.scenario == preset and not document.dirty
    assert len(seen) == 5
    document.set_scenario(preset, "no-op")  # the same scenario is not an edit
    assert document.undo_stack.count() == 2
    with pytest.raises(ValidationError):
        document.set_field(("routing", "escalation_rate"), 2.0, "out of range")
    assert document.scenario == preset


def test_number_field_clamps_and_reports(qtbot) -> None:
    spec = FieldSpec(("monthly_ops",), "Monthly operations", "usd", 0, 1e10, 0, 20_000, "net savings")
    field = NumberField(spec)
    qtbot.addWidget(field)
    edits: list[tuple[object, str]] = []
    notices: list[str] = []
    field.edited.connect(lambda value, key: edits.append((value, key)))
    field.notice.connect(notices.append)
    field.set_value(1500.0)
    assert field.entry.text() == "1.5K" and edits == []  # showing is not editing
    field.entry.setText("-40")
    field.entry.editingFinished.emit()
    assert edits[-1] == (0.0, "") and "minimum" in notices[-1]
    field.slider.setValue(500)
    assert edits[-1] == (10_000.0, "monthly_ops")  # slider moves carry the merge key
    assert field.entry.text() == "10K"


def test_lazy_view_builds_on_first_show_and_shows_failures(qtbot) -> None:
    built: list[int] = []

    def factory() -> QLabel:
        built.append(1)
        return QLabel("real view")

    view = LazyView(factory, "Playground")
    qtbot.addWidget(view)
    assert view.view is None and built == []
    view.show()
    assert isinstance(view.view, QLabel) and view.view.text() == "real view"
    view.hide()
    view.show()
    assert built == [1]

    def broken() -> QLabel:
        raise RuntimeError("llama.cpp missing")

    failing = LazyView(broken, "Playground")
    qtbot.addWidget(failing)
    widget = failing.ensure_built()
    assert isinstance(widget, QLabel) and "llama.cpp missing" in widget.text()


@pytest.mark.parametrize("key", [spec.key for spec in ALL_FIELD_SPECS])
def test_arrow_keys_change_every_slider(qtbot, key: str) -> None:
    spec = next(spec for spec in ALL_FIELD_SPECS if spec.key == key)
    field = NumberField(spec)
    qtbot.addWidget(field)
    field.set_value((spec.slider_min + spec.slider_max) / 2 / spec.scale)
    edits: list[object] = []
    field.edited.connect(lambda value, _key: edits.append(value))
    start = field.value
    qtbot.keyClick(field.slider, Qt.Key.Key_Right)
    assert edits and edits[-1] != start


def test_a_figure_value_is_fixed_in_size_so_a_new_one_asks_no_layout_to_recompute(qtbot) -> None:
    """A verdict card's number changes on every drag step; it must not re-lay out the card.

    Qt re-lays out every layout above a label whose size is not fixed in both directions on each
    new text (that doubled the cost of a slider drag). The value is fixed and placed by hand over
    its row, spanning its figure as the figure resizes, and still ends in "…" with the whole text
    in its tooltip when it does not fit.
    """
    from app.ui.decision_panel import VerdictBanner

    banner = VerdictBanner()
    qtbot.addWidget(banner)
    banner.resize(420, 400)
    banner.show()
    qtbot.waitExposed(banner)
    for width in (420, 360):
        banner.resize(width, 400)
        qtbot.waitUntil(lambda width=width: banner.width() == width)
        for figure in banner.figures.values():
            value = figure.value
            assert value.minimumSize() == value.maximumSize()  # fixed: a new text re-lays out nothing
            assert figure.layout().indexOf(value) == -1  # placed by hand, so it never sizes the figure
            qtbot.waitUntil(lambda figure=figure: figure.value.width() == figure.width())
    figure = banner.net_savings
    figure.set("$412,250")
    assert figure.value.text() == "$412,250" and not figure.value.is_elided()
    figure.set("$" + "9" * 80)
    assert figure.value.is_elided() and figure.value.toolTip() == "$" + "9" * 80
