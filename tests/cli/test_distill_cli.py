"""`specialist-studio distill`: labelling against a real llama.cpp server (stop, resume, cost), faults,
the error report, and the export in all four formats read back."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.distill import write_demo_labelled
from support.fault_server import FaultServer
from support.llama_servers import Endpoint

from app.cli import main
from app.domain.distill import LabelledItem, Review, TeacherAnswer
from app.storage.distill_files import read_labelled
from app.storage.resources import resource_path
from app.storage.testsets import load_test_set

DEMO = resource_path("spotcheck", "support_triage.jsonl")
DEMO_PROMPT = resource_path("spotcheck", "support_triage.prompt.json")
LABELS = ("billing", "shipping", "technical", "account", "other")
REPO = Path(__file__).resolve().parents[2]


def _inputs(tmp_path: Path, count: int, with_prompt: bool = True) -> Path:
    """The demo set's first `count` inputs without their answers, and its prompt template beside them."""
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()[:count]]
    path = tmp_path / "inputs.jsonl"
    path.write_text(
        "".join(json.dumps({"id": r["id"], "input": r["input"]}) + "\n" for r in rows), encoding="utf-8"
    )
    if with_prompt:
        (tmp_path / "inputs.prompt.json").write_text(
            DEMO_PROMPT.read_text(encoding="utf-8"), encoding="utf-8"
        )
    return path


def _label(inputs: Path, url: str, output: Path, *options: str) -> int:
    """`distill label` against `url` (model name "m") writing `output`."""
    return main(
        [
            "distill",
            "label",
            str(inputs),
            "--frontier-url",
            url,
            "--frontier-model",
            "m",
            "-o",
            str(output),
            *options,
        ]
    )


def _item_lines(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if '"type": "item"' in line)


