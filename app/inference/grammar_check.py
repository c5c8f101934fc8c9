"""Compile a GBNF grammar in a throwaway process before the model process ever uses it.

llama.cpp parses a grammar when a sampler is made from it. A malformed grammar yields a null
sampler, and llama-cpp-python then crashes the process that holds the model (SIGSEGV); a grammar
nested a few hundred thousand levels deep crashes the parser itself. So a grammar the app did not
build itself is first compiled in a short-lived child that loads only the model's vocabulary:
whatever happens there, the model process lives and the client gets one line saying why.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys

CHECK_TIMEOUT_S = 60.0

# Runs in the child: load the vocabulary only (no weights), make a grammar sampler, report.
_CHECK_CODE = """
import sys
import llama_cpp
grammar = sys.stdin.buffer.read()
llama_cpp.llama_backend_init()
params = llama_cpp.llama_model_default_params()
params.vocab_only = True
model = llama_cpp.llama_model_load_from_file(sys.argv[1].encode(), params)
if not model:
    print("novocab", flush=True)
    sys.exit(0)
sampler = llama_cpp.llama_sampler_init_grammar(llama_cpp.llama_model_get_vocab(model), grammar, b"root")
print("ok" if sampler else "bad", flush=True)
"""

_PARSE_ERROR = re.compile(r"error parsing grammar: ([^\n]+)")


def check_grammar_in_child(grammar: str, model_path: str, timeout_s: float = CHECK_TIMEOUT_S) -> str | None:
    """None when llama.cpp accepts `grammar` for the model's vocabulary, else one line saying why."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHECK_CODE, model_path],
            input=grammar.encode("utf-8", "replace"),
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"the grammar could not be checked within {timeout_s:g} s (too large or too deeply nested)"
    except OSError as exc:
        return f"the grammar could not be checked ({exc.strerror or exc})"
    verdict = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode == 0 and verdict == "ok":
        return None
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        return f"the grammar crashed llama.cpp's grammar parser ({name}); it is not used"
    found = _PARSE_ERROR.search(done.stderr.decode("utf-8", "replace"))
    reason = found.group(1).strip() if found else "llama.cpp refused it"
    return f"the grammar does not parse: {reason}"


__all__ = ["check_grammar_in_child"]
