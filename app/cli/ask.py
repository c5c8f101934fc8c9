"""`specialist-studio ask "PROMPT"`: the playground's comparison, headless.

The specialist side runs the bundled Gemma 3 270M (or `--gguf FILE`) in a child process, or asks
a specialist served at an OpenAI-compatible endpoint (`--specialist-url` and `--specialist-model`);
the frontier side is any OpenAI-compatible endpoint given by `--frontier-url` and
`--frontier-model`, with its key from the environment or the OS keyring. Both answers are
printed with their figures: time to first token, tokens/s, latency, tokens in/out, cost.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from app.cli import EXIT_FAILURE, EXIT_OK, CliError
from app.cli.served import (
    SPECIALIST_KEY_HINT,
    add_endpoint_options,
    add_specialist_options,
    check_specialist_options,
    specialist_endpoint,
)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register `ask PROMPT [--gguf FILE] [--frontier-url URL --frontier-model NAME] [--json]`."""
    parser = subparsers.add_parser(
        "ask",
        help="run one prompt on the local specialist and a frontier endpoint, side by side",
        description="Run one prompt on a local GGUF model (the bundled Gemma 3 270M unless --gguf) "
        "and on an OpenAI-compatible frontier endpoint, and print both answers with their figures.",
    )
    parser.add_argument("prompt", metavar="PROMPT")
    parser.add_argument("--gguf", metavar="FILE", help="local GGUF model (default: the bundled Gemma 3 270M)")
    parser.add_argument("--no-local", action="store_true", help="skip the specialist")
    add_specialist_options(parser)
    add_endpoint_options(parser, "frontier")
    parser.add_argument(
        "--frontier-preset",
        metavar="NAME",
        help="endpoint preset whose key variable to use (openai, openrouter, ollama, llama-server, vllm, "
        "custom); default: guessed from the URL",
    )
    parser.add_argument(
        "--frontier-mode",
        choices=("chat", "completion"),
        default="chat",
        help="chat (default) or the legacy completions endpoint",
    )
    parser.add_argument(
        "--mode",
        choices=("auto", "completion", "chat"),
        default="auto",
        help="specialist prompt mode; auto = chat when the GGUF has a chat template, else completion "
        "(a served specialist: chat)",
    )
    parser.add_argument("--system", metavar="TEXT", help="instruction placed before the prompt")
    parser.add_argument("--labels", metavar="A,B,C", help="constrain the answer to one of these labels")
    parser.add_argument("--max-tokens", type=int, default=128, metavar="N")
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--ctx", type=int, default=2048, metavar="N", help="local context size")
    parser.add_argument(
        "--threads", type=int, default=0, metavar="N", help="local threads (0 = llama.cpp default)"
    )
    parser.add_argument("--gpu-layers", type=int, default=0, metavar="N")
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="timeout of each served model (the frontier, a served specialist): the longest silence, and "
        "the longest the whole answer may take (default 60)",
    )
    parser.add_argument(
        "--local-price", nargs=2, type=float, metavar=("IN", "OUT"), help="local USD per Mtok (default 0)"
    )
    parser.add_argument(
        "--frontier-price",
        nargs=2,
        type=float,
        metavar=("IN", "OUT"),
        help="frontier USD per Mtok (default: the price catalog's entry for the model)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _frontier_prices(model: str, given: list[float] | None) -> Any:
    from app.inference.playground import SidePrices

    if given:
        return SidePrices(given[0], given[1], "custom")
    from app.storage.catalog import CatalogError, load_catalog

    try:
        entries = load_catalog()
    except CatalogError:
        return None
    wanted = {model, model.rsplit("/", 1)[-1]}
    for entry in entries:
        if entry.id in wanted:
            return SidePrices(
                entry.input_price_per_mtok, entry.output_price_per_mtok, f"catalog {entry.id} ({entry.as_of})"
            )
    return None


def _no_cost(result: Any) -> str:
    # A refused request is not billed; otherwise there was no price to multiply by.
    return "not billed" if result.error and not result.output_tokens else "no price"


def _figures_lines(side: Any) -> list[str]:
    from app.domain.formatting import format_money

    result = side.result
    if result is None:
        return [f"  (empty: {side.empty_reason})"]
    lines = []
    if result.error:
        lines.append(f"  error: {result.error}")
    if result.text.strip() or not result.error:  # an error line already says why there is no text
        lines.append("  " + (result.text.strip() or "(no text)").replace("\n", "\n  "))
    counted = " (counted)" if result.tokens_counted else ""
    tokens = f"tokens in {result.input_tokens} / out {result.output_tokens}{counted}"
    cost = side.cost_usd
    cost_text = f"cost {format_money(cost, 'per_request')}" if cost is not None else _no_cost(result)
    latency = f"latency {result.total_s:.2f} s"
    if result.time_to_first_token_s is None:
        lines.append(f"  no tokens streamed · {latency} · {tokens} · {cost_text}")
    else:
        speed = f"{result.tokens_per_second:.1f} tok/s" if result.tokens_per_second else "- tok/s"
        ttft = f"TTFT {result.time_to_first_token_s * 1000:.0f} ms"
        lines.append(f"  {ttft} · {speed} · {latency} · {tokens} · {cost_text}")
    return lines


def _check_ranges(args: argparse.Namespace) -> None:
    """One usage error per out-of-range option, before any model process starts."""
    if not 256 <= args.ctx <= 131_072:
        raise CliError(f"--ctx must be between 256 and 131072 tokens (got {args.ctx})")
    if args.threads < 0:
        raise CliError(f"--threads must be 0 (llama.cpp's default) or more (got {args.threads})")
    if args.gpu_layers < -1:
        raise CliError(f"--gpu-layers must be -1 (all layers), 0 (CPU only) or more (got {args.gpu_layers})")
    if not 0 <= args.temperature <= 2:
        raise CliError(f"--temperature must be between 0 and 2 (got {args.temperature:g})")
    if args.timeout <= 0:
        raise CliError(f"--timeout must be above 0 seconds (got {args.timeout:g})")
    for option, prices in (("--local-price", args.local_price), ("--frontier-price", args.frontier_price)):
        if prices and min(prices) < 0:
            raise CliError(
                f"{option} takes two prices of 0 or more USD per Mtok (got {prices[0]:g} {prices[1]:g})"
            )
    if args.labels is not None and not any(part.strip() for part in args.labels.split(",")):
        raise CliError(f"--labels names no label (got {args.labels!r}); give them as A,B,C")


@dataclasses.dataclass(frozen=True)
class _Specialist:
    """The specialist side as `ask` runs it: its generator (None: nothing to ask), how it is named
    and priced, its prompt mode, whether the local build can offload to a GPU (None: no local model
    this time) and whether a model asked for did not start."""

    generator: Any
    side: Any
    mode: Any
    gpu_supported: bool | None = None
    failed: bool = False


def _local_specialist(args: argparse.Namespace, session: Any, prices: Any) -> _Specialist:
    """The bundled Gemma or `--gguf FILE` in the session's model process (or why it did not start)."""
    from app.inference.bundled_model import BundledModelError, bundled_model_path
    from app.inference.gguf import GgufError, read_gguf_info
    from app.inference.local_generator import LocalSpecialist
    from app.inference.local_server import LlamaLoadOptions, LocalServerError, gpu_offload_supported
    from app.inference.playground import SideRun
    from app.inference.session import ModelChoice, model_display_name

    try:
        model_path = read_gguf_info(args.gguf).path if args.gguf else bundled_model_path()
        info = read_gguf_info(model_path)
    except GgufError as exc:
        raise CliError(str(exc)) from None
    except BundledModelError as exc:
        raise CliError(str(exc)) from None
    chosen = model_path if args.gguf else None  # None: the bundled model, named as such
    name = model_display_name(chosen, info)
    mode = args.mode if args.mode != "auto" else ("chat" if info.has_chat_template else "completion")
    settings = LlamaLoadOptions(context_size=args.ctx, threads=args.threads, gpu_layers=args.gpu_layers)
    try:
        server = session.ensure(ModelChoice(chosen, settings))
    except LocalServerError as exc:
        side = SideRun(name=name, empty_reason=f"the local model did not start: {exc}")
        return _Specialist(None, side, mode, gpu_offload_supported(), failed=True)
    local = LocalSpecialist(server, display_name=name)
    return _Specialist(local, SideRun(name=name, prices=prices), mode, server.gpu_offload)


def _served_specialist(args: argparse.Namespace, session: Any, prices: Any) -> _Specialist:
    """A specialist at an OpenAI-compatible endpoint (or why it cannot be asked: no key)."""
    from app.inference.playground import SideRun
    from app.inference.session import served_model_name

    endpoint = specialist_endpoint(args, args.timeout)
    name = served_model_name(endpoint)
    mode = "completion" if args.mode == "completion" else "chat"
    problem = session.endpoint_empty_reason(endpoint)
    if problem is not None:
        return _Specialist(None, SideRun(name=name, empty_reason=problem), mode)
    client = session.client(
        endpoint,
        key_hint=SPECIALIST_KEY_HINT,
        on_retry=lambda left, why: print(f"specialist: retrying in {left:.0f} s: {why}", file=sys.stderr),
    )
    client.total_timeout_s = args.timeout  # as the frontier's: the whole answer, not only a silence
    return _Specialist(client, SideRun(name=name, prices=prices), mode)


def run(args: argparse.Namespace) -> int:
    """Run the comparison and print it; exit 1 when a configured side failed."""
    from app.inference.endpoints import preset_by_name, preset_for_url
    from app.inference.local_server import describe_gpu_offload
    from app.inference.openai_client import OpenAICompatibleGenerator
    from app.inference.playground import PendingRun, RunSettings, SidePrices, SideRun, run_both
    from app.inference.session import InferenceSession, ServedEndpoint
    from app.inference.types import GenerationRequest

    if not args.prompt.strip():
        raise CliError("the prompt is empty")
    if bool(args.frontier_url) != bool(args.frontier_model):
        raise CliError("give --frontier-url and --frontier-model together")
    check_specialist_options(args)
    if args.max_tokens < 1:
        raise CliError("--max-tokens must be at least 1")
    _check_ranges(args)
    if args.frontier_url and not args.frontier_url.strip().lower().startswith(("http://", "https://")):
        raise CliError(f"--frontier-url must start with http:// or https:// (got {args.frontier_url!r})")
    labels = tuple(x.strip() for x in args.labels.split(",") if x.strip()) if args.labels else None
    if labels:
        from app.domain.labels import check_labels

        try:
            check_labels(labels)  # before a grammar built from them reaches the model process
        except ValueError as exc:
            raise CliError(f"--labels: {exc}") from exc

    # The one owner of the model process and of the clients, as in the window.
    session = InferenceSession()
    local_in, local_out = args.local_price or (0.0, 0.0)
    local_prices = SidePrices(
        local_in, local_out, "custom" if args.local_price else "local, no per-token price"
    )
    if args.no_local:
        chosen = _Specialist(
            None, SideRun(name="local model", empty_reason="skipped (--no-local)"), "completion"
        )
    elif args.specialist_url:
        chosen = _served_specialist(args, session, local_prices)
    else:
        chosen = _local_specialist(args, session, local_prices)
    local, local_side, mode = chosen.generator, chosen.side, chosen.mode

    frontier: OpenAICompatibleGenerator | None = None
    frontier_side = SideRun(
        name="frontier",
        empty_reason="no frontier endpoint configured: pass --frontier-url URL --frontier-model NAME",
    )
    if args.frontier_url:
        preset = (
            preset_by_name(args.frontier_preset)
            if args.frontier_preset
            else preset_for_url(args.frontier_url)
        )
        endpoint = ServedEndpoint(args.frontier_url, args.frontier_model, preset, args.timeout)
        endpoint = endpoint.with_key_env(args.frontier_key_env)
        key = session.endpoint_key(endpoint)
        if endpoint.preset.needs_key and not key.key:
            frontier_side = SideRun(name=args.frontier_model, empty_reason=key.detail)
        else:
            frontier = session.client(
                endpoint,
                key_hint=(
                    f"the key {key.detail}"
                    if key.key
                    else "that the endpoint needs none, or pass --frontier-key-env VAR naming the variable "
                    "that holds it"
                ),
                on_retry=lambda left, why: print(f"retrying in {left:.0f} s: {why}", file=sys.stderr),
            )
            # --timeout bounds the whole answer too: keep-alives trickled forever never end a read.
            frontier.total_timeout_s = args.timeout
            frontier_side = SideRun(
                name=args.frontier_model, prices=_frontier_prices(args.frontier_model, args.frontier_price)
            )

    base = GenerationRequest(
        prompt=args.prompt,
        system=args.system,
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        labels=labels,
    )
    try:
        local_result, frontier_result = run_both(
            local,
            dataclasses.replace(base, mode=mode),
            frontier,
            dataclasses.replace(base, mode="chat" if args.frontier_mode == "chat" else "completion"),
        )
    finally:
        if local is not None:
            local.close()
        session.stop()
        if frontier is not None:
            frontier.close()
    record = PendingRun(
        prompt=args.prompt,
        local=local_side,
        frontier=frontier_side,
        settings=RunSettings(
            mode=mode,
            max_tokens=args.max_tokens,
            temperature=args.temperature,
            labels=labels,
            context_size=args.ctx,
            threads=args.threads,
            gpu_layers=args.gpu_layers,
        ),
        local_failed=chosen.failed,
    ).finish(local_result, frontier_result)
    gpu_supported = chosen.gpu_supported
    gpu_line = describe_gpu_offload(gpu_supported, args.gpu_layers)
    if args.json:
        data = record.to_dict()
        data["local_gpu"] = {
            "offload_supported": gpu_supported,
            "gpu_layers_requested": args.gpu_layers,
            "offload_active": bool(gpu_supported) and args.gpu_layers != 0,
            "summary": gpu_line,
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        if args.specialist_url:
            print(f"Specialist (served): {record.local.name}")
        else:
            print(f"Local specialist: {record.local.name}")
        if not args.no_local and not args.specialist_url:
            print(f"  {gpu_line}")
        print("\n".join(_figures_lines(record.local)))
        print(f"Frontier: {record.frontier.name}")
        print("\n".join(_figures_lines(record.frontier)))
    failed = chosen.failed or any(r is not None and r.error for r in (local_result, frontier_result))
    return EXIT_FAILURE if failed else EXIT_OK
