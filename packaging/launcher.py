"""Entry point of the bundled app: the app itself, and the interpreter for its own child processes.

In a PyInstaller bundle `sys.executable` is this program, not a Python. The app starts its
helper processes the way a source install does (`sys.executable -m app.inference.model_server
...` for the local model, `sys.executable -c CODE` for a quick capability probe), so this entry
point answers those two interpreter forms itself before anything else is imported. The local
model therefore always runs from inside the bundle, never from a Python found on PATH, and the
app code needs no frozen-only branch.
"""

from __future__ import annotations

import runpy
import sys

# Interpreter options a child command may carry before -m/-c; the frozen interpreter ignores them.
_IGNORED_INTERPRETER_OPTIONS = frozenset({"-u", "-B", "-E", "-I", "-s", "-S"})
# The bundle is not a general-purpose Python: -m runs only the app's own modules.
_RUNNABLE_MODULE_PREFIX = "app."


def run_as_interpreter(argv: list[str]) -> int | None:
    """Run `PROG -m MODULE ARGS...` or `PROG -c CODE ARGS...` the way Python would.

    Returns None when `argv` is neither form (the caller then starts the app). A module outside
    the app is refused with exit code 2 and one line naming it.
    """
    args = argv[1:]
    while args and args[0] in _IGNORED_INTERPRETER_OPTIONS:
        args = args[1:]
    if len(args) < 2 or args[0] not in {"-m", "-c"}:
        return None
    option, target, rest = args[0], args[1], args[2:]
    if option == "-m":
        if not target.startswith(_RUNNABLE_MODULE_PREFIX):
            print(f"specialist-studio: -m {target}: only the app's own modules run here", file=sys.stderr)
            return 2
        sys.argv = [target, *rest]
        # SystemExit raised by the module (sys.exit(main())) carries its exit code out as usual.
        runpy.run_module(target, run_name="__main__", alter_sys=True)
        return 0
    sys.argv = ["-c", *rest]
    exec(compile(target, "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
    return 0


def main() -> int:
    """Serve a child-process command if that is what was asked, else start the app."""
    code = run_as_interpreter(sys.argv)
    if code is not None:
        return code
    from app.__main__ import main as app_main

    return app_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
