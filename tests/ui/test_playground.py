"""The Playground view driven through its real widgets, with the real bundled model in its child process."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from support.fault_server import FaultServer

from app.domain.scenario import Scenario
from app.inference.playground import PlaygroundRun
from app.storage.presets import load_preset
from app.ui.document import ScenarioDocument
from app.ui.playground.view import PlaygroundView, parse_examples

pytestmark = pytest.mark.gui
RUN_TIMEOUT_MS = 90_000


@pytest.fixture
def document() -> ScenarioDocument:
    return ScenarioDocument(load_preset("support-ticket-triage"))


@pytest.fixture
def view(qtbot, document: ScenarioDocument, fault_server: FaultServer) -> Iterator[PlaygroundView]:
    widget = PlaygroundView(document)
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    widget.model_panel.threads.setValue(2)
    widget.model_panel.context.setValue(1024)
    widget.model_panel.max_tokens.setValue(12)
    frontier = widget.frontier_panel
    frontier.select_preset("custom")
    frontier.base_url.setText(fault_server.url("ok"))
    frontier.model.setText("fault-model")
    frontier.input_price.setValue(2.0)
    frontier.output_price.setValue(8.0)
    yield widget
    widget.shutdown()


def _run(qtbot, view: PlaygroundView, prompt: str) -> PlaygroundRun:
    view.prompt.setPlainText(prompt)
    with qtbot.waitSignal(view.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    run = blocker.args[0]
    assert isinstance(run, PlaygroundRun)
    return run


@pytest.mark.slow
def test_run_both_streams_measures_and_feeds_the_scenario(
    qtbot, view: PlaygroundView, document: ScenarioDocument, tmp_path: Path
) -> None:
    run = _run(qtbot, view, "The capital of France is")
    local, frontier = run.local.result, run.frontier.result
    assert local is not None and local.ok and local.output_tokens == 12
    assert frontier is not None and frontier.ok
    assert view.local_column.text.toPlainText() == local.text
    assert view.frontier_column.text.toPlainText() == "Hello from the fault server"
    assert "TTFT" in view.local_column.figures.text() and "tok/s" in view.local_column.figures.text()
    assert "$" in view.frontier_column.figures.text()
    assert view.history_panel.table.rowCount() == 1
    assert view.server is not None and view.server.pid != os.getpid()

    # A second run reuses the loaded model; then both averages go into the scenario.
    _run(qtbot, view, "One, two, three,")
    assert view.history_panel.table.rowCount() == 2
    before: Scenario = document.scenario
    qtbot.mouseClick(view.history_panel.use_button, Qt.MouseButton.LeftButton)
    # A run can no longer change the scenario by itself: the review opens, nothing is applied yet.
    dialog = view.history_panel.review_dialog
    assert dialog is not None and dialog.isVisible(), view.message.text()
    assert document.scenario == before
    # Both local runs stopped at max tokens (12): they measured the limit, not the answer.
    assert "All 2 local run(s) stopped at max tokens" in dialog.warnings_label.text()
    paths = dialog.checked_paths()
    assert "large.input_tokens" in paths and not any(path.startswith("small.") for path in paths)
    assert "Only 2 run(s)" in dialog.warnings_label.text()
    dialog.set_checked("large.name", False)  # tick off what should not change
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    after = document.scenario
    assert after.large.tokens_measured and not after.small.tokens_measured
    assert after.large.name == before.large.name  # unticked, so kept
    assert (after.large.input_price_per_mtok, after.large.output_price_per_mtok) == (2.0, 8.0)
    assert after.small == before.small
    assert after.evidence["large.input_tokens"].n == 2
    assert after.evidence["large.input_tokens"].source == "playground"
    document.undo_stack.undo()  # one undo step takes it all back
    assert document.scenario == before

    # History export: one JSON object per run, no key anywhere.
    target = tmp_path / "history.jsonl"
    view.history_panel.choose_export_path = lambda: target  # type: ignore[method-assign]
    qtbot.mouseClick(view.history_panel.export_button, Qt.MouseButton.LeftButton)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["prompt"] for line in lines] == ["The capital of France is", "One, two, three,"]
    assert json.loads(lines[0])["local"]["output_tokens"] == 12
    assert view.server.api_key not in target.read_text(encoding="utf-8")


@pytest.mark.slow
def test_stop_cancels_both_sides(qtbot, view: PlaygroundView, fault_server: FaultServer) -> None:
    view.frontier_panel.base_url.setText(fault_server.url("slow"))
    view.model_panel.max_tokens.setValue(500)
    view.prompt.setPlainText("Once upon a time")
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.local_column.text.toPlainText()) > 10, timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(view.run_finished, timeout=2000) as blocker:
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    run = blocker.args[0]
    assert run.local.result.cancelled and run.frontier.result.cancelled
    assert view.local_column.status.text() == "Stopped." and view.run_button.isEnabled()


@pytest.mark.slow
def test_killed_model_is_reported_and_restarted(
    qtbot, view: PlaygroundView, document: ScenarioDocument
) -> None:
    _run(qtbot, view, "Hello")
    scenario_before = document.scenario
    assert view.server is not None and view.server.pid is not None
    os.kill(view.server.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: view.local_column.restart_button.isVisible(), timeout=5000)
    assert "killed by SIGKILL" in view.local_column.status.text()
    assert document.scenario == scenario_before and view.history_panel.table.rowCount() == 1  # the work stays
    qtbot.mouseClick(view.local_column.restart_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.server is not None and view.server.is_running(), timeout=RUN_TIMEOUT_MS)
    run = _run(qtbot, view, "Again")
    assert run.local.result is not None and run.local.result.ok
    # New settings take effect on the next run: the process is started again with them.
    old_pid = view.server.pid
    view.model_panel.context.setValue(512)
    run = _run(qtbot, view, "And again")
    assert run.local.result is not None and run.local.result.ok
    assert view.server.pid != old_pid and view.server.settings.context_size == 512


def _drop(view: PlaygroundView, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.dropEvent(event)


def test_dropped_gguf_shows_its_header_before_loading(
    qtbot, view: PlaygroundView, bundled_model: Path
) -> None:
    _drop(view, bundled_model)
    qtbot.waitUntil(lambda: "Architecture: gemma3" in view.model_panel.header.text(), timeout=10_000)
    text = view.model_panel.header.text()
    assert "Q4_K_M" in text and "32768" in text and "253.1 MB" in text and "Chat template: none" in text
    assert view.server is None  # nothing loaded yet
    assert view.model_panel.mode.currentData() == "completion"


def test_broken_gguf_is_named_with_its_problem(qtbot, view: PlaygroundView, tmp_path: Path) -> None:
    broken = tmp_path / "half.gguf"
    broken.write_bytes(b"")
    _drop(view, broken)
    qtbot.waitUntil(lambda: "half.gguf" in view.model_panel.header.text(), timeout=10_000)
    assert "empty (0 bytes)" in view.model_panel.header.text()
    view.prompt.setPlainText("hi")
    with qtbot.waitSignal(view.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    run = blocker.args[0]
    assert run.local.result is None and "half.gguf: file is empty" in (run.local.empty_reason or "")
    assert run.frontier.result is not None and run.frontier.result.ok  # the other side still ran
    assert "half.gguf" in view.local_column.status.text()


def test_frontier_without_key_says_why(qtbot, view: PlaygroundView, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("app.inference.keys.keyring_usable", lambda: False)
    view.keys.forget(view.frontier_panel.current_preset())
    view.frontier_panel.select_preset("openai")
    generator, reason = view.frontier_panel.generator()
    assert generator is None and reason is not None and reason.startswith("No API key for OpenAI")
    view.frontier_panel.set_key("sk-session-only-123")
    assert "this session only" in view.frontier_panel.key_state.text()
    generator, reason = view.frontier_panel.generator()
    assert generator is not None and reason is None
    generator.close()
    view._save_settings()
    home = Path(os.environ["SPECIALIST_STUDIO_HOME"])
    assert all(
        "sk-session-only-123" not in p.read_text(errors="ignore") for p in home.rglob("*") if p.is_file()
    )
    view.keys.forget(view.frontier_panel.current_preset())


def test_examples_parse() -> None:
    assert parse_examples("great => positive\nno arrow here\n bad  =>negative \n => x") == [
        ("great", "positive"),
        ("bad", "negative"),
    ]


def test_the_main_window_hosts_the_playground_tab(window, qtbot) -> None:
    from app.ui.playground.workers import wait_for_all

    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "Playground" in titles
    window.tabs.setCurrentIndex(titles.index("Playground"))
    page = window.tabs.currentWidget()
    qtbot.waitUntil(lambda: isinstance(getattr(page, "view", None), PlaygroundView), timeout=10_000)
    view = page.view
    assert view.run_button.text() == "Run both" and view.server is None  # nothing loads until asked
    # The window's next settings write (here a theme change) keeps the playground's latest
    # choices, in the file and in the window's copy, not the ones it read at start-up.
    from app.storage.settings import load_settings

    view.model_panel.gpu_layers.setValue(5)
    qtbot.waitUntil(lambda: load_settings().local_model.gpu_layers == 5, timeout=5_000)
    window.apply_theme_choice("dark")
    qtbot.waitUntil(lambda: window.settings.local_model.gpu_layers == 5, timeout=5_000)
    assert load_settings().local_model.gpu_layers == 5 and load_settings().theme == "dark"
    window.apply_theme_choice("system")
    wait_for_all()
    view.shutdown()


def test_a_theme_change_keeps_the_settings_another_playground_saved(
    qtbot, window, document: ScenarioDocument
) -> None:
    """The window holds settings from before the playground saved; its write must not undo them."""
    from app.storage.settings import load_settings

    other = PlaygroundView(document)  # not inside this window: nothing can patch its copy
    qtbot.addWidget(other)
    other.model_panel.gpu_layers.setValue(9)
    other.model_panel.labels.setText("spam, ham")
    other.frontier_panel.model.setText("kept-model")
    other.frontier_panel.input_price.setValue(4.5)
    other._save_settings()
    window.apply_theme_choice("dark")
    saved = load_settings()
    assert saved.theme == "dark"
    assert saved.local_model.gpu_layers == 9 and saved.local_model.labels == "spam, ham"
    assert saved.frontier.model == "kept-model" and saved.frontier.input_price_per_mtok == 4.5
    window.apply_theme_choice("system", save=False)
    window.close()  # the geometry written on close keeps them too
    assert load_settings().local_model.gpu_layers == 9 and load_settings().window_geometry
    other.shutdown()


def test_a_restarted_view_comes_back_as_the_user_left_it(
    qtbot, view: PlaygroundView, document: ScenarioDocument, bundled_model: Path
) -> None:
    from app.storage.settings import load_settings

    panel, frontier = view.model_panel, view.frontier_panel
    view.choose_model(bundled_model)  # a base model: its header alone would pick completion
    qtbot.waitUntil(lambda: view.model_info is not None, timeout=20_000)
    panel.gpu_layers.setValue(7)
    panel.mode.setCurrentIndex(panel.mode.findData("chat"))
    panel.context.setValue(4096)
    panel.threads.setValue(3)
    panel.temperature.setValue(0.7)
    panel.max_tokens.setValue(99)
    panel.examples.setPlainText("great => positive\nawful => negative")
    panel.labels.setText("positive, negative")
    frontier.model.setText("stand-in-model")
    frontier.base_url.setText("http://127.0.0.1:9/v1")
    frontier.input_price.setValue(3.25)
    frontier.output_price.setValue(12.5)
    # Saved shortly after the edits, without a run or a close.
    qtbot.waitUntil(lambda: load_settings().local_model.labels == "positive, negative", timeout=5_000)
    view.shutdown()

    again = PlaygroundView(document)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.model_info is not None, timeout=20_000)
    panel, frontier = again.model_panel, again.frontier_panel
    assert again.model_path == bundled_model
    assert panel.gpu_layers.value() == 7 and panel.mode.currentData() == "chat"
    assert (panel.context.value(), panel.threads.value(), panel.max_tokens.value()) == (4096, 3, 99)
    assert panel.temperature.value() == pytest.approx(0.7)
    assert panel.examples.toPlainText() == "great => positive\nawful => negative"
    assert panel.label_list() == ("positive", "negative")
    assert frontier.current_preset().name == "custom"
    assert frontier.base_url.text() == "http://127.0.0.1:9/v1" and frontier.model.text() == "stand-in-model"
    assert (frontier.input_price.value(), frontier.output_price.value()) == (3.25, 12.5)
    assert frontier.price_source.text() == "custom"
    again.shutdown()


def test_gpu_note_says_what_the_build_can_do_and_what_was_asked(qtbot, view: PlaygroundView) -> None:
    from app.inference.local_server import describe_gpu_offload, gpu_offload_supported

    supported = gpu_offload_supported()
    note = view.model_panel.gpu_note
    qtbot.waitUntil(lambda: view.model_panel.gpu_supported is not None, timeout=60_000)
    assert note.text() == describe_gpu_offload(supported, view.model_panel.gpu_layers.value())
    view.model_panel.gpu_layers.setValue(12)
    assert note.text() == describe_gpu_offload(supported, 12) and "12 layers" in note.text()


def test_figures_wrap_and_name_their_units(qtbot) -> None:
    from app.inference.playground import SidePrices, SideRun
    from app.inference.types import GenerationResult
    from app.ui.playground.view import AnswerColumn, figures_text

    streamed = GenerationResult("Paris.", "m", 37, 7, False, 0.541, 0.77, finish_reason="stop")
    side = SideRun(name="m", result=streamed, prices=SidePrices(2.5, 10.0, "custom"))
    assert figures_text(side).endswith(" · tokens in 37 / out 7 · cost $0.000162")
    nothing = GenerationResult("", "m", 11, 0, True, None, 0.81, finish_reason="stop")
    text = figures_text(SideRun(name="m", result=nothing, prices=SidePrices(2.5, 10.0, "custom")))
    assert text.startswith("no tokens streamed · latency 0.81 s · tokens in 11 / out 0 (counted)")
    assert "TTFT –" not in text and "– tok/s" not in text
    refused = GenerationResult("", "m", 5, 0, True, None, 0.02, error="401 Unauthorized from h: rejected")
    refused_text = figures_text(SideRun(name="m", result=refused, prices=SidePrices(2.5, 10.0, "custom")))
    assert refused_text.endswith(" · not billed")  # priced, but a refused request costs nothing
    column = AnswerColumn("Frontier", with_restart=False)
    qtbot.addWidget(column)
    column.figures.setText(figures_text(side) + " · " + figures_text(side))
    # A long figures line wraps instead of forcing the column (and the window) wider.
    assert column.minimumSizeHint().width() < 300


def test_an_empty_answer_says_so(qtbot, view: PlaygroundView) -> None:
    from app.inference.playground import SideRun
    from app.inference.types import GenerationResult

    empty = GenerationResult("", "m", 11, 0, True, None, 0.81, finish_reason="stop")
    view._finish_side(view.frontier_column, SideRun(name="m", result=empty))
    assert view.frontier_column.status.text() == "Done: the model returned no text (finish reason: stop)."
    view.history_panel.add_run(
        PlaygroundRun(prompt="p", local=SideRun(name="l"), frontier=SideRun(name="m", result=empty))
    )
    assert view.history_panel.table.item(0, 3).text() == "0 tokens · (no text)"


def test_frontier_column_says_why_it_will_be_empty_before_a_run(
    qtbot, view: PlaygroundView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("app.inference.keys.keyring_usable", lambda: False)
    view.frontier_panel.select_preset("openai")
    preset_openai = view.frontier_panel.current_preset()
    view.keys.forget(preset_openai)
    view.frontier_panel.refresh_key_state()
    placeholder = view.frontier_column.text.placeholderText()
    assert placeholder == "No API key for OpenAI: set OPENAI_API_KEY or enter one in the frontier settings."
    assert view.frontier_column.title.text() == "<b>Frontier</b> — fault-model"
    view.frontier_panel.set_key("sk-session-only-456")
    assert view.frontier_column.text.placeholderText() == "The answer streams here."
    view.keys.forget(preset_openai)


def test_typed_prices_and_other_models_are_not_credited_to_the_catalog(qtbot, view: PlaygroundView) -> None:
    frontier = view.frontier_panel
    frontier.model.setText("gpt-4o-mini")
    assert frontier.price_source.text().startswith("catalog gpt-4o-mini")
    frontier.output_price.setValue(frontier.output_price.value() + 1.0)
    assert frontier.price_source.text() == "custom"
    frontier.model.setText("my-own-model")  # typed, not only on editing finished
    assert frontier.price_source.text() == "custom"


def test_finish_reasons_read_as_words_and_columns_share_the_width(qtbot, view: PlaygroundView) -> None:
    from app.inference.playground import SideRun
    from app.inference.types import GenerationResult

    capped = GenerationResult("Dear customer, we", "m", 16, 60, False, 0.9, 6.3, finish_reason="length")
    view._finish_side(view.local_column, SideRun(name="m", result=capped))
    assert view.local_column.status.text() == "Done: stopped at the Max tokens limit (60 tokens)."
    ended = GenerationResult("Paris.", "m", 5, 2, False, 0.1, 0.2, finish_reason="stop")
    view._finish_side(view.local_column, SideRun(name="m", result=ended))
    assert view.local_column.status.text() == "Done."
    view.history_panel.add_run(
        PlaygroundRun(
            prompt="p",
            local=SideRun(name="l", result=ended),
            frontier=SideRun(name="f", empty_reason="No key."),
        )
    )
    assert view.history_panel.table.item(0, 3).text() == "not run: No key."
    qtbot.waitExposed(view)
    left, right = view.answer_columns.sizes()
    assert abs(left - right) <= 0.1 * (left + right)


def test_answer_boxes_stay_level_whatever_the_status_says(qtbot, view: PlaygroundView) -> None:
    from app.inference.playground import SideRun
    from app.inference.types import GenerationResult
    from app.ui.playground.view import figures_text

    qtbot.waitExposed(view)
    fast = GenerationResult(
        "Half an answer", "m", 5, 3, True, 0.012, 0.0121, error=None, finish_reason="stop"
    )
    assert "13 tok/s" not in figures_text(SideRun(name="m", result=fast))
    assert figures_text(SideRun(name="m", result=fast)).startswith("TTFT 12 ms · 20000 tok/s · ")
    view.frontier_column.set_status(
        "The stream from 127.0.0.1:34699 ended early, after 3 tokens, without finishing", problem=True
    )
    view.local_column.set_status("Done.")
    qtbot.wait(50)
    assert view.frontier_column.text.height() == view.local_column.text.height()


def test_a_crash_keeps_the_answer_boxes_level_and_columns_name_their_models(
    qtbot, view: PlaygroundView, tmp_path: Path
) -> None:
    qtbot.waitExposed(view)
    assert view.local_column.title.text() == "<b>Local specialist</b> — Gemma 3 270M (Q4_K_M, bundled)"
    view.local_column.set_status("The local model process was killed by SIGKILL.", problem=True)
    view.local_column.restart_button.setVisible(True)
    qtbot.wait(50)
    assert view.frontier_column.text.height() == view.local_column.text.height()
    assert not view.frontier_column.restart_button.isVisible()
    broken = tmp_path / "<odd> & co.gguf"
    broken.write_bytes(b"")
    view.choose_model(broken)
    assert view.local_column.title.text() == "<b>Local specialist</b> — &lt;odd&gt; &amp; co.gguf"


@pytest.mark.slow
def test_a_readable_header_after_a_broken_one_is_not_red_and_a_failed_load_is(
    qtbot, view: PlaygroundView, tmp_path: Path
) -> None:
    import struct

    def string(text: str) -> bytes:
        return struct.pack("<Q", len(text)) + text.encode()

    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**63, 2**62))
    hollow = tmp_path / "hollow.gguf"
    hollow.write_bytes(
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + string("general.architecture")
        + struct.pack("<I", 8)
        + string("x")
    )
    view.choose_model(garbage)
    qtbot.waitUntil(lambda: view.model_panel.header.text().startswith("garbage.gguf: "), timeout=10_000)
    assert "#c0392b" in view.model_panel.header.styleSheet()
    view.choose_model(hollow)
    qtbot.waitUntil(lambda: view.model_info is not None, timeout=10_000)
    assert view.model_panel.header.styleSheet() == ""
    run = _run(qtbot, view, "hi")
    assert run.local.result is None and run.frontier.result is not None
    status = view.local_column.status
    assert status.text() == "hollow.gguf: llama.cpp could not load a 'x' model: it holds no tensors"
    assert "#c0392b" in status.styleSheet()  # a model that failed to load is an error, not an empty state
    assert run.local.name == "hollow.gguf"


def test_model_and_frontier_fields_show_their_units(view: PlaygroundView) -> None:
    assert view.model_panel.context.text() == "1024 tokens"  # the fixture's context size
    assert view.frontier_panel.timeout.text() == "60 s"
    assert view.model_panel.state.text() == "Not loaded: loads on the first Run both, or with Load model."


@pytest.mark.slow
def test_a_process_killed_mid_run_no_longer_reads_loaded(qtbot, view: PlaygroundView) -> None:
    """The run fails on the crash (which shows Restart), and the model line says the process is gone."""
    _run(qtbot, view, "Hello")
    assert view.model_panel.state.text().startswith("Loaded:")
    view.model_panel.max_tokens.setValue(500)
    view.prompt.setPlainText("Once upon a time")
    with qtbot.waitSignal(view.run_finished, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(view.local_column.text.toPlainText()) > 5, timeout=RUN_TIMEOUT_MS)
        assert view.server is not None and view.server.pid is not None
        os.kill(view.server.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: "killed by SIGKILL" in view.model_panel.state.text(), timeout=5000)
    assert "Loaded" not in view.model_panel.state.text() and view.local_column.restart_button.isVisible()


def test_labels_llama_cpp_cannot_take_are_named_before_anything_runs(qtbot, view: PlaygroundView) -> None:
    view.model_panel.labels.setText("positive, neg\x00ative")
    view.prompt.setPlainText("Great product!")
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert view.message.text() == 'Labels: label 2 ("neg\\x00ative") contains a control character (NUL).'
    assert view.run_button.isEnabled() and view.server is None  # nothing started, nothing sent


@pytest.mark.slow
def test_each_column_completes_on_its_own(qtbot, view: PlaygroundView) -> None:
    # A frontier that sends nothing for a minute: the local model's 12 tokens end long before,
    # and its column says so at once instead of "Streaming…" until the frontier is done.
    with FaultServer(slow_seconds=60.0) as slow:
        view.frontier_panel.base_url.setText(slow.url("slow"))
        view.prompt.setPlainText("The capital of France is")
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.local_column.status.text().startswith("Done"), timeout=RUN_TIMEOUT_MS)
        assert "TTFT" in view.local_column.figures.text()
        assert view.frontier_column.text.toPlainText() == ""  # the frontier has not answered yet
        assert not view.run_button.isEnabled()  # the run as a whole goes on
        with qtbot.waitSignal(view.run_finished, timeout=10_000) as blocker:
            qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    run = blocker.args[0]
    assert run.local.result is not None and run.local.result.output_tokens == 12
    assert view.local_column.status.text().startswith("Done")  # not turned into "Stopped."
    assert view.frontier_column.status.text() == "Stopped."


@pytest.mark.slow
def test_the_bundled_models_header_is_read_like_any_files(
    qtbot, view: PlaygroundView, bundled_model: Path
) -> None:
    view.choose_model(None)
    qtbot.waitUntil(lambda: "Architecture: gemma3" in view.model_panel.header.text(), timeout=60_000)
    text = view.model_panel.header.text()
    assert f"File: {bundled_model.name}" in text and "Chat template: none" in text
