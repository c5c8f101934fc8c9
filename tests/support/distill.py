"""Labelled files for the distillation tests: the demo task's header around items a test builds."""

from __future__ import annotations

import json
from pathlib import Path

from app.domain.distill import LABELLED_FORMAT, LABELLED_VERSION, LabelledItem
from app.storage.distill_files import write_labelled
from app.storage.resources import resource_path

DEMO_PROMPT = resource_path("spotcheck", "support_triage.prompt.json")


def write_demo_labelled(path: Path, items: list[LabelledItem]) -> Path:
    """`items` as a labelled file of the support-triage task (labelled by "teacher-model")."""
    header = {
        "type": "header",
        "format": LABELLED_FORMAT,
        "version": LABELLED_VERSION,
        "source": "inputs.jsonl",
        "teacher": "teacher-model",
        "prompt": json.loads(DEMO_PROMPT.read_text(encoding="utf-8")),
    }
    write_labelled(path, header, items)
    return path
