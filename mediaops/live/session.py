"""A live session: watch a stream while it is on air, publish clips and alerts as they happen, and write the
retrospective when it ends.

Every ``poll_s`` seconds the session looks at how much of the recording is written, re-reads the metrics export
and the comment log (rows are appended while the stream runs), finds scene cuts in the new video, recognises the
new speech, decides the engagement peaks that later rows can no longer change, cuts and renders their clips
from what is on disk (in a background thread, so recognition goes on meanwhile) and announces each clip and
alert in ``live.jsonl`` (and to a webhook). Once the recording stops growing for ``idle_s`` (or the recorded
URL ends) it analyses what is left, writes the retrospective into the same folder and returns its timeline.

Clips are best first, as far as a stream still on air allows: the first ``max_clips`` moments are clipped as
they come; after that a moment is still clipped, and announced ``over_budget`` with the clips it ``outranks``,
when it is stronger than the weakest clip still kept (:func:`mediaops.live.incremental.rank_clip`), and weaker
ones are not. The retrospective keeps what ``mediaops process`` would choose from the whole stream, reusing the
clips made on air with the same cut and rendering the others (announced ``after_end``); the clips it does not
keep stay in ``clips/`` and are listed in the timeline's ``extras.live.clips_not_kept``.

A crash or a restart resumes from what is on disk (:mod:`mediaops.live.state`): nothing is recognised twice,
and no clip or alert is announced twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mediaops.analysis.highlights import engagement_score, find_peaks_in_engagement
from mediaops.analysis.pitches import find_pitches
from mediaops.analysis.reasons import describe_reasons, reasons_of
from mediaops.errors import FFmpegError, InputFileError, InvalidMediaError, MediaOpsError, MetricsFormatError
from mediaops.inputs.comments import comment_series, load_comments
from mediaops.inputs.metrics import load_metrics
from mediaops.inputs.products import load_products
from mediaops.jobs.options import ProcessOptions, StreamInputs
from mediaops.live.alerts import Alert, dead_air, new_alerts, pitch_overruns, unanswered_questions, viewers_drops
from mediaops.live.events import Event, EventLog, Webhook, wall_time
from mediaops.live.incremental import (
    IncrementalScenes,
    IncrementalTranscript,
    decision_is_open,
    peak_is_ready,
    plan_clip,
    rank_clip,
    rescore,
    to_decide,
)
from mediaops.live.memory import release_free_memory
from mediaops.live.options import LiveOptions
from mediaops.live.retrospective import (
    choose_final_highlights,
    match_live_clips,
    pipeline_asr_options,
    write_live_retrospective,
)
from mediaops.live.source import LiveSource, StreamRecorder, monotonic_s, open_source, recorded_duration_s
from mediaops.live.state import LiveState, PeakDecision, load_state, save_state
from mediaops.live.status import LiveStatus, viewer_curve, write_live_status
from mediaops.media.probe import probe
from mediaops.render.clips import render_highlight
from mediaops.retrospective.insights import load_run_of_show
from mediaops.retrospective.insights.types import PlanSegment
from mediaops.serialize import decode, encode
from mediaops.types import (
    Clip,
    Comment,
    Highlight,
    MediaInfo,
    Metrics,
    Product,
    ProgressCallback,
    Timeline,
    no_progress,
)

log = logging.getLogger("mediaops.live")

#: where the session keeps its working files inside the output folder.
WORK_DIR = ".live"
#: side files that are cut at their last complete line before reading (a writer may be mid-row).
_LINE_FORMATS = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson")


@dataclass(frozen=True, slots=True)
class _Snapshot:
    size: int
    mtime_ns: int


def _clip_event(clip: Clip, highlight: Highlight, lang: str) -> Event:
    """The ``clip`` event: the clip with its ``reasons`` in words of the run's language ``lang`` and its
    ``reason_records`` with their numbers."""
    return {"event": "clip", **encode(clip), "reasons": describe_reasons(reasons_of(clip), lang),
            "peak_t_s": highlight.peak_t_s, "onset_s": highlight.onset_s}


def _clip_from_event(event: Event) -> Clip:
    names = {f.name for f in fields(Clip)}
    clip = decode(Clip, {k: v for k, v in event.items() if k in names})
    # the event words the reasons in the run's language; the timeline keeps them in English, as the pipeline does
    return replace(clip, reasons=describe_reasons(clip.reason_records)) if clip.reason_records else clip


class LiveSession:
    """One live session; see the module's notes. Use :func:`run_live`."""

    def __init__(self, source: str, inputs: StreamInputs, out_dir: Path, options: ProcessOptions,
                 live: LiveOptions, webhook: str | None, on_event: Callable[[Event], None],
                 on_progress: ProgressCallback, check_cancelled: Callable[[], None],
                 sleep: Callable[[float], None], on_poll: Callable[[LiveStatus], None] = lambda status: None) -> None:
        self.source_text = source
        self.inputs = inputs
        self.out_dir = out_dir
        self.options = options
        self.live = live
        self.webhook_url = webhook
        self.on_event = on_event
        self.on_progress = on_progress
        self.check_cancelled = check_cancelled
        self.sleep = sleep
        self.on_poll = on_poll
        self.work = out_dir / WORK_DIR
        self.info: MediaInfo | None = None
        self.metrics: Metrics | None = None
        self.comments: list[Comment] = []
        self._snapshots: dict[Path, _Snapshot] = {}
        self._rendering: dict[str, Future[Clip]] = {}
        self._warned: set[str] = set()
        # set up by run(), which opens the files and the source
        self.events: EventLog
        self.state: LiveState
        self.source: LiveSource
        self.transcript: IncrementalTranscript
        self.scenes: IncrementalScenes
        self.products: list[Product]
        self.plan: list[PlanSegment]
        self.webhook: Webhook | None
        self.pool: ThreadPoolExecutor

    # --- announcing ---------------------------------------------------------------------------------------------

    def _announce(self, event: Event) -> Event:
        record = self.events.append(event)
        if self.webhook is not None:
            self.webhook.send(record)
        self.on_event(record)
        return record

    def _warn(self, message: str) -> None:
        """Announce ``message`` once (a file that cannot be read yet is said once, not every poll)."""
        key = "warning-" + hashlib.sha1(message.encode("utf-8")).hexdigest()[:10]
        if key in self._warned or key in self.events.ids("warning"):
            self._warned.add(key)
            return
        self._warned.add(key)
        log.warning("%s", message)
        self._announce({"event": "warning", "id": key, "message": message})

    def _save(self) -> None:
        self.state = replace(self.state, scenes_done_s=self.scenes.done_s, cuts=tuple(self.scenes.cuts))
        save_state(self.out_dir, self.state)

    # --- the side files -----------------------------------------------------------------------------------------

    def _snapshot(self, path: Path, role: str) -> Path | None:
        """A copy of ``path`` up to its last complete line (line formats) in the work folder, named for its
        ``role``, when it changed since the last look; ``None`` when it did not."""
        stat = path.stat()
        seen = _Snapshot(stat.st_size, stat.st_mtime_ns)
        if self._snapshots.get(path) == seen:
            return None
        self._snapshots[path] = seen
        data = path.read_bytes()
        if path.suffix.lower() in _LINE_FORMATS:
            data = data[: data.rfind(b"\n") + 1]
        copy = self.work / f"{role}{path.suffix}"
        copy.parent.mkdir(parents=True, exist_ok=True)
        partial = copy.with_name(f".{copy.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, copy)
        return copy if data else None

    def _read_side_files(self) -> None:
        start_time, start_source = self.state.start_time, self.state.start_source
        copy = self._snapshot(self.inputs.metrics, "metrics")
        if copy is not None:
            try:
                self.metrics = load_metrics(copy, self.options.metrics, start_time, start_source)
            except (MetricsFormatError, InputFileError) as exc:
                self._warn(f"metrics not usable yet ({self.inputs.metrics.name}): {exc}")
        comments = self.inputs.comments
        if comments is not None and (copy := self._snapshot(comments, "comments")) is not None:
            try:
                self.comments = load_comments(copy, self.options.metrics.offset_s, start_time, start_source,
                                              options=self.options.metrics)
            except (MetricsFormatError, InputFileError) as exc:
                self._warn(f"comments not usable yet ({comments.name}): {exc}")

    def _metrics_end_s(self) -> float:
        if self.metrics is None:
            return 0.0
        return max((s.t_s[-1] + s.interval_s for s in self.metrics.series if s.t_s), default=0.0)

    # --- the recording ------------------------------------------------------------------------------------------

    def _look(self, final: bool) -> float:
        """Seconds of the recording written so far (probing it the first time); 0.0 while nothing is readable."""
        recording = self.source.recording
        written_s = recorded_duration_s(recording) if recording.exists() else 0.0
        if written_s <= 0:
            return 0.0
        if self.info is None:
            try:
                info = probe(recording)
            except InvalidMediaError:
                if final:
                    raise
                return 0.0
            if not info.has_audio:
                raise InvalidMediaError(f"no audio track in {recording.name} — MediaOps needs the stream's sound")
            if not info.has_video:
                raise InvalidMediaError(f"no video track in {recording.name} — live mode needs the video to cut clips")
            self.info = info
        if self.state.start_time is None:
            if self.inputs.start_time is not None:
                start, where = self.inputs.start_time, "--start-time"
            elif self.info.creation_time is not None:
                start, where = self.info.creation_time, "the recording's creation time"
            else:
                start = datetime.now(UTC) - timedelta(seconds=written_s)
                where = "the live recording's start (when it was first seen, less what was already written)"
            self.state = replace(self.state, start_time=start, start_source=where)
        return written_s

    # --- clips --------------------------------------------------------------------------------------------------

    def _decide(self, written_s: float) -> None:
        """Clip the moments whose metrics row is written and whose clip can be cut now (on air; once the stream
        is over the whole stream's choice takes over, :meth:`_choose_final`)."""
        if self.metrics is None:
            return
        hl = self.options.highlights
        metrics_end_s = self._metrics_end_s()
        extra = comment_series(self.comments, metrics_end_s, self.options.comments) if self.comments else ()
        peaks = find_peaks_in_engagement(self.metrics, extra, hl, metrics_end_s)
        if not peaks:
            return
        engagement = engagement_score(self.metrics, extra, hl, metrics_end_s)
        transcript = self.transcript.transcript
        known_s = self.transcript.done_s
        scenes = self.scenes.scenes(self.scenes.done_s)
        pitches = find_pitches(transcript, self.products) if transcript is not None and self.products else []
        for peak in sorted(peaks, key=lambda p: p.t_s):
            pending, earlier = to_decide(peak, self.state.peaks, engagement, hl)
            if not pending:
                continue
            if not peak_is_ready(peak, metrics_end_s, self.live.peak_settle_s) or self.scenes.done_s < peak.t_s:
                continue
            plan = plan_clip(peak, scenes, transcript, known_s, pitches, hl)
            if plan.action == "wait":
                continue
            # a moment left without a clip is looked at again while its surge may still lift it
            still_open = decision_is_open(peak, metrics_end_s, self.live.peak_wait_s)
            if plan.highlight is None:
                self._decided(PeakDecision(peak.t_s, reason=plan.reason, open=still_open), earlier)
                continue
            # best first: clipped when the pipeline's choice over the clips made so far (scored again on the rows
            # known now) keeps it: the first --clips as they come, then any moment stronger than the weakest kept
            made = rescore(self.state.highlights, peaks, engagement, hl)
            ranking = rank_clip(plan.highlight, made, hl.max_clips)
            if not ranking.kept:
                self._decided(PeakDecision(peak.t_s, reason=ranking.reason, open=still_open), earlier)
                continue
            over_budget = len(self.state.highlights) >= hl.max_clips
            self._clip(plan.highlight, written_s,
                       PeakDecision(peak.t_s, over_budget=over_budget, outranks=ranking.outranks), earlier)

    def _clip(self, highlight: Highlight, written_s: float, decision: PeakDecision,
              earlier: PeakDecision | None = None) -> Highlight:
        """Give ``highlight`` the next clip id, record it and its ``decision`` (durably, in place of ``earlier``)
        and start rendering it."""
        highlight = replace(highlight, id=f"clip-{len(self.state.highlights) + 1:02d}")
        self.state = replace(self.state, highlights=(*self.state.highlights, highlight))
        self._decided(replace(decision, clip_id=highlight.id), earlier)
        self._render(highlight, written_s)
        return highlight

    def _decided(self, decision: PeakDecision, earlier: PeakDecision | None = None) -> None:
        """Record ``decision`` (in place of ``earlier``, an open decision on the same moment)."""
        kept = tuple(d for d in self.state.peaks if d is not earlier)
        self.state = replace(self.state, peaks=(*kept, decision))
        self._save()  # a decision is durable before its clip is rendered: a restart renders the same clip

    def _render(self, highlight: Highlight, written_s: float) -> None:
        assert self.info is not None
        info = replace(self.info, duration_s=written_s)
        transcript = self.transcript.transcript
        threads = max(1, (os.cpu_count() or 2) // 2)
        by_sku = {p.sku: p for p in self.products}
        self._rendering[highlight.id] = self.pool.submit(
            render_highlight, self.source.recording, info, highlight, transcript, self.out_dir,
            self.options.render, by_sku, threads)

    def _publish_renders(self, wait: bool = False) -> None:
        """Announce the clips whose rendering finished (all of them with ``wait``), in the order decided."""
        for clip_id in list(self._rendering):  # in the order decided
            future = self._rendering[clip_id]
            if not wait and not future.done():
                break
            del self._rendering[clip_id]
            highlight = next(h for h in self.state.highlights if h.id == clip_id)
            try:
                clip = future.result()
            except MediaOpsError as exc:
                self._warn(f"{clip_id} could not be rendered yet: {exc}")
                continue  # rendered again at the end, from the complete recording
            # announced first: a crash before the state is saved finds the clip in the log (see _resume_clips)
            self._announce({**_clip_event(clip, highlight, self.options.report.lang), **self._ranking(clip_id)})
            self.state = replace(self.state, clips=(*self.state.clips, clip))
            self._save()

    def _ranking(self, clip_id: str) -> Event:
        """What a clip event says of the clip's rank: ``over_budget`` (made after --clips clips were),
        ``outranks`` (the clips it pushes out of the choice so far) and ``after_end`` (chosen in the
        retrospective)."""
        decision = next((d for d in self.state.peaks if d.clip_id == clip_id), PeakDecision(0.0))
        return {"over_budget": decision.over_budget, "outranks": list(decision.outranks),
                "after_end": decision.after_end}

    def _resume_clips(self) -> None:
        """After a restart: clips announced but missing from the state are taken from the log; clips decided but
        not announced are rendered again."""
        done = {c.id for c in self.state.clips}
        for event in self.events.of("clip"):
            if event.get("id") not in done and any(h.id == event.get("id") for h in self.state.highlights):
                self.state = replace(self.state, clips=(*self.state.clips, _clip_from_event(event)))
                done.add(str(event["id"]))
        self._save()

    def _render_missing(self, written_s: float) -> None:
        done = {c.id for c in self.state.clips} | set(self._rendering)
        for highlight in self.state.highlights:
            if highlight.id not in done:
                self._render(highlight, written_s)

    # --- alerts -------------------------------------------------------------------------------------------------

    def _alert(self) -> None:
        transcript = self.transcript.transcript
        known_s = self.transcript.done_s
        insights = self.options.insights
        found: list[Alert] = viewers_drops(self.metrics, self.live.viewers_drop_pct, self.live.viewers_window_s)
        found += dead_air(transcript, known_s, insights.dead_air_gap_s)
        found += unanswered_questions(self.comments, transcript, known_s, insights)
        if self.plan and transcript is not None and self.products:
            found += pitch_overruns(find_pitches(transcript, self.products), self.plan, known_s, insights)
        announced = [Alert(str(e.get("kind")), float(e.get("t_s", 0.0)), "", str(e.get("key", "")))
                     for e in self.events.of("alert")]
        for alert in new_alerts(found, announced, self.live.alert_cooldown_s):
            # words in the run's language; the numbers stay in details for pages that word them in their own
            self._announce({"event": "alert", "id": alert.id, "kind": alert.kind, "t_s": alert.t_s,
                            "message": alert.text(self.options.report.lang), "key": alert.key,
                            "details": alert.details})

    def _status(self, phase: str, written_s: float) -> None:
        """Write ``live-status.json`` for this poll and hand the status to ``on_poll``."""
        status = LiveStatus(phase, round(written_s, 3), round(self.transcript.done_s, 3), len(self.events.of("clip")),
                            len(self.events.of("alert")), viewer_curve(self.metrics), wall_time())
        write_live_status(self.out_dir, status)
        self.on_poll(status)

    # --- the loop -----------------------------------------------------------------------------------------------

    def _poll(self, final: bool) -> float:
        written_s = self._look(final)
        if written_s <= 0:
            return 0.0
        self._read_side_files()
        if not final:
            self._alert()  # a walk-out in the metrics is said at once, not after the slow steps below
            # so is a clip whose render finished, or whose moment a new row settled while its speech is known
            self._publish_renders()
            self._decide(written_s)
        recording = self.source.recording
        live = self.live
        try:
            self.scenes.step(recording, written_s, live.margin_s, live.scene_chunk_s, final)
        except (InvalidMediaError, FFmpegError) as exc:  # a half-written packet at the end: looked at again next time
            log.debug("scene pass skipped: %s", exc)
        self.check_cancelled()
        try:
            if self.transcript.step(recording, written_s, live.margin_s, live.asr_chunk_s, live.language_chunk_s,
                                    final):
                release_free_memory()  # hours of stretches must not creep up the process's size
        except (InvalidMediaError, FFmpegError) as exc:
            if final:
                raise
            log.debug("recognition skipped: %s", exc)
        self.check_cancelled()
        if not final:
            self._decide(written_s)
        self._publish_renders()
        if not final:
            self._alert()
        self._save()
        return written_s

    def run(self) -> Timeline:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.events = EventLog(self.out_dir / "live.jsonl")
        resumed = load_state(self.out_dir, self.source_text)
        self.products = load_products(self.inputs.products) if self.inputs.products else []
        self.plan = load_run_of_show(self.inputs.run_of_show) if self.inputs.run_of_show else []
        self.source = open_source(self.source_text, self.out_dir, self.live.idle_s,
                                              self.live.record_timeout_s)
        self.webhook = Webhook(self.webhook_url, self.live.webhook_timeout_s) if self.webhook_url else None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mediaops-live-render")
        try:
            self.state = resumed or LiveState(source=self.source_text, recording=str(self.source.recording))
            asr = pipeline_asr_options(self.options.transcribe, self.products)
            self.transcript = IncrementalTranscript(self.work / "transcript.jsonl", asr)
            self.scenes = IncrementalScenes(self.options.scenes, self.state.cuts, self.state.scenes_done_s)
            self._resume_clips()
            self._announce({"event": "start", "id": f"start-{len(self.events.of('start')) + 1}",
                            "source": self.source_text, "recording": str(self.source.recording),
                            "resumed": resumed is not None, "recognised_s": round(self.transcript.done_s, 3),
                            "clips": [c.id for c in self.state.clips]})
            resumed_renders = False
            while True:
                self.check_cancelled()
                ended = self.source.ended(monotonic_s())
                written_s = self._poll(final=False)
                self._status("on_air", written_s)
                if written_s > 0 and not resumed_renders:  # clips decided before a restart but never announced
                    self._render_missing(written_s)
                    resumed_renders = True
                if ended:
                    break
                self.sleep(self.live.poll_s)
            return self._finish()
        finally:
            self.source.close()
            self.pool.shutdown(wait=True, cancel_futures=True)
            if self.webhook is not None:
                self.webhook.close(self.live.webhook_timeout_s)

    def _choose_final(self) -> list[Highlight]:
        """The clips ``mediaops process`` would choose from the whole stream, each with the id of the clip made on
        air with the same cut, whose file is reused; the others are rendered now (announced with ``after_end``)."""
        assert self.transcript.transcript is not None
        recording = self.source.recording
        duration_s = probe(recording).duration_s
        chosen = choose_final_highlights(duration_s, self.inputs, self.options, self.transcript.transcript,
                                         self.scenes.cuts, self.state.start_time, self.state.start_source)
        final: list[Highlight] = []
        for highlight, made in zip(chosen, match_live_clips(chosen, self.state.highlights), strict=True):
            if made is None:
                made = self._clip(highlight, duration_s, PeakDecision(highlight.peak_t_s, after_end=True))
            # the clip's file ends where the clip made on air does (the same sentence, timed a little apart)
            final.append(replace(highlight, id=made.id, end_s=made.end_s, sentence_end_s=made.sentence_end_s,
                                 end_sentence=made.end_sentence))
        self._publish_renders(wait=True)
        return final

    def _finish(self) -> Timeline:
        """The stream is over: analyse what is left, render the last clips, write the retrospective."""
        recording = self.source.recording
        if isinstance(self.source, StreamRecorder) and recorded_duration_s(recording) <= 0:
            tail = self.source.error_tail()
            raise InputFileError(f"nothing was recorded from {self.source_text}" + (f": {tail}" if tail else "") +
                                 " — check the URL and that the stream is on air")
        written_s = self._poll(final=True)
        if written_s <= 0:
            raise InvalidMediaError(f"{recording.name} never became a readable recording — check the recorder")
        self._publish_renders(wait=True)
        self._render_missing(written_s)
        self._publish_renders(wait=True)
        assert self.transcript.transcript is not None
        self._status("retrospective", written_s)
        chosen = self._choose_final()
        rendered = {c.id: c for c in self.state.clips}
        kept = [h for h in chosen if h.id in rendered]
        # the files made on air, described as the whole stream's analysis describes them (its scores and reasons)
        clips = [replace(rendered[h.id], score=h.score, reasons=h.reasons, reason_records=h.reason_records)
                 for h in kept]
        not_kept = [c.id for c in self.state.clips if c.id not in {h.id for h in kept}]
        extras: dict[str, object] = {"live": {"events": "live.jsonl", "peaks_decided": len(self.state.peaks),
                                              "clips_not_kept": not_kept}}
        timeline = write_live_retrospective(
            recording, self.inputs, self.out_dir, self.options, self.transcript.transcript, self.scenes.cuts,
            kept, clips, self.state.start_time, self.state.start_source, extras, self.on_progress)
        self.state = replace(self.state, finished=True)
        self._save()
        self._announce({"event": "end", "id": f"end-{len(self.events.of('end')) + 1}", "timeline": "timeline.json",
                        "duration_s": round(timeline.recording.duration_s, 3),
                        "clips": [c.id for c in timeline.clips]})
        self._status("ended", timeline.recording.duration_s)
        return timeline


def run_live(
    source: str,
    inputs: StreamInputs,
    out_dir: Path,
    options: ProcessOptions = ProcessOptions(),
    live: LiveOptions = LiveOptions(),
    webhook: str | None = None,
    on_event: Callable[[Event], None] = lambda event: None,
    on_progress: ProgressCallback = no_progress,
    check_cancelled: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
    on_poll: Callable[[LiveStatus], None] = lambda status: None,
) -> Timeline:
    """Watch ``source`` (a growing recording, or a stream URL recorded into ``out_dir/recording.ts``) while it is
    on air, publishing clips into ``out_dir/clips`` and clip and alert events into ``out_dir/live.jsonl`` (and to
    ``webhook`` as JSON POSTs) as they happen; when it ends, write the retrospective (``timeline.json``, reports,
    transcripts, replays) into ``out_dir`` and return its timeline. Resumes a session interrupted in ``out_dir``.

    ``inputs.metrics`` and ``inputs.comments`` may grow while the stream runs (rows appended); each event is also
    given to ``on_event``. After every poll, ``out_dir/live-status.json`` says how far the stream has got and holds
    the online-viewers curve so far (:mod:`mediaops.live.status`); the same status is given to ``on_poll``.

    Raises:
        InputFileError: a missing file, a URL that records nothing, or ``out_dir`` holding another source's session.
        InvalidMediaError: the recording has no audio or video. MetricsFormatError, PlanFormatError: side files that
        cannot be read once the stream is over (while it runs they are read again at every poll).
        ModelError: the speech model cannot be loaded. FFmpegError: ffmpeg failed.
    """
    return LiveSession(source, inputs, out_dir, options, live, webhook, on_event, on_progress, check_cancelled,
                       sleep, on_poll).run()


__all__ = ["LiveSession", "run_live"]
