"""The field catalogue: what each number of a scenario means, in one place.

Every editable number of a `Scenario` has one entry: its label, unit, group, help text (what it
feeds), the practical range a slider offers, and its bounds. The bounds are read from the
scenario model itself (its `ge`/`gt`/`le` constraints, whether it is a whole number, whether it
may be unknown), so the catalogue and the validation can never disagree. The inputs panel, the
comparison, the memo and `calc` describe inputs from here instead of each writing its own labels,
and print a field's value the one way its unit reads (`ScenarioField.describe`, `format_value`).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from app.domain.formatting import (
    format_count,
    format_money,
    format_price_per_mtok,
    format_share,
    format_tokens,
    format_volume,
    plural,
)
from app.domain.scenario import Scenario

Unit = Literal["count", "usd", "price", "tokens", "months", "percent", "per_hour", "rps", "gpus", "examples"]

# The unit as shown after a number.
UNIT_SUFFIX: dict[Unit, str] = {
    "count": "req/mo",
    "usd": "USD",
    "price": "$/Mtok",
    "tokens": "tokens",
    "months": "months",
    "percent": "%",
    "per_hour": "$/hour",
    "rps": "req/s",
    "gpus": "GPUs",
    "examples": "labels",
}

# Groups in the order people think of them; the last four are the extras.
GROUPS: tuple[str, ...] = (
    "Traffic",
    "Large model",
    "Specialist",
    "One-time costs",
    "Operations",
    "Routing",
    "Quality and task",
    "Distillation",
    "Self-hosting",
    "Price changes",
    "Retraining",
)


# Units whose value reads plainly under the label ($1,200; 92.0%; 3.0M requests per month; 2,000
# teacher-labelled examples): a heading needs no suffix.
_UNITLESS_HEADINGS: frozenset[Unit] = frozenset({"usd", "percent", "count", "examples", "gpus"})
# Units that read as a count of something: 24 months, 2 GPUs, 1,000 examples, 2,200 tokens.
_COUNTED: dict[Unit, str] = {"months": "month", "gpus": "GPU", "examples": "example", "tokens": "token"}


@dataclass(frozen=True)
class Bounds:
    """What the scenario model accepts for one field."""

    minimum: float
    maximum: float
    exclusive_minimum: bool  # the model wants a value above `minimum`
    integer: bool
    optional: bool  # None ("unknown") is accepted


class FieldPlace:
    """Where a scenario number lives and its unit: the dotted key and the suffix shown after it.

    Shared by the catalogue's entries and by anything that edits or shows one of its numbers.
    """

    path: tuple[str, ...]
    unit: Unit

    @property
    def key(self) -> str:
        """Dotted path, e.g. 'large.input_price_per_mtok'."""
        return ".".join(self.path)

    @property
    def suffix(self) -> str:
        """The unit text shown after the number."""
        return UNIT_SUFFIX[self.unit]


@dataclass(frozen=True)
class ScenarioField(FieldPlace):
    """One number of a scenario: where it lives, what it is called and means, and its bounds."""

    path: tuple[str, ...]
    label: str
    unit: Unit
    group: str
    help: str  # what the number feeds (tooltips, the memo's notes)
    typical_low: float  # the practical range a slider offers (typed values may go to the bounds)
    typical_high: float
    bounds: Bounds
    log: bool = False  # values span orders of magnitude
    scale: float = 1.0  # shown = stored × scale (shares are shown as percent)

    @property
    def heading(self) -> str:
        """A table column's heading: the label, with the unit where the label does not name it
        ("Input price ($/Mtok)", but "Input tokens")."""
        if self.unit in _UNITLESS_HEADINGS or self.suffix.lower() in self.label.lower():
            return self.label
        return f"{self.label} ({self.suffix})"

    @property
    def qualified_label(self) -> str:
        """The label with its group where the label alone is ambiguous (both models have "Input
        tokens"): "Large model: input tokens"."""
        if sum(1 for entry in FIELDS if entry.label == self.label) == 1:
            return self.label
        return f"{self.group}: {self.label[:1].lower()}{self.label[1:]}"

    def format_value(self, value: float | None, compact: bool = False) -> str:
        """The value alone, in the one formatter's style for its unit (a cell under `heading`);
        `compact` rounds money and shares further for tight places (`$15K`, `92%`)."""
        if value is None:
            return "unknown"
        if self.unit == "count":
            return format_volume(value)
        if self.unit in ("usd", "per_hour"):
            return format_money(value, "compact" if compact else "exact")
        if self.unit == "price":
            return format_price_per_mtok(value)
        if self.unit == "percent":
            return format_share(value, 0 if compact else 1)
        if self.unit == "tokens":
            return format_tokens(int(value))
        return f"{value:,g}"

    def describe(self, value: float | None) -> str:
        """The value with its unit in words, as a sentence or a two-column table reads it:
        `10.0M requests/month`, `$5.00 per million tokens`, `24 months`, `2,000 examples`."""
        if value is None:
            return "unknown"
        number = self.format_value(value)
        if self.unit == "count":
            return f"{number} requests/month"
        if self.unit == "price":
            return f"{number} per million tokens"
        if self.unit == "per_hour":
            return f"{number} per GPU-hour"
        if self.unit == "rps":
            return f"{number} requests/s"
        if self.unit in _COUNTED:
            noun = _COUNTED[self.unit]
            return (
                format_count(int(value), noun) if self.bounds.integer else f"{number} {plural(value, noun)}"
            )
        return number

    def value_in(self, scenario: Scenario) -> Any:
        """This field's value in `scenario` (None when unknown)."""
        value: Any = scenario
        for part in self.path:
            value = getattr(value, part)
        return value


def _constraints(info: FieldInfo) -> tuple[list[Any], type | None, bool]:
    """The field's constraint objects, its base type and whether None is accepted."""
    metadata = list(info.metadata)
    annotation = info.annotation
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        parts = [part for part in typing.get_args(annotation) if part is not type(None)]
        optional = len(parts) < len(typing.get_args(annotation))
        annotation = parts[0] if len(parts) == 1 else annotation
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        for extra in extras:
            metadata.extend(extra.metadata if isinstance(extra, FieldInfo) else [extra])
        annotation = base
    return metadata, annotation if isinstance(annotation, type) else None, optional


def model_bounds(path: tuple[str, ...]) -> Bounds:
    """The bounds the scenario model puts on the field at `path` (raises KeyError for no such field)."""
    model: type[BaseModel] = Scenario
    for part in path[:-1]:
        nested = model.model_fields[part].annotation
        if not (isinstance(nested, type) and issubclass(nested, BaseModel)):
            raise KeyError(".".join(path))
        model = nested
    metadata, base, optional = _constraints(model.model_fields[path[-1]])
    minimum, maximum, exclusive = float("-inf"), float("inf"), False
    for item in metadata:
        if getattr(item, "ge", None) is not None:
            minimum = float(item.ge)
        if getattr(item, "gt", None) is not None:
            minimum, exclusive = float(item.gt), True
        if getattr(item, "le", None) is not None:
            maximum = float(item.le)
    return Bounds(minimum, maximum, exclusive, base is int, optional)


def _field(
    path: tuple[str, ...],
    label: str,
    unit: Unit,
    group: str,
    typical: tuple[float, float],
    help: str,
    *,
    log: bool = False,
    scale: float = 1.0,
) -> ScenarioField:
    return ScenarioField(
        path, label, unit, group, help, typical[0], typical[1], model_bounds(path), log, scale
    )


def _model_fields(side: str, who: str, group: str, price_range: tuple[float, float]) -> list[ScenarioField]:
    feeds_cost = f"the {who} cost per request, so every chart and the break-even"
    low, high = price_range
    return [
        _field((side, "input_tokens"), "Input tokens", "tokens", group, (10, 20_000), feeds_cost, log=True),
        _field((side, "output_tokens"), "Output tokens", "tokens", group, (1, 5_000), feeds_cost, log=True),
        _field(
            (side, "input_price_per_mtok"),
            "Input price",
            "price",
            group,
            (low, high),
            f"{feeds_cost} (USD per million input tokens)",
            log=True,
        ),
        _field(
            (side, "output_price_per_mtok"),
            "Output price",
            "price",
            group,
            (low, high * 4),
            f"{feeds_cost} (USD per million output tokens)",
            log=True,
        ),
    ]


_ONE_TIME = "One-time costs"
_QUALITY = "Quality and task"

FIELDS: tuple[ScenarioField, ...] = (
    _field(
        ("volume_per_month",),
        "Requests per month",
        "count",
        "Traffic",
        (1_000, 1e10),
        "monthly costs and savings, the break-even and rule 4 (low volume)",
        log=True,
    ),
    _field(
        ("horizon_months",),
        "Horizon",
        "months",
        "Traffic",
        (1, 60),
        "the cumulative cost chart's length and whether the fine-tune pays back in time (rule 4)",
    ),
    *_model_fields("large", "large-model", "Large model", (0.05, 100)),
    *_model_fields("small", "specialist", "Specialist", (0.01, 20)),
    _field(
        ("one_time", "data_curation"),
        "Data curation",
        "usd",
        _ONE_TIME,
        (0, 200_000),
        "the one-time cost, usually its biggest line, and so the break-even",
    ),
    _field(
        ("one_time", "training_runs"),
        "Training runs",
        "usd",
        _ONE_TIME,
        (0, 50_000),
        "the one-time cost and so the break-even",
    ),
    _field(
        ("one_time", "eval_build"),
        "Eval build",
        "usd",
        _ONE_TIME,
        (0, 50_000),
        "the one-time cost and so the break-even; an eval is what proves the match (rule 6)",
    ),
    _field(
        ("monthly_ops",),
        "Monthly operations",
        "usd",
        "Operations",
        (0, 20_000),
        "net monthly savings (drift monitoring, retraining, on-call) and so the break-even",
    ),
    _field(
        ("routing", "escalation_rate"),
        "Escalation rate",
        "percent",
        "Routing",
        (0, 100),
        "the specialist path's cost per request (a share of traffic still goes to the large model)",
        scale=100,
    ),
    _field(
        ("quality", "off_the_shelf_accuracy"),
        "Off-the-shelf accuracy",
        "percent",
        _QUALITY,
        (0, 100),
        "rule 2: an off-the-shelf small model that already meets the bar needs no training",
        scale=100,
    ),
    _field(
        ("quality", "specialist_accuracy"),
        "Specialist accuracy",
        "percent",
        _QUALITY,
        (0, 100),
        "rules 1 and 3: does the fine-tuned specialist meet the bar",
        scale=100,
    ),
    _field(
        ("quality", "large_accuracy"),
        "Large-model accuracy",
        "percent",
        _QUALITY,
        (0, 100),
        "the reference the specialist is compared with (rules 1 and 3)",
        scale=100,
    ),
    _field(
        ("quality", "quality_bar"),
        "Quality bar",
        "percent",
        _QUALITY,
        (50, 100),
        "rules 1, 2 and 3: the accuracy a model must reach",
        scale=100,
    ),
    _field(
        ("quality", "task_change_months"),
        "Task changes every",
        "months",
        _QUALITY,
        (1, 60),
        "rule 5: a task that changes faster than the fine-tune pays back is a retraining treadmill",
    ),
    _field(
        ("distillation", "examples"),
        "Teacher-labelled examples",
        "examples",
        "Distillation",
        (100, 1_000_000),
        "one-time cost: each example costs one large-model request to label",
        log=True,
    ),
    _field(
        ("distillation", "human_review_share"),
        "Human review share",
        "percent",
        "Distillation",
        (0, 100),
        "one-time cost: share of labelled examples a person checks",
        scale=100,
    ),
    _field(
        ("distillation", "review_cost_per_example"),
        "Review cost per example",
        "usd",
        "Distillation",
        (0, 5),
        "one-time cost: what one human review costs",
    ),
    _field(
        ("self_hosting", "gpu_price_per_hour"),
        "GPU price",
        "per_hour",
        "Self-hosting",
        (0.2, 20),
        "the specialist's cost when self-hosted (GPUs instead of per-token prices)",
    ),
    _field(
        ("self_hosting", "requests_per_second_per_gpu"),
        "Throughput per GPU",
        "rps",
        "Self-hosting",
        (0.5, 2_000),
        "how many GPUs the volume needs, so the self-hosted cost",
        log=True,
    ),
    _field(
        ("self_hosting", "min_gpus"),
        "Minimum GPUs",
        "gpus",
        "Self-hosting",
        (0, 16),
        "the GPUs kept running even at low volume",
    ),
    _field(
        ("price_decline_per_year",),
        "Large-model price decline",
        "percent",
        "Price changes",
        (0, 80),
        "the large-only curve: frontier prices falling each year shrink the savings over time",
        scale=100,
    ),
    _field(
        ("small_price_drift_per_year",),
        "Specialist price drift",
        "percent",
        "Price changes",
        (-50, 50),
        "the specialist curve: its own prices (per token, or the GPU hour) changing each year; "
        "negative = cheaper, positive = dearer",
        scale=100,
    ),
    _field(
        ("retraining", "every_months"),
        "Retrain every",
        "months",
        "Retraining",
        (0, 24),
        "the specialist curve: a retraining cost every k months (0 = never)",
    ),
    _field(
        ("retraining", "cost"),
        "Cost per retraining",
        "usd",
        "Retraining",
        (0, 50_000),
        "the specialist curve: what each retraining costs",
    ),
)

_BY_KEY: dict[str, ScenarioField] = {entry.key: entry for entry in FIELDS}


def field_for(key: str) -> ScenarioField:
    """The catalogue entry for a dotted key such as 'large.input_tokens' (KeyError if none)."""
    return _BY_KEY[key]


def label_for_key(key: str, qualified: bool = True) -> str:
    """A dotted key in words for people: the catalogue's label ("Large model: input tokens" when
    `qualified` and the label alone is ambiguous); a number outside the catalogue (a measured
    hybrid accuracy) gets its last part in words ("Hybrid accuracy"), never the raw path."""
    entry = _BY_KEY.get(key)
    if entry is not None:
        return entry.qualified_label if qualified else entry.label
    words = key.rsplit(".", 1)[-1].replace("_", " ")
    return words[:1].upper() + words[1:]


def groups_in_use(scenario: Scenario) -> tuple[str, ...]:
    """The groups whose numbers count in `scenario`: every group but an extra that is off (its
    numbers are kept in the file but feed nothing, so a printed description leaves them out)."""
    extras_on = {
        "Distillation": scenario.distillation.enabled,
        "Self-hosting": scenario.self_hosting.enabled,
        "Price changes": scenario.price_decline_per_year > 0 or scenario.small_price_drift_per_year != 0,
        "Retraining": scenario.retraining.every_months > 0,
    }
    return tuple(group for group in GROUPS if extras_on.get(group, True))


def fields_in(group: str) -> tuple[ScenarioField, ...]:
    """The group's fields, in catalogue order."""
    return tuple(entry for entry in FIELDS if entry.group == group)
