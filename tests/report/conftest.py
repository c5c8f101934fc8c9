"""Fixtures for the memo tests; the builders live in `memo_samples`."""

from __future__ import annotations

import pytest
from memo_samples import triage_scenario, triage_spotcheck

from app.domain.evaluation import SpotcheckSummary
from app.domain.scenario import Scenario


@pytest.fixture
def scenario() -> Scenario:
    return triage_scenario()


@pytest.fixture
def spotcheck() -> SpotcheckSummary:
    return triage_spotcheck()
