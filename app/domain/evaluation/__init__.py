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
- `summaries`: the run summary the window, the CLI and the memo show;
- `power`: items needed by power and the minimum detectable difference;
- `paired`: the paired comparison of the two models on the same items;
- `routing`: the measured routing curve on the specialist's confidence;
- `labels`: per-label accuracy and confusion matrices.
"""

from app.domain.evaluation.labels import (
    NO_LABEL,
    ConfusionMatrix,
    LabelAccuracy,
    confusion_matrix,
    label_accuracy,
)
from app.domain.evaluation.paired import (
    DEFAULT_MARGIN,
    PairedComparison,
    PairedTable,
    mcnemar_exact_p,
    newcombe_paired_interval,
    paired_comparison,
    paired_table,
)
from app.domain.evaluation.power import (
    ClaimCheck,
    SampleSizeAdvice,
    binomial_tail_at_least,
    check_claim,
    items_needed_for_power,
    minimum_detectable_difference,
    power_to_settle,
    sample_size_advice,
)
from app.domain.evaluation.records import (
    IN_DISTRIBUTION,
    OOD_TAG,
    ItemResult,
    SideResult,
    TestItem,
    TestSet,
)
from app.domain.evaluation.routing import (
    RoutingCurve,
    RoutingPoint,
    RoutingPrices,
    operating_point,
    routing_curve,
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
    Interval,
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
    "DEFAULT_MARGIN",
    "IN_DISTRIBUTION",
    "MIN_ITEMS_FOR_NORMAL_APPROX",
    "NO_LABEL",
    "OOD_TAG",
    "SCORER_KINDS",
    "SCORER_TITLES",
    "Z_95",
    "ClaimCheck",
    "ConfusionMatrix",
    "Interval",
    "ItemResult",
    "LabelAccuracy",
    "ModelPrompt",
    "ModelSummary",
    "PairedComparison",
    "PairedTable",
    "Prices",
    "PromptTemplate",
    "RoutingCurve",
    "RoutingPoint",
    "RoutingPrices",
    "SampleSizeAdvice",
    "Score",
    "ScorerKind",
    "ScorerSpec",
    "SideResult",
    "SpotcheckSummary",
    "TagSummary",
    "TestItem",
    "TestSet",
    "binomial_tail_at_least",
    "check_claim",
    "confusion_matrix",
    "first_number",
    "items_needed_for_power",
    "label_accuracy",
    "margin_for_sample",
    "mcnemar_exact_p",
    "minimum_detectable_difference",
    "newcombe_paired_interval",
    "normalise",
    "operating_point",
    "outputs_agree",
    "paired_comparison",
    "paired_table",
    "percentile",
    "power_to_settle",
    "routing_curve",
    "sample_size_advice",
    "sample_size_for_margin",
    "score_output",
    "summarize_results",
    "summary_from_json",
    "wilson_interval",
]
