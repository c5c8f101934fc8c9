"""The scenario: every input of the cost model and the decision rules, as validated data.

Field names marked *contract* in docs/file-contract.md are read by tests and outside tools; keep them.
Validation messages name the field and the problem so the CLI and the window can show
them verbatim (see `describe_validation_error`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from app.domain.ranges import Range, check_range, follow_values, rangeable_fields, unknown_path_message

# Version 2: strict numbers and booleans, the off-the-shelf model's own prompt (`off_the_shelf`),
# the hybrid's accuracy (`quality.hybrid_accuracy`). Version 3: the specialist's own price drift
# (`small_price_drift_per_year`). Older files load through migrations (docs/file-contract.md).
CURRENT_SCHEMA_VERSION = 3

# Sane upper bounds: far beyond any real task, low enough that float maths stays exact-ish
# and a typo (an extra three zeros) is caught instead of silently drawn.
MAX_VOLUME_PER_MONTH = 1e12
MAX_TOKENS = 10_000_000
MAX_PRICE_PER_MTOK = 10_000.0
MAX_MONEY = 1e10
MAX_HORIZON_MONTHS = 120

RoutingMode = Literal["cascade", "router"]


def _json_kind(value: object) -> str:
    """How a value reads in JSON, for messages: `true`, `a string ("10000000")`, `a list`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:17] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, numbers.Real):
        return f"the number {value!r}"
    return type(value).__name__


def _json_number(value: object) -> object:
    """Let only real numbers through: `true` is not 1 request and `"10000000"` is not a number.

    Pydantic's lax mode would convert both; a scenario that silently reads `true` as 1 request or a
    quoted price as a number is a wrong decision nobody sees. `None` passes on to the field's own
    type, which accepts it only where the field is optional. Whole-number fields still take an
    integral float such as `24.0` (the window's number boxes send floats); `24.5` is refused there.
    """
    if value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool)):
        return value
    raise ValueError(f"must be a JSON number, found {_json_kind(value)}")


def _json_bool(value: object) -> object:
    """Let only `true` / `false` through: `"yes"`, `1` or `"false"` are not booleans."""
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"must be true or false, found {_json_kind(value)}")


# Every numeric field of the scenario goes through `_json_number`; every boolean is strict
# (only `true` / `false`, not "yes" or 1) with a message that says what was found.
JsonNumber = BeforeValidator(_json_number)
StrictBool = Annotated[bool, BeforeValidator(_json_bool), Strict()]

Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False), JsonNumber]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), JsonNumber]
Tokens = Annotated[int, Field(ge=0, le=MAX_TOKENS), JsonNumber]
Price = Annotated[float, Field(ge=0, le=MAX_PRICE_PER_MTOK, allow_inf_nan=False), JsonNumber]


class _Model(BaseModel):
    """Base for every scenario part: immutable, no unknown keys (typos are errors, not ignored)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class ModelCost(_Model):
    """One model's request shape and per-token prices (USD per million tokens)."""

    name: str = Field(default="", max_length=200)
    input_tokens: Tokens  # contract
    output_tokens: Tokens  # contract
    input_price_per_mtok: Price  # contract
    output_price_per_mtok: Price  # contract
    # Where the prices come from (a catalog entry's source, "custom", "measured ...").
    price_source: str = Field(default="", max_length=500)
    price_as_of: str = Field(default="", max_length=40)  # ISO date, "" when unknown
    # True when token counts were measured in the playground rather than typed in.
    tokens_measured: StrictBool = False


class OneTimeCosts(_Model):
    """Costs paid once to build the specialist (USD)."""

    data_curation: Money = 0.0  # contract
    training_runs: Money = 0.0  # contract
    eval_build: Money = 0.0  # contract


class Routing(_Model):
    """How traffic is split between the specialist and the large model."""

    escalation_rate: Share = 0.0  # contract
    mode: RoutingMode = "cascade"  # contract


class Distillation(_Model):
    """The large model labels training examples (teacher), humans review a share of them."""

    enabled: StrictBool = False
    examples: Annotated[int, Field(ge=0, le=100_000_000), JsonNumber] = 0
    human_review_share: Share = 0.0
    review_cost_per_example: Money = 0.0  # per reviewed example
    # Measured by a distillation run (None when typed in): what the teacher cost per example, the
    # review time per reviewed example and the hourly rate behind review_cost_per_example, and the
    # teacher's error rate from the reviewed sample. The cost model prices teacher labelling at
    # the large model's per-request cost; these say how the measured run compares.
    teacher_cost_per_example: Money | None = None
    review_seconds_per_example: Annotated[float, Field(ge=0, le=86_400, allow_inf_nan=False)] | None = None
    reviewer_hourly_rate: Money | None = None
    teacher_error_rate: Share | None = None
    measured_from: str = Field(default="", max_length=300)


