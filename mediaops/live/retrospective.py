"""The retrospective of a stream that live mode watched: the pipeline's publish step over the live session's work.

Nothing done on air is done again: the transcript is the one recognised stretch by stretch and the scene list the
cuts found as the video arrived. The clips are the ones ``mediaops process`` would choose from the whole stream
(:func:`choose_final_highlights`: the same candidates, the same rule); a clip made on air with the same start and
closing sentence is reused as it is (file, id and times), and only the others are rendered
(:func:`match_live_clips`).
What only makes sense for the whole stream is computed here, as :func:`mediaops.jobs.stages.publish` does it:
the metrics read against the complete recording, peaks and lowlights, pitches, sales spikes, insights, replays,
``timeline.json`` and the reports. The transcript also goes into the transcript cache where the options name
one, so a later ``mediaops process`` of the same recording does not recognise it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from mediaops import __version__
from mediaops.analysis.attribution import find_sales_spikes
from mediaops.analysis.highlights import candidate_peaks, choose_highlights, find_lowlights, find_peaks_in_engagement
from mediaops.analysis.pitches import find_pitches
from mediaops.inputs.comments import comment_series, load_comments
from mediaops.inputs.metrics import load_metrics
from mediaops.inputs.products import load_products
from mediaops.jobs.options import ProcessOptions, StreamInputs
from mediaops.live.incremental import scenes_from_cuts
from mediaops.media.probe import probe
from mediaops.render.batch import render_extras
from mediaops.report import report_settings, write_reports
from mediaops.retrospective.insights import build_insights, load_run_of_show, load_targets
from mediaops.serialize import write_json_atomic, write_text_atomic
from mediaops.timeline import write_timeline
from mediaops.transcribe import TranscribeOptions, transcript_to_srt, transcript_to_vtt
from mediaops.transcribe.cache import cache_key, store_cached
from mediaops.types import (
    Clip,
    Highlight,
    MediaInfo,
    Product,
    ProgressCallback,
    Timeline,
    Transcript,
    no_progress,
)


def pipeline_asr_options(options: TranscribeOptions, products: Sequence[Product]) -> TranscribeOptions:
    """The transcription options the pipeline uses for a recording with these products (their names and aliases
    as hot words), so that the transcript is cached under the key ``mediaops process`` looks up."""
    hotwords = tuple(dict.fromkeys(n for p in products for n in (p.name, *p.aliases)))
    return replace(options, hotwords=options.hotwords + hotwords)


def choose_final_highlights(
    duration_s: float,
    inputs: StreamInputs,
    options: ProcessOptions,
    transcript: Transcript,
    cuts: Sequence[float],
    start_time: datetime | None,
    start_source: str,
) -> list[Highlight]:
    """The clips ``mediaops process`` chooses from the finished stream (``duration_s`` long), over the live
    transcript and scene cuts: the whole stream's engagement peaks, its strongest candidates
    (:func:`mediaops.analysis.highlights.candidate_peaks`) and :func:`mediaops.analysis.highlights.choose_highlights`,
    as the pipeline's highlights stage does. Ids are those of the pipeline (``clip-01``… in time order).

    Raises:
        MediaOpsError: a side file cannot be read, or does not line up with the recording.
    """
    metrics = load_metrics(inputs.metrics, options.metrics, start_time, start_source, duration_s)
    comments = (load_comments(inputs.comments, options.metrics.offset_s, start_time, start_source,
                              options=options.metrics, duration_s=duration_s) if inputs.comments else [])
    products = load_products(inputs.products) if inputs.products else []
    transcript = replace(transcript, duration_s=duration_s)
    signals = comment_series(comments, duration_s, options.comments) if comments else ()
    peaks = find_peaks_in_engagement(metrics, signals, options.highlights, duration_s)
    candidates = candidate_peaks(peaks, options.highlights)
    return choose_highlights(candidates, scenes_from_cuts(cuts, duration_s), transcript, duration_s,
                             find_pitches(transcript, products), options.highlights)


#: two ends of the same closing sentence, timed from speech recognised in different stretches, are at most this far
#: apart (about 0.2 s measured); sentences are further apart than that (the pause that ends one is at least 0.6 s).
SAME_SENTENCE_S = 0.25


def same_cut(a: Highlight, b: Highlight) -> bool:
    """Whether two highlights make the same clip: the same start and product (to the millisecond the highlights
    are rounded to) and the same closing sentence (ends within :data:`SAME_SENTENCE_S`)."""
    return ((round(a.start_s, 3), a.product_sku) == (round(b.start_s, 3), b.product_sku)
            and abs(a.end_s - b.end_s) <= SAME_SENTENCE_S)


def match_live_clips(chosen: Sequence[Highlight], made: Sequence[Highlight]) -> list[Highlight | None]:
    """For each of the ``chosen`` highlights, the clip made on air (of ``made``) with the same cut
    (:func:`same_cut`), whose rendering is reused, or ``None`` where it must be rendered."""
    return [next((m for m in made if same_cut(h, m)), None) for h in chosen]


def write_live_retrospective(
    recording: Path,
    inputs: StreamInputs,
    out_dir: Path,
    options: ProcessOptions,
    transcript: Transcript,
    cuts: Sequence[float],
    highlights: Sequence[Highlight],
    clips: Sequence[Clip],
    start_time: datetime | None,
    start_source: str,
    extras: dict[str, object] | None = None,
    on_progress: ProgressCallback = no_progress,
) -> Timeline:
    """Write transcripts, replays, ``timeline.json`` and the reports of the finished ``recording`` into ``out_dir``
    (where the live clips already are), and return the timeline.

    Raises:
        MediaOpsError: the complete recording or a side file cannot be read (e.g. metrics that do not line up with
            the recording), or ffmpeg failed.
    """
    info: MediaInfo = probe(recording)
    duration_s = info.duration_s
    on_progress("publish", 0.0, "metrics, peaks and pitches of the whole stream")
    metrics = load_metrics(inputs.metrics, options.metrics, start_time, start_source, duration_s)
    comments = (load_comments(inputs.comments, options.metrics.offset_s, start_time, start_source,
                              options=options.metrics, duration_s=duration_s) if inputs.comments else [])
    products = load_products(inputs.products) if inputs.products else []
    transcript = replace(transcript, duration_s=duration_s)
    signals = comment_series(comments, duration_s, options.comments) if comments else ()
    peaks = find_peaks_in_engagement(metrics, signals, options.highlights, duration_s)
    pitches = find_pitches(transcript, products)
    scenes = scenes_from_cuts(cuts, duration_s)
    clips = tuple(sorted(clips, key=lambda c: c.start_s))
    chosen = tuple(sorted(highlights, key=lambda h: h.start_s))

    extra_files = render_extras(recording, info, clips, pitches, out_dir, options.render, products, recording.stem,
                                on_progress)
    write_json_atomic(out_dir / "transcript.json", transcript)
    write_text_atomic(out_dir / "transcript.srt", transcript_to_srt(transcript))
    write_text_atomic(out_dir / "transcript.vtt", transcript_to_vtt(transcript))
    if options.transcribe.cache_dir is not None:
        asr = pipeline_asr_options(options.transcribe, products)
        store_cached(options.transcribe.cache_dir, cache_key(recording, asr), transcript)
    spikes = find_sales_spikes(metrics, clips, list(pitches), options.spikes)
    on_progress("insights", 0.0, "targets, audience, delivery, script")
    targets = load_targets(inputs.targets) if inputs.targets else []
    run_of_show = load_run_of_show(inputs.run_of_show) if inputs.run_of_show else []
    insights = build_insights(transcript, metrics, comments, pitches, duration_s, targets, run_of_show,
                              inputs.start_time or start_time, options.insights, recording)
    timeline = Timeline(
        recording=info,
        clips=clips,
        sales_spikes=tuple(spikes),
        scenes=scenes,
        highlights=chosen,
        peaks=tuple(peaks),
        lowlights=tuple(find_lowlights(metrics, options.highlights)),
        pitches=tuple(pitches),
        metrics=metrics,
        language=transcript.language,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tool_version=__version__,
        insights=insights,
        extras={**extra_files, "report": report_settings(options.report), **(extras or {})},
    )
    doc = write_timeline(timeline, out_dir / "timeline.json")
    on_progress("report", 0.0, "writing reports")
    write_reports(doc, out_dir, options.report)
    on_progress("report", 1.0, "done")
    return timeline