def test_label_stops_resumes_and_records_real_tokens_and_cost(
    frontier_endpoint: Endpoint, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = _inputs(tmp_path, 8)
    output = tmp_path / "labelled.jsonl"
    args = [
        "distill",
        "label",
        str(inputs),
        "--frontier-url",
        frontier_endpoint.base_url,
        "--frontier-model",
        frontier_endpoint.model,
        "--frontier-key-env",
        "DISTILL_TEST_KEY",
        "--input-price",
        "5",
        "--output-price",
        "15",
        "--concurrency",
        "1",
        "-o",
        str(output),
    ]
    env = {**os.environ, "DISTILL_TEST_KEY": frontier_endpoint.api_key}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while _item_lines(output) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, stderr
    assert "Stopped:" in stderr and "run the same command again to resume" in stderr
    first = read_labelled(output)
    stopped_at = len(first.items)
    assert 2 <= stopped_at < 8
    before = {item.item_id: item for item in first.items}

    os.environ["DISTILL_TEST_KEY"] = frontier_endpoint.api_key
    try:
        code = main(args)
    finally:
        del os.environ["DISTILL_TEST_KEY"]
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"Labelled 8 of 8 inputs ({stopped_at} from the earlier run)" in out
    assert "reported by the endpoint" in out
    labelled = read_labelled(output)
    assert [item.item_id for item in labelled.items] == [f"st-{n:03d}" for n in range(1, 9)]
    for item in labelled.items:
        teacher = item.teacher
        assert teacher is not None and teacher.error is None
        if item.item_id in before:
            assert item.teacher == before[item.item_id].teacher  # not asked again
        # Eight items: every one is flagged or in the review sample (8 of 8), marked in the file.
        assert item.queue is not None
        # Counts come from the server's usage (whole answers), not from an estimate.
        assert not teacher.tokens_estimated
        assert teacher.input_tokens is not None and teacher.output_tokens is not None
        assert teacher.input_tokens > len(item.input.split())
        assert 1 <= teacher.output_tokens <= 5  # the template's max_tokens
        assert teacher.cost_usd == pytest.approx(
            (teacher.input_tokens * 5 + teacher.output_tokens * 15) / 1e6
        )
        assert teacher.valid == (teacher.answer in LABELS)
    assert labelled.header["teacher"] == frontier_endpoint.model
    assert frontier_endpoint.api_key not in output.read_text(encoding="utf-8")


def test_rate_limit_once_is_retried_and_labels_everything(
    fault_server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = _inputs(tmp_path, 2, with_prompt=False)
    output = tmp_path / "out.jsonl"
    code = _label(inputs, fault_server.url("429-once"), output, "--stream", "--concurrency", "1")
    out = capsys.readouterr().out
    assert code == 0, out
    items = read_labelled(output).items
    assert [item.teacher.answer for item in items if item.teacher] == ["Hello from the fault server"] * 2
    assert all(item.teacher is not None and item.teacher.tokens_estimated for item in items)
    assert "estimated" in out


def test_a_rejected_key_fails_in_one_line_and_keeps_the_file(
    fault_server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = _inputs(tmp_path, 2, with_prompt=False)
    output = tmp_path / "out.jsonl"
    code = _label(inputs, fault_server.url("401"), output)
    captured = capsys.readouterr()
    assert code == 1
    assert "every request failed (first: 401 Unauthorized" in captured.err
    assert "Traceback" not in captured.err
    items = read_labelled(output).items
    assert len(items) == 2 and all(item.teacher is not None and item.teacher.error for item in items)

    # A later run against a working endpoint asks the failed items again.
    code = _label(inputs, fault_server.url("ok"), output, "--stream")
    assert code == 0
    assert "(0 from the earlier run)" in capsys.readouterr().out
    assert all(item.labelled for item in read_labelled(output).items)


def test_the_teachers_confidence_sends_unsure_answers_to_review(
    fault_server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = _inputs(tmp_path, 1, with_prompt=False)
    output = tmp_path / "out.jsonl"
    url = fault_server.url("label-logprobs")
    assert _label(inputs, url, output, "--labels", "billing,shipping", "--stream") == 0
    (item,) = read_labelled(output).items
    assert item.teacher is not None and item.teacher.answer == "billing"
    assert item.teacher.confidence is None  # not asked, not sent
    assert item.queue == "sample"

    assert (
        _label(inputs, url, output, "--labels", "billing,shipping", "--stream", "--confidence", "--fresh")
        == 0
    )
    (item,) = read_labelled(output).items
    # The chosen label's share of the probability among the labels: e^-0.9 / (e^-0.9 + e^-0.5).
    assert item.teacher is not None
    assert item.teacher.confidence == pytest.approx(math.exp(-0.9) / (math.exp(-0.9) + math.exp(-0.5)))
    assert item.queue == "low_confidence"  # 0.40 is below 0.6: reviewed whatever the sample says
    capsys.readouterr()


def test_server_errors_back_off_then_record_the_failure(
    fault_server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = _inputs(tmp_path, 1, with_prompt=False)
    output = tmp_path / "out.jsonl"
    before = fault_server.hits["503"]
    code = _label(inputs, fault_server.url("503"), output, "--retries", "0")
    err = capsys.readouterr().err
    assert code == 1
    # No client retries, so each request the server saw is one runner attempt: 1 + 2 back-offs.
    assert fault_server.hits["503"] - before == 3
    assert "503 Service Unavailable" in err
    # The default 4 requests in flight were halved twice on the way.
    assert "backing off, 1 in flight now" in err
    (item,) = read_labelled(output).items
    assert item.teacher is not None and item.teacher.error is not None


def test_bad_inputs_and_options_fail_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no input field"}\n', encoding="utf-8")
    code = _label(bad, "http://127.0.0.1:9/v1", tmp_path / "o.jsonl")
    err = capsys.readouterr().err
    assert code == 2
    assert "input: required field is missing" in err
    good = _inputs(tmp_path, 1, with_prompt=False)
    assert _label(good, "http://127.0.0.1:9/v1", tmp_path / "o.jsonl", "--concurrency", "0") == 2
    assert "--concurrency must be between 1 and 64, got 0" in capsys.readouterr().err
    assert _label(good, "http://127.0.0.1:9/v1", good) == 2
    assert "is the INPUTS file" in capsys.readouterr().err
    code = main(["distill", "export", str(bad), "--out-dir", str(tmp_path / "d")])
    assert code == 2
    assert "not a labelled file" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


# -- export ----------------------------------------------------------------------------------


def _labelled_file(tmp_path: Path) -> Path:
    """60 items over three labels: a reviewed sample with corrections, a duplicate, an unusable one."""
    items: list[LabelledItem] = []
    for n in range(60):
        label = LABELS[n % 3]
        teacher = TeacherAnswer(
            output=label, answer=label, valid=True, input_tokens=80, output_tokens=1, cost_usd=0.0004
        )
        review = None
        queue = None
        if n % 4 == 0:
            queue = "sample"
            review = Review("corrected" if n % 8 == 0 else "accepted", "other" if n % 8 == 0 else label, 6.0)
        items.append(
            LabelledItem(
                f"x{n}", f"Message number {n}: something about {label}", teacher, queue=queue, review=review
            )
        )  # type: ignore[arg-type]
    items.append(LabelledItem("dup", items[1].input, items[1].teacher))
    items.append(LabelledItem("bad", "unanswered", TeacherAnswer("", "", False, error="timeout")))
    return write_demo_labelled(tmp_path / "labelled.jsonl", items)


def _user_inputs(line: dict[str, object], export_format: str) -> str:
    """The user's text of one exported line, read back independently of the exporter."""
    if export_format == "openai-chat":
        turns = line["messages"]
        return next(t["content"] for t in turns if t["role"] == "user")  # type: ignore[index,union-attr]
    if export_format == "hf-chat":
        return next(t["content"] for t in line["conversations"] if t["role"] == "user")  # type: ignore[index,union-attr]
    if export_format == "sharegpt":
        return next(t["value"] for t in line["conversations"] if t["from"] == "human")  # type: ignore[index,union-attr]
    return str(line["input"])


def _check_openai_chat_shape(line: dict[str, object]) -> None:
    """OpenAI's chat fine-tuning format: {"messages": [{"role": ..., "content": str}, ...]}."""
    assert set(line) == {"messages"}
    messages = line["messages"]
    assert isinstance(messages, list) and messages
    for message in messages:
        assert isinstance(message, dict) and set(message) == {"role", "content"}
        assert message["role"] in {"system", "user", "assistant"}
        assert isinstance(message["content"], str) and message["content"]
    assert messages[-1]["role"] == "assistant"
    assert any(m["role"] == "user" for m in messages)


@pytest.mark.parametrize("export_format", ["openai-chat", "hf-chat", "alpaca", "sharegpt"])
def test_export_writes_valid_files_and_keeps_the_test_slice_out_of_training(
    export_format: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labelled = _labelled_file(tmp_path)
    out_dir = tmp_path / "set"
    code = main(
        [
            "distill",
            "export",
            str(labelled),
            "--format",
            export_format,
            "--split",
            "0.8",
            "--out-dir",
            str(out_dir),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # By hand: finals are billing 17, shipping 18, technical 17 and other 8 (the 8 corrections of
    # n % 8 == 0); a tenth of each, rounded, is held out: 2 + 2 + 2 + 1.
    assert "7 test examples" in captured.out
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "README.txt",
        "test.jsonl",
        "test.prompt.json",
        "train.jsonl",
        "validation.jsonl",
    ]
    slices = {}
    for name in ("train", "validation"):
        lines = [
            json.loads(text) for text in (out_dir / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        if export_format == "openai-chat":
            for line in lines:
                _check_openai_chat_shape(line)
        slices[name] = {_user_inputs(line, export_format) for line in lines}
    test_set = load_test_set(out_dir / "test.jsonl")
    test_inputs = {item.input for item in test_set.items}
    assert test_inputs and all(item.expected for item in test_set.items)
    assert not test_inputs & slices["train"]
    assert not test_inputs & slices["validation"]
    assert not slices["train"] & slices["validation"]
    # 60 unique inputs (the duplicate and the failed item are left out), all accounted for.
    assert len(slices["train"]) + len(slices["validation"]) + len(test_inputs) == 60
    readme = (out_dir / "README.txt").read_text(encoding="utf-8")
    assert "duplicates removed: 1" in readme
    assert "left out, no usable answer: 1" in readme
    assert f"Format: {export_format}" in readme and "Source: inputs.jsonl" in readme
    # The held-out slice is a spot-check set as it stands (its prompt template lies beside it).
    code = main(["spotcheck", str(out_dir / "test.jsonl"), "--no-local", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["items"] == len(test_inputs)
    assert data["scorer"] == "one of 5 labels"


def test_report_counts_the_review(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = _labelled_file(tmp_path)
    code = main(["distill", "report", str(labelled), "--hourly-rate", "36", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    # 15 sampled items reviewed (every 4th of 60); those with n % 8 == 0 were corrected: 8 of them.
    assert data["sample_reviewed"] == 15
    assert data["remainder_error"]["successes"] == 8
    assert data["costs"]["review_seconds_per_item"] == pytest.approx(6.0)
    assert data["costs"]["review_cost_per_example"] == pytest.approx(6.0 * 36 / 3600)
