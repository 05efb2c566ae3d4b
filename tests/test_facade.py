"""The front door (``import mediaops``): cheap to import, typed, and the README's example runs as written.

Wrong implementations these tests reject: a façade that imports the whole pipeline at ``import mediaops``
(slow CLI start, heavy imports for a script that reads one timeline); option names that silently do nothing
(``max_clip=3`` accepted and ignored); a README example that drifted from the code.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import mediaops
from mediaops.facade import _options_with
from tests.retro_data import build_metrics, write_output_folder

REPO = Path(__file__).resolve().parents[1]


def test_import_loads_no_stage() -> None:
    code = "import sys, mediaops; print(sorted(m for m in sys.modules if m.startswith('mediaops')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "['mediaops']"


def test_every_public_name_resolves_and_is_typed() -> None:
    assert (REPO / "mediaops" / "py.typed").is_file()
    for name in mediaops.__all__:
        assert getattr(mediaops, name) is not None, name
    with pytest.raises(AttributeError):
        _ = mediaops.no_such_thing


def test_options_by_field_name_reach_their_group() -> None:
    options = _options_with({"max_clips": 3, "language": "zh", "first_clips": False})
    assert options.highlights.max_clips == 3
    assert options.transcribe.language == "zh"
    assert options.first_clips is False
    with pytest.raises(TypeError, match="max_clip"):
        _options_with({"max_clip": 3})


def test_find_highlights_from_metrics_alone() -> None:
    metrics = build_metrics()
    found = mediaops.find_highlights(metrics, max_clips=3)
    assert 1 <= len(found) <= 3
    assert all(isinstance(h, mediaops.Highlight) and h.reasons for h in found)
    assert [h.start_s for h in found] == sorted(h.start_s for h in found)


def test_load_timeline_from_folder_or_file(tmp_path: Path) -> None:
    out = write_output_folder(tmp_path / "out")
    for where in (out, out / "timeline.json"):
        timeline = mediaops.load_timeline(where)
        assert isinstance(timeline, mediaops.Timeline) and len(timeline.clips) == 4
    with pytest.raises(mediaops.TimelineError):
        mediaops.load_timeline(tmp_path)


@pytest.mark.slow
def test_readme_example_runs_as_written(tmp_path: Path, whisper_model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    match = re.search(r"## Use it from a script.*?```python\n(.*?)```", readme, re.S)
    assert match, "README.md lost its 'Use it from a script' example"
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("MEDIAOPS_MODEL", whisper_model)
    code = match.group(1).replace('"out/demo"', repr(str(tmp_path / "demo")))
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    timeline = namespace["timeline"]
    assert isinstance(timeline, mediaops.Timeline) and timeline.clips
    assert (tmp_path / "demo" / "timeline.json").is_file()
