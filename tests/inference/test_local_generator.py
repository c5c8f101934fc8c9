"""Prompts for base models, grammar-constrained labels, on the real bundled model."""

from __future__ import annotations

import pytest

from app.inference.local_generator import FEW_SHOT_STOPS, LocalSpecialist, build_completion_prompt
from app.inference.local_server import LocalModelServer
from app.inference.types import GenerationRequest

EXAMPLES = (("I loved this film", "positive"), ("Terrible, a waste of money", "negative"))


def test_few_shot_prompt_layout() -> None:
    prompt = build_completion_prompt("Not bad at all", "Classify the sentiment.", EXAMPLES)
    assert prompt == (
        "Classify the sentiment.\n\n"
        "Input: I loved this film\nOutput: positive\n\n"
        "Input: Terrible, a waste of money\nOutput: negative\n\n"
        "Input: Not bad at all\nOutput:"
    )
    assert build_completion_prompt("raw text") == "raw text"
    assert build_completion_prompt("Go.", "Be brief.") == "Be brief.\n\nGo."


@pytest.mark.slow
def test_labels_constrain_the_answer(local_model_server: LocalModelServer) -> None:
    specialist = LocalSpecialist(local_model_server, examples=EXAMPLES)
    labels = ("positive", "negative", "neutral")
    for review in ("What a wonderful day at the cinema", "The plot made no sense and I left early"):
        result = specialist.generate(
            GenerationRequest(review, mode="completion", labels=labels, max_tokens=8)
        )
        assert result.ok, result.error
        assert result.text.strip() in labels
    specialist.close()


@pytest.mark.slow
def test_few_shot_completion_stops_at_the_next_example(local_model_server: LocalModelServer) -> None:
    specialist = LocalSpecialist(local_model_server, examples=(("2 + 2", "4"), ("3 + 5", "8")))
    request = GenerationRequest("1 + 1", mode="completion", max_tokens=24)
    assert specialist.prepare(request).stop == FEW_SHOT_STOPS
    result = specialist.generate(request)
    specialist.close()
    assert result.ok, result.error
    assert "Input:" not in result.text and "\n\n" not in result.text


@pytest.mark.slow
def test_chat_mode_runs_without_a_template(local_model_server: LocalModelServer) -> None:
    # The bundled base model has no chat template: llama-cpp-python falls back to a generic format.
    specialist = LocalSpecialist(local_model_server)
    result = specialist.generate(GenerationRequest("Say hello.", mode="chat", max_tokens=8))
    specialist.close()
    assert result.error is None and result.finish_reason in ("stop", "length")
