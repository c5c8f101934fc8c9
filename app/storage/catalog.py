"""The price catalog: real models' list prices, each with its source and the date it was checked.

Shipped data lives in `resources/catalog/prices.json`. Users can also import a litellm-style
`model_prices_and_context_window.json` (per-token prices keyed by model) to price models the
catalog does not carry. All prices are USD per million tokens.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.domain.scenario import MAX_PRICE_PER_MTOK, ModelCost, describe_validation_error
from app.storage.regular_files import FileRefusedError, read_regular_bytes
from app.storage.resources import resource_path

ModelKind = Literal["frontier", "small", "fine_tuned"]
Price = Annotated[float, Field(ge=0, le=MAX_PRICE_PER_MTOK, allow_inf_nan=False)]

CATALOG_VERSION = 1
# litellm modes that are priced per text token and answer prompts; embeddings, images, audio are not.
LITELLM_TEXT_MODES = frozenset({"chat", "completion", "responses"})
# Import heuristic only: frontier models' output prices sit well above the small tier's.
FRONTIER_OUTPUT_PRICE_FLOOR = 5.0

logger = logging.getLogger(__name__)


class CatalogError(Exception):
    """A catalog or price file could not be read; `str()` is one line naming the file and the problem."""


class PriceEntry(BaseModel):
    """One model's list price and where it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=300)
    display_name: str = Field(min_length=1, max_length=300)
    provider: str = Field(max_length=100)
    kind: ModelKind
    input_price_per_mtok: Price
    output_price_per_mtok: Price
    source: str = Field(min_length=1, max_length=500)  # the vendor's pricing page, or the imported file
    confirmed_via: str = Field(
        default="", max_length=1000
    )  # where the figure was checked, when not the source
    as_of: str = Field(pattern=r"^\d{4}(-\d{2}){0,2}$")  # ISO date, month or year of the check

    def apply_to(self, model: ModelCost) -> ModelCost:
        """`model` with this entry's prices and provenance (token counts unchanged)."""
        return model.model_copy(
            update={
                "name": self.display_name,
                "input_price_per_mtok": self.input_price_per_mtok,
                "output_price_per_mtok": self.output_price_per_mtok,
                "price_source": self.source,
                "price_as_of": self.as_of,
            }
        )


class _CatalogFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    catalog_version: int = Field(ge=1, le=CATALOG_VERSION)
    models: list[PriceEntry]


# litellm's full price list is a few megabytes.
MAX_PRICE_FILE_BYTES = 64 * 1024 * 1024


def _read_json(path: Path) -> Any:
    try:
        # Only a regular file of sane size (a pipe would block the read, /dev/zero never end).
        text = read_regular_bytes(path, "a price file", MAX_PRICE_FILE_BYTES).decode("utf-8-sig")
    except FileRefusedError as exc:
        raise CatalogError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: byte {exc.start}: not UTF-8 text") from None
    if not text.strip():
        raise CatalogError(f"{path}: file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})"
        ) from None


def load_catalog(path: Path | None = None) -> list[PriceEntry]:
    """The shipped catalog (or the catalog file at `path`), in file order. Raises `CatalogError`."""
    catalog_path = resource_path("catalog", "prices.json") if path is None else Path(path)
    data = _read_json(catalog_path)
    try:
        catalog = _CatalogFile.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(f"{catalog_path}: {describe_validation_error(exc)}") from None
    ids = [entry.id for entry in catalog.models]
    duplicates = sorted({model_id for model_id in ids if ids.count(model_id) > 1})
    if duplicates:
        raise CatalogError(f"{catalog_path}: duplicate model id {', '.join(duplicates)}")
    return catalog.models


def find_price(model_id: str, entries: list[PriceEntry] | None = None) -> PriceEntry | None:
    """The entry with this id in `entries` (default: the shipped catalog), or None."""
    for entry in load_catalog() if entries is None else entries:
        if entry.id == model_id:
            return entry
    return None


def _per_token_price(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    price = float(value) * 1_000_000
    # Round away the float noise of per-token figures (3e-07 * 1e6 = 0.30000000000000004).
    price = round(price, 9)
    return price if math.isfinite(price) and 0 <= price <= MAX_PRICE_PER_MTOK else None


def _guess_kind(model_id: str, output_price: float) -> ModelKind:
    if model_id.startswith("ft:") or "/ft:" in model_id:
        return "fine_tuned"
    return "frontier" if output_price >= FRONTIER_OUTPUT_PRICE_FLOOR else "small"


def import_litellm_prices(path: Path | str) -> list[PriceEntry]:
    """Price entries from a litellm-style `model_prices_and_context_window.json`.

    Each top-level key is a model id whose object carries `input_cost_per_token`,
    `output_cost_per_token` (USD per token), `litellm_provider` and `mode`. Prices are converted
    to per million tokens. Entries without both prices, with prices that are not non-negative
    numbers, or whose mode is not a text mode (embeddings, images, audio) are skipped; the
    `sample_spec` documentation entry is ignored. `kind` is a guess (fine-tuned ids start with
    `ft:`; otherwise an output price of $5/Mtok or more counts as frontier). Every entry's source
    names the file, and `as_of` is the file's modification date. Raises `CatalogError` for a
    missing or malformed file, or one with no usable entry.
    """
    file_path = Path(path)
    data = _read_json(file_path)
    if not isinstance(data, dict):
        raise CatalogError(f"{file_path}: top level must be a JSON object keyed by model id")
    as_of = datetime.fromtimestamp(file_path.stat().st_mtime, tz=timezone.utc).date().isoformat()
    entries: list[PriceEntry] = []
    skipped = 0
    for model_id, spec in data.items():
        if model_id == "sample_spec":
            continue
        if not isinstance(spec, dict) or spec.get("mode", "chat") not in LITELLM_TEXT_MODES:
            skipped += 1
            continue
        input_price = _per_token_price(spec.get("input_cost_per_token"))
        output_price = _per_token_price(spec.get("output_cost_per_token"))
        if input_price is None or output_price is None or not model_id.strip():
            skipped += 1
            continue
        provider = spec.get("litellm_provider")
        entries.append(
            PriceEntry(
                id=model_id[:300],
                display_name=model_id[:300],
                provider=str(provider)[:100] if provider else "",
                kind=_guess_kind(model_id, output_price),
                input_price_per_mtok=input_price,
                output_price_per_mtok=output_price,
                source=f"litellm price file {file_path.name}",
                as_of=as_of,
            )
        )
    if not entries:
        raise CatalogError(
            f"{file_path}: no model with input_cost_per_token and output_cost_per_token "
            f"(is this a litellm model_prices_and_context_window.json?)"
        )
    logger.info("imported %d priced models from %s (%d entries skipped)", len(entries), file_path, skipped)
    return entries
