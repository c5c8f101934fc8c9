"""A specialist served at an OpenAI-compatible endpoint instead of the local model: llama-cpp-python's
real server on 127.0.0.1 with the bundled Gemma (labels by grammar, confidence from its
log-probabilities), and an endpoint that turns requests away in bursts, where each side's
parallelism comes down and the run still completes."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest
from support.fault_server import FaultServer
from support.llama_servers import Endpoint

from app.domain.evaluation import PromptTemplate, ScorerSpec, TestSet
from app.inference.backoff import BackoffPolicy
from app.inference.keys import KeyStore
from app.inference.session import SPECIALIST_KEY_ENV, InferenceSession, ServedEndpoint, served_model_name
from app.inference.spotcheck import RunConfig, run_spotcheck, specialist_request
from app.storage.resources import resource_path
from app.storage.spotcheck_results import read_results
from app.storage.testsets import default_prompt_for, load_test_set

DEMO = resource_path("spotcheck", "support_triage.jsonl")
LABELS = ("billing", "shipping", "technical", "account", "other")


def _first_token_label_share(endpoint: Endpoint, prompt: str, grammar: str, chosen: str) -> float:
    """The chosen label's share of the first token's probability among the labels, from a raw
    completion request (no app code): each alternative counts for the one label it starts."""
    response = httpx2.post(
        f"{endpoint.base_url}/completions",
        headers={"Authorization": f"Bearer {endpoint.api_key}"},
        json={
            "model": endpoint.model,
            "prompt": prompt,
            "max_tokens": 4,
            "temperature": 0.0,
            "stop": ["\n"],
            "grammar": grammar,
            "logprobs": 20,
        },
        timeout=60,
    )
    response.raise_for_status()
    logprobs = response.json()["choices"][0]["logprobs"]
    index = next(n for n, token in enumerate(logprobs["tokens"]) if token.strip())
    mass = dict.fromkeys(LABELS, 0.0)
    for token, logprob in logprobs["top_logprobs"][index].items():
        start = token.strip().lower()
        owners = [label for label in LABELS if start and label.startswith(start)]
        if len(owners) == 1:
            mass[owners[0]] += math.exp(logprob)
    return mass[chosen] / sum(mass.values())


@pytest.mark.slow
def test_a_specialist_served_by_llama_cpp_python_answers_labels_with_confidence(
    frontier_endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The key comes from the specialist's own variable (a custom URL is no provider's).
    monkeypatch.setenv(SPECIALIST_KEY_ENV, frontier_endpoint.api_key)
    endpoint = ServedEndpoint.specialist(
        frontier_endpoint.base_url, frontier_endpoint.model, label_grammar=True
    )
    session = InferenceSession(KeyStore(use_keyring=False))
    assert session.endpoint_empty_reason(endpoint) is None
    test_set = load_test_set(DEMO).limited(4, seed=3)
    template = default_prompt_for(DEMO)
    assert template is not None
    # Whole answers, as the spot-check asks a served specialist: llama-cpp-python's server cuts a
    # stream short when the next request arrives, and queues whole ones.
    client = session.client(endpoint, stream=False)
    try:
        outcome = run_spotcheck(
            test_set,
            client,
            None,
            RunConfig(prompt=template, specialist_concurrency=3, run_date="2026-11-30"),
            tmp_path / "served.jsonl",
        )
    finally:
        client.close()
    assert session.server is None  # no local model process was started for it
    assert outcome.summary.specialist.name == served_model_name(endpoint)
    host = urlsplit(frontier_endpoint.base_url).netloc
    assert served_model_name(endpoint) == f"{frontier_endpoint.model} (served at {host})"
    assert outcome.parallelism["specialist"].requested == 3
    assert outcome.parallelism["specialist"].backoffs == 0
    for result in outcome.results:
        side = result.specialist
        assert side.error is None and side.output in LABELS  # the grammar held on the served side
        assert side.confidence is not None
        item = next(item for item in test_set.items if item.item_id == result.item_id)
        request = specialist_request(template, item, template.scorer)
        grammar = 'root ::= " "? (' + " | ".join(f'"{label}"' for label in LABELS) + ")\n"
        expected = _first_token_label_share(frontier_endpoint, request.prompt, grammar, side.output)
        # The server reuses the cached prompt prefix between requests, and llama.cpp's logits move in
        # the third decimal between a cached and a fresh evaluation.
        assert side.confidence == pytest.approx(expected, abs=0.02)
    # The confidence is stored per item in the results file.
    stored = read_results(tmp_path / "served.jsonl")
    assert {item_id: r.specialist.confidence for item_id, r in stored.items.items()} == {
        r.item_id: r.specialist.confidence for r in outcome.results
    }


def _labelled_set(n: int, tmp_path: Path) -> TestSet:
    rows = [{"id": f"i{k}", "input": f"message {k}", "expected": "billing"} for k in range(n)]
    path = tmp_path / "billing.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return load_test_set(path)


@pytest.mark.parametrize("side", ["specialist", "frontier"])
def test_bursts_of_429_and_503_lower_the_parallelism_and_the_run_completes(
    fault_server: FaultServer, tmp_path: Path, side: str
) -> None:
    fault_server.reset_overload()
    url = fault_server.url("overloaded")
    session = InferenceSession(KeyStore(use_keyring=False))
    if side == "specialist":
        client = session.client(ServedEndpoint.specialist(url, "fault-model"))
    else:
        client = session.client(ServedEndpoint(url, "fault-model"))
    notes: list[str] = []
    notes_lock = threading.Lock()

    def note(line: str) -> None:
        with notes_lock:
            notes.append(line)

    config = RunConfig(
        prompt=PromptTemplate(labels=LABELS, scorer=ScorerSpec(kind="one_of", labels=LABELS)),
        concurrency=8,
        specialist_concurrency=8,
        backoff=BackoffPolicy(item_retries=4, first_wait_s=0.2),
        run_date="2026-11-30",
    )
    try:
        outcome = run_spotcheck(
            _labelled_set(12, tmp_path),
            client if side == "specialist" else None,
            client if side == "frontier" else None,
            config,
            on_note=note,
        )
    finally:
        client.close()
    assert not outcome.cancelled and len(outcome.results) == 12
    answers = [getattr(result, side) for result in outcome.results]
    # Every item was answered in the end: the turned-away requests were asked again, slower.
    assert [(answer.error, answer.output) for answer in answers] == [(None, "billing")] * 12
    assert fault_server.overload_refused > 0
    report = outcome.parallelism[side]
    assert report.requested == 8 and report.backoffs >= 1
    assert report.lowest <= fault_server.overload_cap < report.requested
    # It said so, naming the side and the status, as it happened.
    assert notes and all(line.startswith(f"{side}: ") for line in notes)
    assert any(("429 Too Many Requests" in line or "503 Service Unavailable" in line) for line in notes)
    assert any(line.endswith(f"backing off, {report.lowest} in flight now") for line in notes)
    # Once lowered, the endpoint saw no more than the lowered parallelism at a time.
    assert max(fault_server.overload_arrivals[-3:]) <= report.lowest
