"""Re-rendering the clips and replays of a finished output folder with other settings, without re-analysing.

Everything is rendered into a hidden sibling folder first; only when every file is done are the old clips,
replays and exports swapped for the new ones and ``timeline.json`` rewritten (atomically). A failed run leaves
the folder exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from mediaops.analysis.reasons import reasons_of
from mediaops.errors import TimelineError
from mediaops.inputs.products import load_products
from mediaops.jobs.outdir import scratch_prefix
from mediaops.media.probe import check_input_file, probe
from mediaops.render.batch import render_clips, render_extras
from mediaops.render.options import RenderOptions
from mediaops.report import report_options_for, write_reports
from mediaops.serialize import to_jsonable, write_json_atomic
from mediaops.timeline import read_timeline, validate_timeline
from mediaops.types import Clip, Highlight, PitchSegment, Product, ProgressCallback, Segment, Transcript, no_progress

#: files and folders of an output folder that rendering owns (and so replaces).
_OUTPUTS = ("clips", "reel.mp4", "reel.vtt", "replay.mp4", "chapters.vtt", "highlights.edl", "highlights.fcpxml",
            "products.json")


def _highlights(doc: dict[str, Any]) -> list[Highlight]:
    items = doc.get("highlights") or doc.get("clips") or []
    return [
        Highlight(id=h["id"], start_s=float(h["start_s"]), end_s=float(h["end_s"]), score=float(h.get("score", 0)),
                  peak_t_s=float(h.get("peak_t_s", h["start_s"])), reasons=tuple(h.get("reasons") or ()),
                  reason_records=reasons_of(h),
                  product_sku=h.get("product_sku"), title=h.get("title") or "")
        for h in items
    ]


def _pitches(doc: dict[str, Any]) -> list[PitchSegment]:
    return [PitchSegment(p["sku"], p.get("name") or p["sku"], float(p["start_s"]), float(p["end_s"]))
            for p in doc.get("pitches") or []]


def _transcript(out_dir: Path, duration_s: float) -> Transcript | None:
    path = out_dir / "transcript.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        segments = tuple(Segment(float(s["start_s"]), float(s["end_s"]), str(s["text"])) for s in data["segments"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise TimelineError(f"{path} cannot be read — re-run `mediaops process` or render with --no-captions") from exc
    return Transcript(data.get("language") or "", segments, duration_s)


def rerender(out_dir: Path, options: RenderOptions, recording: Path | None = None, products_file: Path | None = None,
             on_progress: ProgressCallback = no_progress) -> list[Clip]:
    """Render the highlights of ``out_dir`` again with ``options`` and update its ``timeline.json``.

    Raises:
        TimelineError: the folder has no usable timeline. InputFileError: the recording is gone (pass
        ``recording``). FFmpegError / InvalidMediaError: rendering failed (the folder is left unchanged).
    """
    doc = read_timeline(out_dir)
    source = recording or Path(doc["recording"]["path"])
    check_input_file(source, "recording (pass --recording if it moved)")
    info = probe(source)
    highlights = _highlights(doc)
    if not highlights:
        raise TimelineError(f"{out_dir / 'timeline.json'} lists no highlights to render")
    # without a new list, the one the run used (kept beside its timeline): same names and prices as before
    stored = out_dir / "products.json"
    products_file = products_file or (stored if stored.is_file() else None)
    products: list[Product] = load_products(products_file) if products_file else []
    pitches = _pitches(doc)
    known = {p.sku for p in products}
    products += [Product(p.sku, p.name) for p in pitches if p.sku not in known]
    transcript = _transcript(out_dir, info.duration_s)

    work = Path(tempfile.mkdtemp(prefix=scratch_prefix(out_dir, "render"), dir=out_dir.parent))
    try:
        clips = render_clips(source, info, highlights, transcript, work, options, on_progress, products)
        extras = render_extras(source, info, clips, pitches, work, options, products, source.stem, on_progress)
        doc["clips"] = to_jsonable(clips)
        doc["extras"] = {**{k: v for k, v in (doc.get("extras") or {}).items() if v not in _OUTPUTS}, **extras}
        validate_timeline(doc)
        _swap_in(work, out_dir)
        write_json_atomic(out_dir / "timeline.json", doc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # the reports again in the language and formats the run chose (a PDF included), never the defaults
    write_reports(doc, out_dir, report_options_for(doc, out_dir))
    return clips


def _swap_in(work: Path, out_dir: Path) -> None:
    """Move the rendered outputs from ``work`` into ``out_dir``, replacing the old ones (each by a rename)."""
    trash = Path(tempfile.mkdtemp(prefix=scratch_prefix(out_dir, "old"), dir=out_dir.parent))
    try:
        for name in _OUTPUTS:
            old, new = out_dir / name, work / name
            if old.exists():
                os.replace(old, trash / name)
            if new.exists():
                os.replace(new, old)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
