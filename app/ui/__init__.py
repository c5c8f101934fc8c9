"""The window (the only package that imports PySide6 widgets and pyqtgraph).

The pure-Python layers the window stands on are imported here, before any Qt module: PySide6
reads the source of every module imported after it (to look for its `__feature__` switches),
and doing without that for numpy, pydantic and the domain and storage modules saves about a
tenth of a second of start-up. Importing them first changes nothing else.
"""

from __future__ import annotations

import importlib

# By name, so that no name (such as `app`) is bound in this package's namespace.
for _module in (
    "numpy",
    "app.domain.costs",
    "app.domain.rules",
    "app.domain.scenario",
    "app.storage.autosave",
    "app.storage.presets",
    "app.storage.resources",
    "app.storage.scenario_files",
    "app.storage.settings",
):
    importlib.import_module(_module)
del _module
