"""The scenario: every input of the cost model and the decision rules, as validated data.

Field names marked *contract* in DESIGN §1 are read by tests and outside tools; keep them.
Validation messages name the field and the problem so the CLI and the window can show
them verbatim (see `describe_validation_error`).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from app.domain.ranges import Range, check_range, rangeable_fields, unknown_path_message

CURRENT_SCHEMA_VERSION = 1

# Sane upper bounds: far beyond any real task, low enough that float maths stays exact-ish
# and a typo (an extra three zeros) is caught instead of silently drawn.
MAX_VOLUME_PER_MONTH = 1e12
MAX_TOKENS = 10_000_000
MAX_PRICE_PER_MTOK = 10_000.0
MAX_MONEY = 1e10
MAX_HORIZON_MONTHS = 120

RoutingMode = Literal["cascade", "router"]

Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Tokens = Annotated[int, Field(ge=0, le=MAX_TOKENS)]
Price = Annotated[float, Field(ge=0, le=MAX_PRICE_PER_MTOK, allow_inf_nan=False)]


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
    tokens_measured: bool = False


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

    enabled: bool = False
    examples: int = Field(default=0, ge=0, le=100_000_000)
    human_review_share: Share = 0.0
    review_cost_per_example: Money = 0.0


class SelfHosting(_Model):
    """Run the specialist on rented GPUs instead of paying per token."""

    enabled: bool = False
    gpu_price_per_hour: Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)] = 2.0
    requests_per_second_per_gpu: Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)] = 20.0
    min_gpus: int = Field(default=1, ge=0, le=10_000)


class Retraining(_Model):
    """Periodic retraining of the specialist; `every_months == 0` means never."""

    every_months: int = Field(default=0, ge=0, le=MAX_HORIZON_MONTHS)
    cost: Money = 0.0


class Quality(_Model):
    """Inputs of the decision rules. `None` means unknown, which the rules report as such."""

    off_the_shelf_accuracy: Share | None = None
    specialist_accuracy: Share | None = None
    large_accuracy: Share | None = None
    quality_bar: Share = 0.9
    # How often the task definition changes (labels, formats, policy), in months.
    task_change_months: Annotated[float, Field(gt=0, le=1200, allow_inf_nan=False)] | None = None
    eval_exists: bool | None = None
    # Provenance of the accuracies: "" when typed in, else e.g. "spot-check support_triage 2026-11-23".
    measured_from: str = Field(default="", max_length=300)


class Scenario(_Model):
    """A whole scenario file (DESIGN §1 file contract plus the extras)."""

    schema_version: int = Field(default=CURRENT_SCHEMA_VERSION, ge=1, le=CURRENT_SCHEMA_VERSION)
    name: str = Field(default="Untitled scenario", max_length=200)
    description: str = Field(default="", max_length=5000)
    # Where the preset's numbers come from; shown in the window and the memo.
    source: str = Field(default="", max_length=2000)
    volume_per_month: Annotated[float, Field(ge=0, le=MAX_VOLUME_PER_MONTH, allow_inf_nan=False)]
    horizon_months: int = Field(default=24, ge=1, le=MAX_HORIZON_MONTHS)
    large: ModelCost
    small: ModelCost
    one_time: OneTimeCosts = OneTimeCosts()
    monthly_ops: Money = 0.0
    routing: Routing = Routing()
    distillation: Distillation = Distillation()
    self_hosting: SelfHosting = SelfHosting()
    # Yearly fall of the frontier model's prices (0.3 = 30 % cheaper each year).
    price_decline_per_year: Annotated[float, Field(ge=0, le=0.95, allow_inf_nan=False)] = 0.0
    retraining: Retraining = Retraining()
    quality: Quality = Quality()
    # Yearly discount rate for the net present value of the savings (0 = no discounting).
    discount_rate_per_year: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    # Uncertain inputs: dotted field path -> Range (the field's value is the most likely one).
    # Declared last so its validator sees every other field (see `_ranges_fit`).
    ranges: dict[str, Range] = Field(default_factory=dict)

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
        """A validated copy with top-level fields replaced (nested parts are passed whole)."""
        data = self.model_dump()
        for key, value in changes.items():
            data[key] = value.model_dump() if isinstance(value, BaseModel) else value
        return Scenario.model_validate(data)


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
        message = message.removeprefix("Value error, ")
        lines.append(f"{path}: {message}")
    return "; ".join(lines)
