"""The MediaOps web UI and JSON API: ``create_app()`` and its blueprints.

Views are thin: they check who asks and what they sent, call :mod:`workers.jobs`, and render or return JSON.
Run it with ``mediaops serve`` (web + embedded worker) or ``gunicorn "web:create_app()"`` plus ``mediaops worker``.

Flask is imported only when the app is built (:mod:`web.app`), so that ``mediaops --help`` and the library's
command line work where the ``web`` extra is not installed.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {"create_app", "CSP", "NON_PAGE_CSP", "JSONErrorRequestHandler", "MediaOpsFlask"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module("web.app"), name)
    raise AttributeError(f"module 'web' has no attribute {name!r}")
