"""Entry point: a subcommand runs headless, anything else opens the window."""

from __future__ import annotations

import sys

from app.cli import SUBCOMMANDS


def main(argv: list[str] | None = None) -> int:
    """Dispatch `specialist-studio [FILE]` to the GUI and `specialist-studio CMD ...` to the CLI."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0] in SUBCOMMANDS or args[0] in {"-h", "--help", "--version", "-V"}):
        from app.cli import main as cli_main

        return cli_main(args)
    # Imported late so the headless commands never pay for (or need) Qt.
    from app.ui.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
