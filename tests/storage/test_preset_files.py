"""Shipped presets: valid scenario files, sourced numbers, prices that match the catalog."""

from __future__ import annotations

import pytest

from app.domain.pricing import model_cost_per_request
from app.domain.rules import evaluate
from app.storage.catalog import load_catalog
from app.storage.presets import PresetNotFoundError, list_presets, load_preset, preset_names

REQUIRED = {
    "support-ticket-triage",
    "invoice-field-extraction",
    "code-review-comments",
    "contract-clause-tagging",
}

# What each preset is there to show; a change to the engine that flips one deserves a look.
EXPECTED_VERDICTS = {
    "support-ticket-triage": "specialize",
    "invoice-field-extraction": "specialize",
    "contract-clause-tagging": "specialize",
    "code-review-comments": "keep_large_and_route",
    "hr-policy-questions": "keep_large",
    "review-sentiment": "use_off_the_shelf",
}


def test_the_required_presets_ship() -> None:
    assert set(preset_names()) >= REQUIRED


def test_every_preset_has_a_title_summary_and_source() -> None:
    for info in list_presets():
        assert info.title and info.summary, info.name
        assert "\n" not in info.summary
        # The source says where the numbers come from, and admits estimates as such.
        assert "catalog" in info.source or "as of" in info.source, info.name
        assert "estimate" in info.source, info.name


@pytest.mark.parametrize("name", sorted(EXPECTED_VERDICTS))
def test_each_preset_shows_its_verdict(name: str) -> None:
    assert evaluate(load_preset(name)).verdict == EXPECTED_VERDICTS[name]


def test_every_preset_is_listed_with_an_expected_verdict() -> None:
    assert set(preset_names()) == set(EXPECTED_VERDICTS)


def test_preset_prices_match_the_catalog_entry_they_cite() -> None:
    # Same name too, so the window's model picker recognises the preset's models as catalog entries.
    catalog = {
        (e.display_name, e.input_price_per_mtok, e.output_price_per_mtok, e.source, e.as_of)
        for e in load_catalog()
    }
    for name in preset_names():
        scenario = load_preset(name)
        for model in (scenario.large, scenario.small):
            if model.price_source.startswith("https://"):
                prices = (
                    model.name,
                    model.input_price_per_mtok,
                    model.output_price_per_mtok,
                    model.price_source,
                    model.price_as_of,
                )
                assert prices in catalog, f"{name}: {model.name}"
                assert model.price_as_of, f"{name}: {model.name}"


def test_large_prompts_are_longer_than_the_specialists() -> None:
    # The premise of a specialist: the task lives in its weights, so its prompt is shorter.
    for name in preset_names():
        scenario = load_preset(name)
        assert scenario.small.input_tokens < scenario.large.input_tokens, name
        assert model_cost_per_request(scenario.large) > 0, name


def test_an_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(
        PresetNotFoundError, match=r"no preset named 'nope' \(known presets: .*support-ticket-triage"
    ):
        load_preset("nope")
