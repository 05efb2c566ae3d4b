"""Rendering every highlight of a run, then its replays and editor exports."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mediaops.inputs.products import save_products
from mediaops.render.clips import render_highlight
from mediaops.render.export import to_edl, to_fcpxml
from mediaops.render.options import RenderOptions
from mediaops.render.reel import write_replays
from mediaops.serialize import write_text_atomic
from mediaops.types import Clip, Highlight, MediaInfo, PitchSegment, Product, ProgressCallback, Transcript, no_progress


def render_clips(
    source: Path,
    info: MediaInfo,
    highlights: Sequence[Highlight],
    transcript: Transcript | None,
    work: Path,
    options: RenderOptions,
    on_progress: ProgressCallback = no_progress,
    products: Sequence[Product] = (),
) -> list[Clip]:
    """Render every highlight into ``work/clips``, ``options.workers`` at a time (default: one per core).

    Clips come back in input order; each reports the span it really covers (keyframe-snapped in ``fast`` mode).
    Raises:
        FFmpegError, InvalidMediaError: a clip could not be rendered (the others may already be on disk).
    """
    cores = os.cpu_count() or 1
    workers = max(1, min(options.workers or cores, len(highlights) or 1))
    # share the cores between the encoders running at once instead of letting each start one thread per core
    threads = max(1, cores // workers)
    by_sku = {p.sku: p for p in products}
    done = 0
    clips: list[Clip] = []

    def render(highlight: Highlight) -> Clip:
        return render_highlight(source, info, highlight, transcript, work, options, by_sku, threads)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for clip in pool.map(render, highlights):
            clips.append(clip)
            done += 1
            on_progress("render", done / max(1, len(highlights)), f"{done}/{len(highlights)} clips")
    return clips


def render_extras(
    source: Path,
    info: MediaInfo,
    clips: Sequence[Clip],
    pitches: Sequence[PitchSegment],
    work: Path,
    options: RenderOptions,
    products: Sequence[Product] = (),
    title: str = "",
    on_progress: ProgressCallback = no_progress,
    reel: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Replays (chapters, full replay, highlight reel), editor exports (EDL, FCPXML) and the product list the
    clips and the reel were made with (``products.json``, read back by ``mediaops render``) in ``work``.
    ``reel``: the reel's files, rendered beforehand into ``work`` (:func:`mediaops.render.reel.write_reel`).

    Returns the written files by kind, relative to ``work``, for the timeline's ``extras``.
    """
    on_progress("replay", 0.0, "chapters, replay and highlight reel")
    written = write_replays(source, info, clips, pitches, work, options, {p.sku: p for p in products}, title, reel)
    write_text_atomic(work / "highlights.edl", to_edl(clips, info, title or "MediaOps highlights"))
    write_text_atomic(work / "highlights.fcpxml", to_fcpxml(clips, info, title or "MediaOps highlights"))
    written.update(edl="highlights.edl", fcpxml="highlights.fcpxml")
    if products:
        save_products(products, work / "products.json")
        written["products"] = "products.json"
    on_progress("replay", 1.0, ", ".join(sorted(written)))
    return written