class SelfHosting(_Model):
    """Run the specialist on rented GPUs instead of paying per token."""

    enabled: StrictBool = False
    gpu_price_per_hour: Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False), JsonNumber] = 2.0
    # At least one request per 1,000 s: a smaller figure is a typo, and a vanishing one made the
    # GPU count (served / capacity) overflow to infinity.
    requests_per_second_per_gpu: Annotated[
        float, Field(ge=0.001, le=1_000_000, allow_inf_nan=False), JsonNumber
    ] = 20.0
    min_gpus: Annotated[int, Field(ge=0, le=10_000), JsonNumber] = 1


class Retraining(_Model):
    """Periodic retraining of the specialist; `every_months == 0` means never."""

    every_months: Annotated[int, Field(ge=0, le=MAX_HORIZON_MONTHS), JsonNumber] = 0
    cost: Money = 0.0


class Quality(_Model):
    """Inputs of the decision rules. `None` means unknown, which the rules report as such."""

    off_the_shelf_accuracy: Share | None = None
    specialist_accuracy: Share | None = None
    large_accuracy: Share | None = None
    # The specialist-with-escalation path's accuracy (the hybrid: escalated items answered by the
    # large model), where one is measured (a routing curve's operating point). With escalation on,
    # the rules judge this instead of the specialist alone; `None` = not measured.
    hybrid_accuracy: Share | None = None
    quality_bar: Share = 0.9
    # How often the task definition changes (labels, formats, policy), in months; `None` = unknown.
    task_change_months: Annotated[float, Field(gt=0, le=1200, allow_inf_nan=False), JsonNumber] | None = None
    eval_exists: StrictBool | None = None
    # Provenance of the accuracies: "" when typed in, else e.g. "spot-check support_triage 2026-11-23".
    measured_from: str = Field(default="", max_length=300)


class OffTheShelf(_Model):
    """The off-the-shelf small model (no fine-tune) as rule 2 prices it.

    Without the task in its weights it needs the long few-shot prompt the large model gets, not
    the specialist's short one: token counts default (`None`) to the large model's. Prices
    default to the small model's per-token prices (the same model before fine-tuning).
    """

    input_tokens: Tokens | None = None
    output_tokens: Tokens | None = None
    input_price_per_mtok: Price | None = None
    output_price_per_mtok: Price | None = None


class Decision(_Model):
    """Who decides what, by when: typed by the user for the memo's page one (all optional)."""

    owner: str = Field(default="", max_length=200)  # who owns the decision
    ask: str = Field(default="", max_length=1000)  # what the board is asked to approve
    pilot_plan: str = Field(default="", max_length=2000)  # how the switch is tried before it is made
    decision_date: str = Field(default="", max_length=10)  # ISO date (YYYY-MM-DD), "" when not set

    @field_validator("decision_date")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"must be a date written YYYY-MM-DD, not {value!r}") from None
            if len(value) != 10:
                raise ValueError(f"must be a date written YYYY-MM-DD, not {value!r}")
        return value

    @property
    def empty(self) -> bool:
        """True when nothing was filled in."""
        return not (self.owner.strip() or self.ask.strip() or self.pilot_plan.strip() or self.decision_date)


class Evidence(_Model):
    """Where a measured input came from (optional, schema v2): the value as measured, the sample
    it rests on (`n` items or runs; `successes` of them right, for accuracies), the source
    (e.g. "spot-check support_triage"), the model measured and the date. A field without an
    entry is a typed assumption."""

    value: Annotated[float, Field(allow_inf_nan=False), JsonNumber]
    n: Annotated[int, Field(ge=0, le=100_000_000), JsonNumber]
    successes: Annotated[int, Field(ge=0, le=100_000_000), JsonNumber] | None = None
    source: str = Field(default="", max_length=300)
    model: str = Field(default="", max_length=200)
    measured_at: str = Field(default="", max_length=32)

    @field_validator("successes")
    @classmethod
    def _successes_within_n(cls, value: int | None, info: ValidationInfo) -> int | None:
        n = info.data.get("n")
        if value is not None and isinstance(n, int) and value > n:
            raise ValueError(f"successes ({value}) cannot exceed n ({n})")
        return value


