"""Headless commands on the same domain code as the window. Never imports `app.ui`.

Each subcommand lives in its own module `app.cli.<name>` exposing
`add_parser(subparsers) -> argparse.ArgumentParser` and `run(args) -> int`.
Heavy imports (llama.cpp, openai, Qt for PDF rendering) stay inside `run` so
`--version` and `calc` start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Protocol

from app import APP_NAME, __version__

SUBCOMMANDS: tuple[str, ...] = ("calc", "presets", "ask", "spotcheck", "memo", "distill")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2  # bad input: missing, malformed or invalid file or argument


class _SubcommandModule(Protocol):
    def add_parser(
        self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]
    ) -> argparse.ArgumentParser: ...

    def run(self, args: argparse.Namespace) -> int: ...


class CliError(Exception):
    """A problem with the user's input, reported as one line and exit code 2."""


def _load(name: str) -> _SubcommandModule | None:
    try:
        module = importlib.import_module(f"app.cli.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"app.cli.{name}":
            return None  # subcommand not shipped in this build
        raise
    return module  # type: ignore[return-value]


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, _SubcommandModule]]:
    """The full argument parser and the subcommand modules behind it."""
    parser = argparse.ArgumentParser(
        prog="specialist-studio",
        description=f"{APP_NAME}: is a small fine-tuned specialist worth it for this task? "
        "With no command (or a scenario FILE) the window opens.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"specialist-studio {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules: dict[str, _SubcommandModule] = {}
    for name in SUBCOMMANDS:
        module = _load(name)
        if module is not None:
            sub = module.add_parser(subparsers)
            sub.set_defaults(_run=module.run)
            modules[name] = module
    return parser, modules


def main(argv: list[str] | None = None) -> int:
    """Run a headless command and return its exit code; never lets a traceback reach the user."""
    parser, _ = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = run(args)
    except CliError as exc:
        print(f"specialist-studio {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        # A file or disk fault no command caught itself (a full disk, a vanished folder): one line.
        print(f"specialist-studio {args.command}: {_os_error_line(exc)}", file=sys.stderr)
        return EXIT_FAILURE
    return code


def _os_error_line(exc: OSError) -> str:
    """`<file>: <reason>` from any OSError, on one line."""
    from app.storage.regular_files import FileRefusedError, os_problem

    if isinstance(exc, FileRefusedError):
        return str(exc)
    where = f"{exc.filename}: " if exc.filename else ""
    return " ".join(f"{where}{os_problem(exc)}".split())
