"""Which model processes this test process has started, read from /proc (Linux)."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

MODEL_SERVER_MODULE = b"app.inference.model_server"


def model_server_children(ignore: Collection[int] = ()) -> list[int]:
    """Process ids of live children of this process that run the app's model server.

    `ignore` leaves out processes that were running before a test began: the suite's shared model
    servers (tests/support/fixtures.py) live for the whole run, so a test that counts the processes
    it started passes what it found at its start.
    """
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
        fields = stat.rsplit(")", 1)[1].split()
        state, parent = fields[0], int(fields[1])
        if parent == me and state != "Z" and MODEL_SERVER_MODULE in cmdline and int(entry.name) not in ignore:
            found.append(int(entry.name))
    return sorted(found)
