"""The library's shape: no Flask or Celery inside it, imports that point one way, and no cycles.

The packages are the pipeline's stages, in layers (a module may import its own package and the layers below
it; the two sides of one layer do not import each other):

    cli · facade                          argument parsing and terminal output · the typed API for scripts
    jobs · live                           options, stages, pipeline, re-render · clips and alerts while on air
    report                                Markdown, HTML, PDF, CSV writers
    retrospective · render                KPIs, product table, insights, the document · clips, covers, reel
    transcribe                            speech to text (uses the span helpers of analysis)
    analysis                              engagement signals, scenes, highlights, pitches, attribution
    media · inputs                        probing, audio, ffmpeg, fonts · metrics, times, comments, products
    types · errors · serialize · timeline the data that flows between stages and the published contract

Wrong shapes this must reject: a stage importing the pipeline's options (``analysis → jobs``), the report
reaching into rendering (``report → render``), an input reader using analysis (``inputs → analysis``), and a
function-level import used to dodge a cycle (all imports are read, not only the module-level ones).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "mediaops"

BOTTOM = {"types", "errors", "serialize", "timeline", "py"}
#: what each package may import besides itself and the bottom layer (types, errors, serialize, timeline).
ALLOWED: dict[str, set[str]] = {
    **{name: set() for name in BOTTOM},
    "media": set(),
    "inputs": {"media"},
    "analysis": {"media", "inputs"},
    "transcribe": {"media", "inputs", "analysis"},
    "render": {"media", "inputs", "analysis", "transcribe"},
    "retrospective": {"media", "inputs", "analysis", "transcribe"},
    "report": {"media", "inputs", "analysis", "transcribe", "retrospective"},
    "jobs": {"media", "inputs", "analysis", "transcribe", "render", "retrospective", "report"},
    "live": {"media", "inputs", "analysis", "transcribe", "render", "retrospective", "report", "jobs"},
    "cli": {"media", "inputs", "analysis", "transcribe", "render", "retrospective", "report", "jobs", "live"},
    "facade": {"media", "inputs", "analysis", "transcribe", "render", "retrospective", "report", "jobs"},
}


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "mediaops" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module != "mediaops":
                found.append((node.lineno, node.module))
            if node.module == "mediaops":  # the version string is the one thing modules take from the façade
                found += [(node.lineno, f"mediaops.{a.name}") for a in node.names if a.name != "__version__"]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


def _library_modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(LIB.rglob("*.py")):
        rel = path.relative_to(LIB.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out.append((name, path))
    return out


def violations(modules: list[tuple[str, Path]]) -> list[str]:
    """Every import from a lower layer to a higher one (the façade ``mediaops/__init__`` may import anything)."""
    bad = []
    for name, path in modules:
        own = _package_of(name)
        if own is None or own == "__main__":
            continue
        where = path.relative_to(LIB.parent) if path.is_relative_to(LIB.parent) else path.name
        for line, target in _imports(path):
            dep = _package_of(target)
            if dep is None or dep == own:
                continue
            if own not in ALLOWED or dep not in ALLOWED:
                bad.append(f"{where}:{line} imports {target}: package not in the layer map")
            elif dep not in BOTTOM and dep not in ALLOWED[own]:
                bad.append(f"{where}:{line} imports {target} ({own} may not depend on {dep})")
    return bad


def test_every_import_points_down() -> None:
    assert violations(_library_modules()) == []


def test_no_module_level_import_cycle() -> None:
    modules = dict(_library_modules())
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        for node in tree.body:  # module level: what runs at import time
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            graph[name] |= {t for t in targets if t in graph and t != name}
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    # a package importing its own submodules for re-export is not a cycle of logic
    cycles = [c for c in cycles if not all(p.startswith(c.split(" → ")[0] + ".") or p == c.split(" → ")[0]
                                           for p in c.split(" → "))]
    assert cycles == []


@pytest.mark.parametrize("wrong", ["analysis→jobs", "report→render", "inputs→analysis", "function-level"])
def test_the_check_rejects_wrong_shapes(tmp_path: Path, wrong: str) -> None:
    """Each wrong shape from the module docstring, planted in a throw-away module, is reported."""
    source = {
        "analysis→jobs": ("mediaops.analysis.bad", "from mediaops.jobs.options import ProcessOptions\n"),
        "report→render": ("mediaops.report.bad", "from mediaops.render.clips import render_clips\n"),
        "inputs→analysis": ("mediaops.inputs.bad", "import mediaops.analysis.signals\n"),
        "function-level": ("mediaops.media.bad", "def f():\n    from mediaops.report import write_reports\n"),
    }[wrong]
    path = tmp_path / "bad.py"
    path.write_text(source[1])
    assert len(violations([(source[0], path)])) == 1


def test_library_imports_neither_flask_nor_celery() -> None:
    code = (
        "import pkgutil, importlib, sys, mediaops\n"
        "for m in pkgutil.walk_packages(mediaops.__path__, 'mediaops.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in ('flask', 'celery', 'kombu', 'werkzeug', 'sqlalchemy') if n in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
