"""The shipped price catalog is sourced and dated; litellm price files import per million tokens."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.domain.scenario import ModelCost
from app.storage.catalog import CatalogError, PriceEntry, find_price, import_litellm_prices, load_catalog

LITELLM_FIXTURE = Path(__file__).resolve().parent / "data" / "litellm_prices.json"


def test_catalog_has_frontier_small_and_fine_tuned_models() -> None:
    kinds = {entry.kind for entry in load_catalog()}
    assert kinds == {"frontier", "small", "fine_tuned"}


def test_every_price_carries_a_vendor_source_and_a_date() -> None:
    for entry in load_catalog():
        assert entry.source.startswith("https://"), entry.id
        assert entry.confirmed_via, entry.id
        year = int(entry.as_of[:4])
        assert 2025 <= year <= date.today().year, entry.id


def test_catalog_ids_are_unique_and_prices_plausible() -> None:
    entries = load_catalog()
    assert len({e.id for e in entries}) == len(entries)
    for entry in entries:
        # Output tokens cost at least as much as input tokens for every model listed.
        assert 0 < entry.input_price_per_mtok <= entry.output_price_per_mtok, entry.id


def test_fine_tuned_inference_costs_more_than_the_base_model() -> None:
    assert find_price("ft:gpt-4o-mini") is not None
    base, tuned = find_price("gpt-4o-mini"), find_price("ft:gpt-4o-mini")
    assert base is not None and tuned is not None
    assert tuned.input_price_per_mtok == 2 * base.input_price_per_mtok
    assert find_price("no-such-model") is None


def test_an_entry_prices_a_model_and_records_provenance() -> None:
    entry = find_price("gpt-4.1")
    assert entry is not None
    model = ModelCost(input_tokens=2000, output_tokens=200, input_price_per_mtok=9, output_price_per_mtok=9)
    priced = entry.apply_to(model)
    assert (priced.input_price_per_mtok, priced.output_price_per_mtok) == (2.0, 8.0)
    assert priced.price_source == entry.source and priced.price_as_of == entry.as_of
    assert priced.input_tokens == 2000


def test_a_broken_catalog_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"catalog_version": 1, "models": [{"id": "x"}]}), encoding="utf-8")
    with pytest.raises(
        CatalogError, match=r"prices\.json: models\.0\.display_name: required field is missing"
    ):
        load_catalog(path)


def test_litellm_import_converts_to_per_million_tokens() -> None:
    entries = {entry.id: entry for entry in import_litellm_prices(LITELLM_FIXTURE)}
    big = entries["big-chat-model"]
    assert (big.input_price_per_mtok, big.output_price_per_mtok) == (3.0, 15.0)
    assert big.provider == "vendor-a"
    small = entries["small-chat-model"]
    assert (small.input_price_per_mtok, small.output_price_per_mtok) == (0.15, 0.6)
    assert entries["legacy-completion-model"].input_price_per_mtok == 1.5


def test_litellm_import_skips_unpriced_and_non_text_entries() -> None:
    ids = {entry.id for entry in import_litellm_prices(LITELLM_FIXTURE)}
    assert ids == {"big-chat-model", "small-chat-model", "ft:small-chat-model", "legacy-completion-model"}


def test_litellm_import_guesses_kind_and_records_the_file() -> None:
    entries = {entry.id: entry for entry in import_litellm_prices(LITELLM_FIXTURE)}
    assert entries["big-chat-model"].kind == "frontier"
    assert entries["small-chat-model"].kind == "small"
    assert entries["ft:small-chat-model"].kind == "fine_tuned"
    for entry in entries.values():
        assert entry.source == "litellm price file litellm_prices.json"
        assert date.fromisoformat(entry.as_of) <= date.today()
        assert isinstance(entry, PriceEntry)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "file is empty"),
        ('{"a": {', "line 1, column 8: invalid JSON (Expecting property name enclosed in double quotes)"),
        ("[1, 2]", "top level must be a JSON object keyed by model id"),
        ('{"only-images": {"mode": "image_generation", "output_cost_per_image": 1}}', "no model with"),
    ],
)
def test_malformed_litellm_files_are_reported_with_the_file_name(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "model_prices.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        import_litellm_prices(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {problem}")
    assert "\n" not in message


def test_a_missing_litellm_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="file not found"):
        import_litellm_prices(tmp_path / "nope.json")
