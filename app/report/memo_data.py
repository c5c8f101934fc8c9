"""The memo as data: the blocks page one and the sections are made of, before anything is drawn.

`MemoContent` holds the verdict, the headline numbers already formatted, tables, chart series and
caveats; the renderer (`app.report.render`) only lays it out, `app.report.memo_json` writes it as
JSON and reads it back, and tests inspect it without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Tone = Literal["good", "bad", "warn", "neutral"]
SeriesRole = Literal["large", "specialist", "specialist_only", "volume"]
AxisFormat = Literal["money", "months", "count", "percent"]


@dataclass(frozen=True)
class HeadlineNumber:
    """One tile on page one: a label, the formatted figure and a short line under it."""

    label: str
    value: str
    detail: str = ""
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Paragraph:
    """Flowing text; `note` is the smaller grey style."""

    text: str
    style: Literal["body", "note"] = "body"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list; each item may start with a bold lead-in (`lead`)."""

    items: tuple[tuple[str, str], ...]  # (lead, text); lead may be ""


@dataclass(frozen=True)
class Table:
    """A table with a header row. `weights` share the width; `numeric` columns are right-aligned."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...] = ()
    numeric: frozenset[int] = frozenset()
    row_tones: tuple[Tone, ...] = ()  # colours the first cell's marker (rule status)
    caption: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"table row has {len(row)} cells for {len(self.columns)} columns: {row!r}")


@dataclass(frozen=True)
class Series:
    """One line on a chart. Non-finite y values break the line (e.g. "never" break-even)."""

    name: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    role: SeriesRole
    dashed: bool = False


@dataclass(frozen=True)
class ChartMarker:
    """A labelled point (the break-even) or, with `vertical`, a labelled vertical line."""

    x: float
    y: float | None
    label: str
    vertical: bool = False


@dataclass(frozen=True)
class Chart:
    """A line chart drawn as vectors."""

    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    x_format: AxisFormat
    y_format: AxisFormat
    markers: tuple[ChartMarker, ...] = ()
    log_x: bool = False
    y_max: float | None = None  # clip above this (values beyond are drawn at the edge)
    horizontal_line: tuple[float, str] | None = None  # e.g. the horizon, with its label
    caption: str = ""


Block = Paragraph | Bullets | Table | Chart


@dataclass(frozen=True)
class TornadoRow:
    """One driver: savings at the horizon with it at the low and at the high end of its range."""

    label: str
    at_low: float
    at_high: float


@dataclass(frozen=True)
class TornadoChart:
    """Horizontal bars around the savings at the most likely values (`base`), largest swing first."""

    title: str
    base: float
    rows: tuple[TornadoRow, ...]
    caption: str = ""


@dataclass(frozen=True)
class Section:
    """A titled part of the memo after page one."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class VerdictBlock:
    """The answer, first thing on page one."""

    verdict: str  # the rules' verdict code, e.g. "specialize"
    label: str  # "Specialize"
    headline: str  # one sentence with the numbers
    deciding_rule: str  # "Rule 1 · High volume, narrow stable task, quality proven" or "No single rule"
    reason: str  # the deciding rule's reason, with its numbers
    tone: Tone
    board_line: str = ""  # the answer in annual and horizon terms (app.report.board)


@dataclass(frozen=True)
class Notice:
    """A boxed note on page one (what the evidence says, prices that are old): (lead, text) lines."""

    title: str
    lines: tuple[tuple[str, str], ...]
    tone: Tone = "neutral"


@dataclass(frozen=True)
class MemoContent:
    """The whole memo as data, ready to render."""

    title: str  # PDF title metadata and the page header
    scenario_name: str
    description: str
    author: str
    memo_date: date
    verdict: VerdictBlock
    headline_numbers: tuple[HeadlineNumber, ...]
    decision_chart: Chart
    sections: tuple[Section, ...]
    notices: tuple[Notice, ...] = ()  # page one, between the verdict and the figures
    tornado: TornadoChart | None = None  # page one, when an uncertainty result was given
    source_note: str = ""  # where the scenario's numbers come from
    generator: str = "Specialist Studio"
    extra: dict[str, str] = field(default_factory=dict)  # raw figures for tests and debugging
