"""Served models on the command line: one way to name an OpenAI-compatible endpoint for every
command (`--frontier-url/-model/-key-env`, and for a served specialist `--specialist-url/-model/
-key-env` and `--specialist-grammar`), checked and turned into an endpoint the same way."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Literal

from app.cli import CliError

if TYPE_CHECKING:
    from app.inference.session import ServedEndpoint

# Where a rejected key came from, for the one-line error of a 401.
SPECIALIST_KEY_HINT = "the key in --specialist-key-env, the provider's usual variable or the keyring"


# Per side: what the URL is, and where its key is looked for when no variable is named.
_URL_HELP = {
    "frontier": "OpenAI-compatible base URL of the frontier model, e.g. .../v1",
    "specialist": "a specialist served at an OpenAI-compatible base URL instead of the local model",
}
_KEY_DEFAULT = {
    "frontier": "the endpoint's usual variable, then the system keyring",
    "specialist": "the provider's usual variable, else SPECIALIST_STUDIO_SPECIALIST_KEY, then the keyring",
}


def add_endpoint_options(
    parser: argparse.ArgumentParser,
    side: Literal["frontier", "specialist"],
    *,
    required: bool = False,
    url_aliases: tuple[str, ...] = (),
    key_aliases: tuple[str, ...] = (),
) -> None:
    """`--SIDE-url`, `--SIDE-model` and `--SIDE-key-env` (read as `args.SIDE_url`, ...)."""
    parser.add_argument(
        f"--{side}-url",
        *url_aliases,
        dest=f"{side}_url",
        metavar="URL",
        required=required,
        help=_URL_HELP[side],
    )
    parser.add_argument(
        f"--{side}-model", metavar="NAME", required=required, help=f"model name at the {side} endpoint"
    )
    parser.add_argument(
        f"--{side}-key-env",
        *key_aliases,
        dest=f"{side}_key_env",
        metavar="VAR",
        help=f"environment variable holding the {side} endpoint's key (default: {_KEY_DEFAULT[side]}; "
        "keys are never taken on the command line)",
    )


def add_specialist_options(parser: argparse.ArgumentParser) -> None:
    """A served specialist's endpoint (`--specialist-endpoint` spells the URL too), and whether labels
    go to it as a grammar."""
    add_endpoint_options(parser, "specialist", url_aliases=("--specialist-endpoint",))
    parser.add_argument(
        "--specialist-grammar",
        action="store_true",
        help="send the labels to the specialist endpoint as a GBNF grammar (llama.cpp's servers take it)",
    )


def check_specialist_options(args: argparse.Namespace) -> None:
    """One usage error for specialist options that do not go together (before anything runs)."""
    if bool(args.specialist_url) != bool(args.specialist_model):
        raise CliError("--specialist-url and --specialist-model go together")
    if not args.specialist_url:
        if args.specialist_key_env or args.specialist_grammar:
            raise CliError("--specialist-key-env and --specialist-grammar need --specialist-url")
        return
    if args.no_local or args.gguf:
        other = "--no-local" if args.no_local else "--gguf"
        raise CliError(f"--specialist-url and {other} contradict each other: one specialist at a time")
    if not args.specialist_url.strip().lower().startswith(("http://", "https://")):
        raise CliError(f"--specialist-url must start with http:// or https:// (got {args.specialist_url!r})")


def specialist_endpoint(args: argparse.Namespace, read_timeout_s: float = 60.0) -> ServedEndpoint:
    """The served specialist the options name."""
    from app.inference.session import ServedEndpoint

    return ServedEndpoint.specialist(
        args.specialist_url,
        args.specialist_model,
        args.specialist_key_env,
        read_timeout_s,
        args.specialist_grammar,
    )
