"""Spot-check maths: scorers, confidence intervals, sample sizes and run summaries.

Pure functions and plain data (no I/O): the loader lives in `app.storage.testsets`, the runner in
`app.inference.spotcheck`, and the window and the memo both read the `SpotcheckSummary` built here.

Accuracy is measured against ground truth (`expected`). Agreement between the two models is
reported apart, because a specialist that copies its teacher's mistakes agrees perfectly and is
still wrong.

The package is split by concern; every public name is re-exported here so callers import from
`app.domain.evaluation`:

- `scoring`: scorers and prompt templates;
- `statistics`: intervals, sample sizes, claim checks;
- `records`: test items, test sets, per-item results;
- `summaries`: the run summary the window, the CLI and the memo show.
"""

from app.domain.evaluation.records import (
    IN_DISTRIBUTION,
    OOD_TAG,
    ItemResult,
    SideResult,
    TestItem,
    TestSet,
)
from app.domain.evaluation.scoring import (
    SCORER_KINDS,
    SCORER_TITLES,
    ModelPrompt,
    PromptTemplate,
    Score,
    ScorerKind,
    ScorerSpec,
    first_number,
    normalise,
    outputs_agree,
    score_output,
)
from app.domain.evaluation.statistics import (
    MIN_ITEMS_FOR_NORMAL_APPROX,
    Z_95,
    ClaimCheck,
    Interval,
    check_claim,
    margin_for_sample,
    percentile,
    sample_size_for_margin,
    wilson_interval,
)
from app.domain.evaluation.summaries import (
    ModelSummary,
    Prices,
    SpotcheckSummary,
    TagSummary,
    summarize_results,
    summary_from_json,
)

__all__ = [
    "IN_DISTRIBUTION",
    "MIN_ITEMS_FOR_NORMAL_APPROX",
    "OOD_TAG",
    "SCORER_KINDS",
    "SCORER_TITLES",
    "Z_95",
    "ClaimCheck",
    "Interval",
    "ItemResult",
    "ModelPrompt",
    "ModelSummary",
    "Prices",
    "PromptTemplate",
    "Score",
    "ScorerKind",
    "ScorerSpec",
    "SideResult",
    "SpotcheckSummary",
    "TagSummary",
    "TestItem",
    "TestSet",
    "check_claim",
    "first_number",
    "margin_for_sample",
    "normalise",
    "outputs_agree",
    "percentile",
    "sample_size_for_margin",
    "score_output",
    "summarize_results",
    "summary_from_json",
    "wilson_interval",
]
