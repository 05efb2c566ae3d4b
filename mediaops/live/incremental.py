"""Analysis that follows a recording as it grows: speech, scene cuts, and when an engagement peak becomes a clip.

Speech is recognised in stretches as audio arrives, each from where the last ended to a little before the end
of what is written, by one model loaded once (:func:`mediaops.transcribe.transcribe_spans`; its seams lie in
pauses, and the stretches are spliced into one transcript, :func:`mediaops.transcribe.spans.splice_transcript`).
Each stretch is appended to a file as it is recognised, so nothing is ever recognised twice, after a restart
neither. Scene cuts are found in the new video of each poll, with a little overlap so that no cut falls between
two looks.

A peak becomes a clip with the pipeline's own rules (:func:`mediaops.analysis.highlights.choose_highlights`);
what live mode adds is *when*: a peak is decided as soon as the metrics row that holds it is written
(:func:`peak_is_ready`; a peak left without a clip is looked at again for a while, :func:`decision_is_open`),
and its clip is cut once the sentence that ends it is known
(:func:`plan_clip`): the end nearest the preferred length is chosen from the sentences recognised so far only
when no sentence still to come could be nearer; the wait is bounded by the longest clip. Which moments are
clipped follows the pipeline's choice over the clips made so far (:func:`rank_clip`): the first ``max_clips``
as they come, and after that every moment stronger than the weakest clip still kept.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mediaops.analysis.highlights import Engagement, HighlightOptions, choose_highlights, locate_start, select_best
from mediaops.analysis.scenes import SceneOptions, detect_scenes_in_windows
from mediaops.analysis.scenes_keyframes import detect_scenes_in_windows_by_keyframes
from mediaops.live.state import PeakDecision
from mediaops.serialize import decode, encode
from mediaops.transcribe import TranscribeOptions, transcribe_spans
from mediaops.transcribe.spans import SPAN_EDGE_SEARCH_S, splice_transcript
from mediaops.types import Highlight, Peak, PitchSegment, Scene, Transcript

#: seconds of video looked at again at the start of each scene pass: a cut within the detector's minimum scene
#: length of where decoding starts is not reported, so the previous pass's last frames are decoded again.
SCENE_OVERLAP_S = 2.0
#: two cuts closer than this are one.
SAME_CUT_S = 0.1
#: a stretch that still has no audio when the recording is this much further written has none (a gap in the
#: audio track, or a recording whose audio stopped): it is passed over instead of looked at forever.
NO_AUDIO_AFTER_S = 30.0


class IncrementalTranscript:
    """The transcript of a growing recording, recognised stretch by stretch and kept in ``parts_path`` (JSON lines,
    one recognised stretch each), from which it is rebuilt on a restart."""

    def __init__(self, parts_path: Path, options: TranscribeOptions) -> None:
        self.parts_path = parts_path
        self.options = options
        self.transcript: Transcript | None = None
        #: speech is recognised up to here (recording seconds).
        self.done_s = 0.0
        #: the language detected in the first stretch with speech (with ``language="auto"``), then kept.
        self.language: str | None = None if options.language == "auto" else options.language
        if parts_path.exists():
            data = parts_path.read_bytes()
            whole = data[: data.rfind(b"\n") + 1]
            if len(whole) != len(data):  # a line cut short by a crash: that stretch is recognised again
                with parts_path.open("r+b") as handle:
                    handle.truncate(len(whole))
            for line in whole.decode("utf-8").splitlines():
                if line.strip():
                    self._add(decode(Transcript, json.loads(line)))

    def recognition_options(self) -> TranscribeOptions:
        """The options each stretch is recognised with: the user's, with the language and audio track of the first
        stretch kept for the rest (detected once, as the pipeline does) and no transcript cache (stretches are not
        whole recordings)."""
        options = replace(self.options, cache_dir=None)
        if self.language:
            options = replace(options, language=self.language)
        if self.transcript is not None:
            options = replace(options, audio_track=self.transcript.audio_track)
        return options

    def _add(self, part: Transcript) -> None:
        if self.language is None and part.segments:
            self.language = part.language
        base = self.transcript or replace(part, segments=(), spans_s=())
        spliced = splice_transcript(base, part)
        if part.spans_s:
            self.done_s = max(self.done_s, part.spans_s[-1][1])
        self.transcript = replace(spliced, duration_s=self.done_s, spans_s=(),
                                  language=self.language or spliced.language)

    def step(self, recording: Path, written_s: float, margin_s: float, chunk_s: float, language_chunk_s: float,
             final: bool = False) -> bool:
        """Recognise the new audio of ``recording`` (written up to ``written_s``) if there is enough of it:
        ``chunk_s`` seconds (``language_chunk_s`` for the first stretch when the language is detected) ending
        ``margin_s`` plus the seam search before the end of what is written; with ``final`` (the recording is
        complete) everything left. A stretch is at most the options' ``window_s`` long (memory stays bounded after
        a long pause or a restart): one is recognised per call, except with ``final``. Returns whether anything
        was recognised.

        Raises:
            InvalidMediaError: the audio cannot be decoded. ModelError: the model cannot be loaded.
        """
        end_s = written_s if final else written_s - margin_s - SPAN_EDGE_SEARCH_S
        needed = chunk_s if self.language is not None else language_chunk_s
        if end_s - self.done_s < (0.5 if final else needed):
            return False
        while end_s - self.done_s >= 0.5:
            last = end_s - self.done_s <= self.options.window_s
            stop_s = end_s if last else self.done_s + self.options.window_s
            part = transcribe_spans(recording, [(self.done_s, stop_s)], self.recognition_options())
            stuck = not part.spans_s or part.spans_s[-1][1] <= self.done_s  # no audio there (yet)
            if stuck and not final and written_s - stop_s < NO_AUDIO_AFTER_S:
                return False  # the audio packets may trail the video a little: looked at again next time
            if (final and last) or stuck:  # what could not be decoded (the very end, a gap) is done with too
                begin_s = part.spans_s[0][0] if part.spans_s else self.done_s
                finish_s = max(stop_s, part.spans_s[-1][1]) if part.spans_s else stop_s
                part = replace(part, spans_s=((begin_s, finish_s),))
            self.parts_path.parent.mkdir(parents=True, exist_ok=True)
            with self.parts_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(encode(part), ensure_ascii=False) + "\n")
                handle.flush()
            self._add(part)
            if not final:
                break
        return True


class IncrementalScenes:
    """The scene cuts of a growing recording, found in the new video of each pass."""

    def __init__(self, options: SceneOptions, cuts: Sequence[float] = (), done_s: float = 0.0) -> None:
        self.options = options
        self.cuts: list[float] = sorted(cuts)
        #: cuts are known up to here (recording seconds).
        self.done_s = done_s

    def step(self, recording: Path, written_s: float, margin_s: float, chunk_s: float, final: bool = False) -> bool:
        """Find the cuts in the video of ``recording`` written since the last pass (up to ``margin_s`` before its
        end, or all of it with ``final``) once there are ``chunk_s`` seconds of it. Returns whether it looked.

        Raises:
            InvalidMediaError: the video cannot be decoded there (yet).
        """
        end_s = written_s if final else written_s - margin_s
        if end_s - self.done_s < (0.5 if final else chunk_s):
            return False
        window = [(max(0.0, self.done_s - SCENE_OVERLAP_S), end_s)]
        if self.options.mode == "full":
            found = detect_scenes_in_windows(recording, window, self.options)
        else:
            found = detect_scenes_in_windows_by_keyframes(recording, window, self.options)
        for scene in found:
            if scene.start_s > 0 and all(abs(scene.start_s - c) >= SAME_CUT_S for c in self.cuts):
                self.cuts.append(scene.start_s)
        self.cuts.sort()
        self.done_s = end_s
        return True

    def scenes(self, until_s: float) -> tuple[Scene, ...]:
        """The scenes from 0 to ``until_s`` that the cuts found so far make."""
        return scenes_from_cuts(self.cuts, until_s)


def scenes_from_cuts(cuts: Sequence[float], until_s: float) -> tuple[Scene, ...]:
    """The scenes from 0 to ``until_s`` between ``cuts``."""
    bounds = [0.0, *(c for c in sorted(cuts) if 0 < c < until_s), until_s]
    return tuple(Scene(a, b) for a, b in itertools.pairwise(bounds) if b > a)


# --- when a peak is decided, and when its clip can be cut ---------------------------------------------------------


def peak_is_ready(peak: Peak, known_s: float, settle_s: float) -> bool:
    """Whether ``peak`` is decided now: the metrics reach ``settle_s`` past it, so the row that holds the surge is
    written (a clip made now may be on air while the surge is still going on; a later row of the same episode is
    the same moment, :func:`same_moment`, and its taller score reaches the clip through :func:`rescore`)."""
    return known_s - peak.t_s >= settle_s


def decision_is_open(peak: Peak, known_s: float, wait_s: float) -> bool:
    """Whether a decision on ``peak`` without a clip (too weak, or outranked) is taken again as rows arrive: while
    the metrics reach less than ``wait_s`` past it. The rest of its surge may lift it, and so may the rows after
    it: a moment early in the stream is scored against the few rows known so far (the baseline fills in as rows
    arrive)."""
    return known_s - peak.t_s < wait_s


def same_moment(peak: Peak, decided_t_s: float, engagement: Engagement, options: HighlightOptions) -> bool:
    """Whether ``peak`` is the moment already decided at ``decided_t_s``: closer than the minimum clip length (the
    peak finder's own spacing; a peak moves a little as rows arrive), or in the same episode (the score never fell
    below ``episode_level`` between them)."""
    if abs(peak.t_s - decided_t_s) < options.min_duration_s:
        return True
    low, high = sorted((peak.t_s, decided_t_s))
    between = engagement.score[(engagement.grid_t_s >= low) & (engagement.grid_t_s <= high)]
    return between.size > 0 and float(np.min(between)) >= options.episode_level


def to_decide(peak: Peak, decided: Sequence[PeakDecision], engagement: Engagement,
              options: HighlightOptions) -> tuple[bool, PeakDecision | None]:
    """Whether ``peak`` is to be decided (again), and the earlier decision on the same moment it replaces: a moment
    not decided yet is; one decided without a clip while its surge could still lift it (``open``) is again; one
    clipped, or left without a clip once its episode was over, is not."""
    earlier = next((d for d in decided if same_moment(peak, d.t_s, engagement, options)), None)
    if earlier is None:
        return True, None
    return (not earlier.clip_id and earlier.open), earlier


@dataclass(frozen=True, slots=True)
class ClipPlan:
    """What to do with a decided peak now: ``"wait"`` for more speech, ``"cut"`` ``highlight``, or ``"skip"`` it
    (``reason`` says why)."""

    action: str
    highlight: Highlight | None = None
    reason: str = ""


def plan_clip(peak: Peak, scenes: Sequence[Scene], transcript: Transcript | None, known_s: float,
              pitches: Sequence[PitchSegment], options: HighlightOptions, final: bool = False) -> ClipPlan:
    """The clip of a decided ``peak`` once its end is known, from the speech recognised up to ``known_s``.

    The start is the pipeline's (:func:`mediaops.analysis.highlights.locate_start`); the clip waits until the
    shortest clip is recognised, then until the sentence end nearest the preferred length can no longer be beaten
    by one still to come (one found within ``d`` of the preferred end, with ``d`` of speech recognised past it), or
    until the longest clip is recognised. With ``final`` (the recording is complete) it is cut at once.
    """
    cuts = [s.start_s for s in scenes if s.start_s > 0]
    changes = {s.start_s: s.change for s in scenes if s.change is not None}
    start_s = locate_start(peak, cuts, transcript, pitches, options, changes).start_s
    if not final and known_s < start_s + options.min_duration_s:
        return ClipPlan("wait", reason="the shortest clip is not recognised yet")
    chosen = choose_highlights([peak], scenes, transcript, known_s, pitches, replace(options, max_clips=1))
    if not chosen:
        return ClipPlan("skip", reason=f"score below {options.min_score:g} (no scene change in the reaction window)")
    highlight = chosen[0]
    if final:
        return ClipPlan("cut", highlight)
    target_s = highlight.start_s + options.target_duration_s
    beaten = highlight.sentence_end_s is not None and known_s - target_s >= abs(highlight.end_s - target_s)
    if beaten or known_s >= highlight.start_s + options.max_duration_s:
        return ClipPlan("cut", highlight)
    return ClipPlan("wait", reason="waiting for the sentence that ends the clip")


def overlapping(highlight: Highlight, others: Sequence[Highlight]) -> Highlight | None:
    """The first of ``others`` sharing time with ``highlight``, or ``None``."""
    return next((h for h in others if highlight.start_s < h.end_s and h.start_s < highlight.end_s), None)


def rescore(clipped: Sequence[Highlight], peaks: Sequence[Peak], engagement: Engagement,
            options: HighlightOptions) -> list[Highlight]:
    """The clips made so far with the scores their moments have now. A peak's score is measured against the
    baseline of the rows around it (``baseline_s``), which fills in as rows arrive: a moment clipped in the first
    minutes was scored against a few rows, so it is scored again from the current peaks (the same moment:
    :func:`same_moment`; without a scene cut its score keeps the ``no_cut_penalty``, as the pipeline's) before a
    later moment is compared with it. A clip whose moment is no longer a peak keeps its score."""
    out = []
    for highlight in clipped:
        peak = next((p for p in peaks if same_moment(p, highlight.peak_t_s, engagement, options)), None)
        if peak is not None:
            penalty = options.no_cut_penalty if highlight.scene_cut_s is None else 1.0
            highlight = replace(highlight, score=round(peak.score * penalty, 3))
        out.append(highlight)
    return out


@dataclass(frozen=True, slots=True)
class Ranking:
    """Where a new clip stands among the clips made so far (see :func:`rank_clip`).

    Attributes:
        kept: the pipeline's choice over the clips made so far and this one keeps this one: it is clipped.
        outranks: the ids of clips made so far that this one pushes out of that choice (weaker, or sharing time
            with it), in time order.
        reason: why it is not kept (a stronger clip shares its time, or ``max_clips`` stronger ones exist).
    """

    kept: bool
    outranks: tuple[str, ...] = ()
    reason: str = ""


def rank_clip(highlight: Highlight, clipped: Sequence[Highlight], max_clips: int) -> Ranking:
    """Whether ``highlight`` is clipped, given the clips made so far (``clipped``, ids set): it is when the
    pipeline's own choice (:func:`mediaops.analysis.highlights.select_best`: best score first, no overlap, at most
    ``max_clips``) over ``clipped`` and ``highlight`` keeps it. So the first ``max_clips`` moments are clipped as
    they come (unless a stronger clip shares their time), and a later one only when it is stronger than the
    weakest clip still kept. A moment the whole stream's choice will keep is not dropped on air, because the
    choice over the moments known so far keeps it too; that holds exactly for clips that share no time and scores
    that later rows do not change (pass ``clipped`` through :func:`rescore` first), and the retrospective renders
    whatever is still missing (:func:`mediaops.live.retrospective.match_live_clips`)."""
    before = {h.id for h in select_best(clipped, max_clips)}
    after = select_best([*clipped, highlight], max_clips)
    if any(h is highlight for h in after):
        kept_ids = {h.id for h in after if h is not highlight}  # its own id may be any: it has none yet
        return Ranking(True, tuple(h.id for h in clipped if h.id in before and h.id not in kept_ids))
    other = overlapping(highlight, [h for h in after if h.score >= highlight.score])
    if other is not None:
        return Ranking(False, reason=f"overlaps {other.id}, which scores higher")
    return Ranking(False, reason=f"{max_clips} stronger clips already (--clips)")
