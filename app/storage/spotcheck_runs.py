"""Where the window keeps a spot-check's results: one JSONL file per set version, scorer and models.

Re-running the same set with the same scorer and models finds the same file and resumes it;
changing any of them starts a new file, so results of different runs never mix.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from app.domain.evaluation import ScorerSpec, TestSet
from app.storage.paths import data_dir


def spotcheck_results_path(test_set: TestSet, scorer: ScorerSpec, specialist: str, frontier: str) -> Path:
    """`<data>/spotcheck/<set>-<12 hex digits>.jsonl` for this (set version, scorer, models)."""
    key = json.dumps([test_set.fingerprint, scorer.model_dump(mode="json"), specialist, frontier])
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    folder = data_dir() / "spotcheck"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{test_set.name}-{digest}.jsonl"
