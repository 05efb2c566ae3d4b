"""The library stays pure: importing every mediaops module pulls in neither Flask nor Celery."""

import subprocess
import sys


def test_library_imports_neither_flask_nor_celery() -> None:
    code = (
        "import pkgutil, importlib, sys, mediaops\n"
        "for m in pkgutil.walk_packages(mediaops.__path__, 'mediaops.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in ('flask', 'celery', 'kombu', 'werkzeug') if n in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