class Scenario(_Model):
    """A whole scenario file (the file contract of docs/file-contract.md plus the extras)."""

    # A scenario in memory is always the current format (storage migrates older files first);
    # an older number given here is read as the current one (see `_current_version`).
    schema_version: Annotated[int, Field(ge=1, le=CURRENT_SCHEMA_VERSION), JsonNumber] = (
        CURRENT_SCHEMA_VERSION
    )
    name: str = Field(default="Untitled scenario", max_length=200)
    description: str = Field(default="", max_length=5000)
    # Where the preset's numbers come from; shown in the window and the memo.
    source: str = Field(default="", max_length=2000)
    volume_per_month: Annotated[float, Field(ge=0, le=MAX_VOLUME_PER_MONTH, allow_inf_nan=False), JsonNumber]
    horizon_months: Annotated[int, Field(ge=1, le=MAX_HORIZON_MONTHS), JsonNumber] = 24
    large: ModelCost
    small: ModelCost
    one_time: OneTimeCosts = OneTimeCosts()
    monthly_ops: Money = 0.0
    routing: Routing = Routing()
    distillation: Distillation = Distillation()
    self_hosting: SelfHosting = SelfHosting()
    # Yearly fall of the frontier model's prices (0.3 = 30 % cheaper each year).
    price_decline_per_year: Annotated[float, Field(ge=0, le=0.95, allow_inf_nan=False), JsonNumber] = 0.0
    # Yearly change of the specialist's own prices, signed (v3): its per-token prices, or the GPU
    # hour when self-hosted. 0.1 = 10 % dearer each year, -0.3 = 30 % cheaper; at most doubling.
    small_price_drift_per_year: Annotated[float, Field(ge=-0.95, le=1.0, allow_inf_nan=False), JsonNumber] = (
        0.0
    )
    retraining: Retraining = Retraining()
    quality: Quality = Quality()
    off_the_shelf: OffTheShelf = OffTheShelf()
    # Yearly discount rate for the net present value of the savings (0 = no discounting).
    discount_rate_per_year: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), JsonNumber] = 0.0
    # The decision the memo asks for (owner, the ask, pilot plan, decision date); optional, v2.
    decision: Decision = Decision()
    # Provenance of measured inputs: dotted field path (e.g. "quality.specialist_accuracy") ->
    # the measurement. The rules read an accuracy's interval from here; optional, v2.
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    # Uncertain inputs: dotted field path -> Range (the field's value is the most likely one).
    # Declared last so its validator sees every other field (see `_ranges_fit`).
    ranges: dict[str, Range] = Field(default_factory=dict)

    @field_validator("schema_version")
    @classmethod
    def _current_version(cls, value: int) -> int:
        # Versions 2 and 3 only added optional fields, so an older stamp describes the same data;
        # the object says what it is now, and a save writes the current format.
        return CURRENT_SCHEMA_VERSION

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("must not be empty")
        return stripped

    @field_validator("volume_per_month")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("ranges")
    @classmethod
    def _ranges_fit(cls, value: dict[str, Range], info: ValidationInfo) -> dict[str, Range]:
        # Each path must name a numeric field, and the field's value must sit inside its range.
        known = rangeable_fields(cls)
        for path, rng in value.items():
            field = known.get(path)
            if field is None:
                raise ValueError(unknown_path_message(path, known))
            head, *rest = path.split(".")
            if head not in info.data:
                continue  # that field failed its own validation, which already says so
            mode: object = info.data[head]
            for part in rest:
                mode = getattr(mode, part)
            problem = check_range(field, rng, mode if isinstance(mode, int | float) else None)
            if problem:
                raise ValueError(problem)
        return value

    def with_changes(self, **changes: object) -> Scenario:
        """A validated copy with top-level fields replaced (nested parts are passed whole).

        A ranged value moved out of its range takes the range along (`ranges.follow`) unless the
        change sets `ranges` itself.
        """
        before = self.model_dump()
        data = dict(before)
        for key, value in changes.items():
            data[key] = value.model_dump() if isinstance(value, BaseModel) else value
        if "ranges" not in changes:
            # A value moved out of its range takes the range along instead of failing validation.
            follow_values(before, data, rangeable_fields(Scenario))
        return Scenario.model_validate(data)


# Parts of a scenario file that default to $0 when left out, and what that zero hides.
_COST_PARTS_THAT_DECIDE: dict[str, str] = {
    "one_time": "the one-time costs (data curation, training runs, eval build)",
    "monthly_ops": "the monthly operations cost (drift monitoring, retraining, on-call)",
}


def missing_cost_warnings(document: Mapping[str, Any]) -> tuple[str, ...]:
    """One warning line per decisive cost a scenario document leaves out (`one_time`, `monthly_ops`).

    Left out, they count as $0, and these forgotten costs are what decide most switches; the file
    still loads (old and hand-written files often omit them) but the reader is told, never silent.
    """
    return tuple(
        f"{key} is not in the file: {what} count as $0; add them to the file if they are not zero"
        for key, what in _COST_PARTS_THAT_DECIDE.items()
        if key not in document
    )


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, each naming the field path: `large.input_price_per_mtok: must be >= 0`."""
    lines = []
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"]) or "(file)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field (typo?)"
        elif item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "int_from_float":
            message = f"must be a whole number, found {item['input']!r}"
        message = message.removeprefix("Value error, ")
        lines.append(f"{path}: {message}")
    return "; ".join(lines)
