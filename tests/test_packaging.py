"""Packaging: the library installs and runs without the web and worker stacks, and says which extra to add.

Wrong shapes rejected: Flask, Celery or SQLAlchemy back among the core dependencies; a missing extra reported
as an "internal error" with a Python exception name instead of the pip command that fixes it.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_core_dependencies_hold_no_adapter_stack() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    core = " ".join(project["dependencies"]).lower()
    for name in ("flask", "celery", "sqlalchemy", "kombu", "redis"):
        assert name not in core, name
    extras = project["optional-dependencies"]
    assert any("flask" in d for d in extras["web"]) and any("celery" in d for d in extras["workers"])
    assert any(d.startswith("mediaops[web,workers]") for d in extras["dev"])  # the README's install keeps all


def test_a_missing_extra_names_the_pip_command(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['flask'] = None; sys.modules['sqlalchemy'] = None\n"
            "from mediaops.cli import main\n"
            "sys.exit(main(['user', 'add', 'someone', '--password-stdin']))\n")
    env = {"PATH": "/usr/bin:/bin", "MEDIAOPS_STORAGE": str(tmp_path), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], input="a-long-password\n", capture_output=True, text=True,
                         timeout=120, env=env, cwd=REPO)
    assert out.returncode == 2, out.stderr
    assert "pip install 'mediaops[" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_the_command_line_starts_without_the_heavy_stacks() -> None:
    """``mediaops --help`` builds every subcommand's parser without loading SciPy, the speech engines, the chart
    libraries or the web/worker stacks (they load when a command runs). Rejected: a CLI module that imports the
    pipeline at module level (3–4 s before the help text appears)."""
    code = ("import sys\nfrom mediaops.cli import build_parser\nbuild_parser()\n"
            "heavy = ('scipy', 'faster_whisper', 'ctranslate2', 'torch', 'whisper', 'plotly', 'matplotlib', 'flask',"
            " 'celery', 'sqlalchemy', 'onnxruntime', 'moviepy')\n"
            "print(sorted(n for n in heavy if n in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
