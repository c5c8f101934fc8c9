"""What one request costs: tokens times prices, for any model of a scenario.

The one per-request cost of the project: the engine, the playground's columns and the
spot-check's cost per item all price a request here (docs/cost-model.md, "Per request").
"""

from __future__ import annotations

from app.domain.scenario import ModelCost, RoutingMode, Scenario


def request_cost(
    input_tokens: float, output_tokens: float, input_price_per_mtok: float, output_price_per_mtok: float
) -> float:
    """USD for one request: `(input_tokens·input_price + output_tokens·output_price) / 1e6`.

    Also takes arrays of Monte Carlo draws for any argument (the arithmetic is elementwise).
    """
    return (input_tokens * input_price_per_mtok + output_tokens * output_price_per_mtok) / 1e6


def routed_request_cost(
    specialist_per_request: float, frontier_per_request: float, escalation_rate: float, mode: RoutingMode
) -> float:
    """USD for one request of the hybrid: the specialist's cost plus the escalated share's.

    A cascade asks the specialist first and sends the escalated share on to the frontier as
    well (`S + r·L`); a router sends that share to the frontier instead (`(1 − r)·S + r·L`).
    """
    specialist_share = 1.0 if mode == "cascade" else 1.0 - escalation_rate
    return specialist_share * specialist_per_request + escalation_rate * frontier_per_request


def model_cost_per_request(model: ModelCost) -> float:
    """USD for one request of a scenario's model (`request_cost` at its token counts and prices)."""
    return request_cost(
        model.input_tokens, model.output_tokens, model.input_price_per_mtok, model.output_price_per_mtok
    )


def off_the_shelf_cost_per_request(scenario: Scenario) -> float:
    """USD for one request to the off-the-shelf small model, with its own (long) prompt.

    An off-the-shelf model has not learned the task, so it needs the large model's few-shot prompt:
    token counts default to the large model's, prices to the small model's per-token prices
    (`Scenario.off_the_shelf` overrides each). No escalation: rule 2 asks whether it meets the bar
    on its own.
    """
    shelf, large, small = scenario.off_the_shelf, scenario.large, scenario.small
    input_tokens = large.input_tokens if shelf.input_tokens is None else shelf.input_tokens
    output_tokens = large.output_tokens if shelf.output_tokens is None else shelf.output_tokens
    input_price = (
        small.input_price_per_mtok if shelf.input_price_per_mtok is None else shelf.input_price_per_mtok
    )
    output_price = (
        small.output_price_per_mtok if shelf.output_price_per_mtok is None else shelf.output_price_per_mtok
    )
    return request_cost(input_tokens, output_tokens, input_price, output_price)
