"""Highlight choice on synthetic signals (pure: no media)."""

import itertools
import random

import pytest

import mediaops.analysis.highlights as highlights_module
from mediaops.analysis.highlights import HighlightOptions, choose_highlights, find_peaks_in_engagement
from mediaops.types import Metrics, MetricSeries, Scene, Segment, Transcript, Word


def _metrics(moments: list[float], decoys: list[float], duration_s: float = 900, step: float = 10) -> Metrics:
    rng = random.Random(7)
    times = [i * step for i in range(int(duration_s / step))]
    comments, likes = [], []
    for t in times:
        c = rng.gauss(10, 2)
        like = rng.gauss(30, 5)
        for m in moments:
            if 10 <= t - m < 40:
                c += 40
                like += 120
        for d in decoys:
            if 0 <= t - d < 10:
                like += 150
        comments.append(max(0.0, c))
        likes.append(max(0.0, like))
    return Metrics((MetricSeries("comments", tuple(times), tuple(comments), step),
                    MetricSeries("likes", tuple(times), tuple(likes), step)), step)


def test_planted_moments_start_at_their_scene_cut() -> None:
    moments = [120.0, 400.0, 700.0]
    cuts = [50.0, 120.0, 260.0, 400.0, 560.0, 700.0, 820.0]
    scenes = [Scene(a, b) for a, b in zip([0.0, *cuts], [*cuts, 900.0], strict=True)]
    transcript = Transcript("en", tuple(Segment(t, t + 4.5, "sentence") for t in range(0, 900, 5)), 900.0)
    metrics = _metrics(moments, decoys=[300.0])
    peaks = find_peaks_in_engagement(metrics)
    chosen = choose_highlights(peaks, scenes, transcript, 900.0, options=HighlightOptions(max_clips=3))
    assert [h.start_s for h in chosen] == moments
    for h in chosen:
        assert 15 <= h.end_s - h.start_s <= 60
        assert h.sentence_end_s == h.end_s
        codes = [r.code for r in h.reason_records]
        assert "scene_cut_before" in codes or "scene_cut_before_row" in codes
        assert {r.params["metric"] for r in h.reason_records if r.code == "engagement_surge"} & {"comments", "likes"}
        assert h.reasons and "σ" not in " ".join(h.reasons)  # English words for scripts, no statistics


def test_no_overlap_and_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two moments 40 s apart make two separate peaks whose 45 s clips would overlap: one clip is kept.

    Wrong implementations rejected: no overlap check (applied below: both clips come back, overlapping); a test
    on a recording without cuts (every candidate dropped for the no-cut penalty, so an empty result passed).
    """
    cuts = [100.0, 140.0, 500.0]
    scenes = [Scene(a, b) for a, b in zip([0.0, *cuts], [*cuts, 900.0], strict=True)]
    options = HighlightOptions(target_duration_s=45.0)
    peaks = find_peaks_in_engagement(_metrics([100, 140, 500], []), options=options)
    assert sum(1 for p in peaks if 100 < p.t_s < 200) == 2, "the test needs two separate peaks"

    def spans() -> list[tuple[float, float]]:
        return sorted((h.start_s, h.end_s) for h in choose_highlights(peaks, scenes, None, 900.0, options=options))

    chosen = spans()
    assert len(chosen) == 2 and chosen[1][0] == 500.0
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(chosen))
    assert all(s >= 0 and e <= 900 for s, e in chosen)
    monkeypatch.setattr(highlights_module, "_overlaps", lambda a, b: False)
    unchecked = spans()
    assert len(unchecked) == 3 and not all(a[1] <= b[0] for a, b in itertools.pairwise(unchecked))


def test_reasons_explain_signals_cut_sentence_and_product() -> None:
    from mediaops.types import PitchSegment

    scenes = [Scene(0.0, 120.0), Scene(120.0, 900.0)]
    transcript = Transcript("en", (Segment(140.0, 146.5, "This blender crushes ice."),), 900.0)
    pitch = PitchSegment("SKU-1", "Turbo Blender", 118.0, 200.0)
    peaks = find_peaks_in_engagement(_metrics([120.0], []))
    (chosen,) = choose_highlights(peaks, scenes, transcript, 900.0, [pitch], HighlightOptions(max_clips=1))
    assert chosen.start_s == 120.0 and chosen.end_s == 146.5
    assert chosen.product_sku == "SKU-1" and chosen.title == "Turbo Blender"
    assert chosen.rises["comments"] > 3 and chosen.rises["likes"] > 3
    records = {r.code: r.params for r in chosen.reason_records}
    surges = {r.params["metric"]: r.params for r in chosen.reason_records if r.code == "engagement_surge"}
    assert surges["comments"]["ratio"] == pytest.approx(chosen.rises["comments"], abs=0.01)
    assert surges["likes"]["ratio"] == pytest.approx(chosen.rises["likes"], abs=0.01)
    assert (records.get("scene_cut_before") or records["scene_cut_before_row"])["cut_s"] == 120.0
    assert records["sentence_end"] == {"end_s": 146.5, "sentence": "This blender crushes ice."}
    assert records["product_pitch"] == {"sku": "SKU-1", "name": "Turbo Blender"}
    text = " | ".join(chosen.reasons)
    assert "“This blender crushes ice.”" in text and "Turbo Blender" in text
    assert chosen.onset_s is not None and 125 <= chosen.onset_s <= 135


def test_weights_choose_the_signals() -> None:
    only_likes = HighlightOptions(weights={"likes": 1.0})
    peaks = find_peaks_in_engagement(_metrics([120.0], [300.0]), options=only_likes)
    assert peaks and all(set(p.signals) == {"likes"} for p in peaks)
    # with likes alone the like-storm decoy at 300 s is a peak as strong as the real moment...
    decoy = next(p for p in peaks if 290 <= p.t_s <= 320)
    real = next(p for p in peaks if 120 <= p.t_s <= 170)
    assert decoy.score > 0.8 * real.score
    # ...with the default weights it is much weaker than the moment, where comments rose too
    peaks = find_peaks_in_engagement(_metrics([120.0], [300.0]))
    real = next(p for p in peaks if 120 <= p.t_s <= 170)
    assert {"comments", "likes"} <= set(real.signals)
    assert all(p.score < 0.6 * real.score for p in peaks if 290 <= p.t_s <= 320)


def test_coarse_onset_is_refined_inside_the_interval() -> None:
    # a surge that starts 40 s into a 60 s row and holds: rows get 1/3 of it, then all of it
    times = tuple(float(t) for t in range(0, 1800, 60))
    values = [20.0 + (k % 3) for k in range(len(times))]
    start = times.index(600.0)
    values[start] += 60.0 * 20 / 60
    for k in range(start + 1, start + 3):
        values[k] += 60.0
    metrics = Metrics((MetricSeries("comments", times, tuple(values), 60.0),), 60.0)
    (peak,) = find_peaks_in_engagement(metrics)
    assert peak.onset_s == pytest.approx(640.0, abs=6.0)
    assert peak.onset_precision_s == 60.0


def test_scene_windows_cover_the_reaction_window_and_merge() -> None:
    from mediaops.analysis.highlights import scene_windows
    from mediaops.types import Peak

    peaks = [Peak(100.0, 5.0, onset_s=90.0, onset_precision_s=1.0),
             Peak(150.0, 4.0, onset_s=140.0, onset_precision_s=1.0),
             Peak(700.0, 4.0, onset_s=690.0, onset_precision_s=10.0)]
    windows = scene_windows(peaks, 720.0, HighlightOptions(reaction_window_s=60.0))
    assert windows == [(25.0, 147.0), (625.0, 705.0)]


#: the planted moments of :func:`_per_minute_stream` and its ordinary camera switches: every 35–75 s, with one
#: 20–60 s before the minute that holds each moment's surge and one inside that minute.
PER_MINUTE_MOMENTS = (130.0, 442.0, 755.0, 1068.0)
PER_MINUTE_CUTS = (40.0, 95.0, 165.0, 205.0, 245.0, 290.0, 335.0, 380.0, 425.0, 470.0, 510.0, 550.0, 590.0, 630.0,
                   690.0, 725.0, 790.0, 830.0, 870.0, 910.0, 950.0, 985.0, 1030.0, 1100.0, 1140.0, 1180.0)


def _per_minute_stream() -> tuple[Metrics, list[Scene], Transcript, list]:
    """A 20-minute stream exported one row a minute, no comment log: at each moment the camera switches and the
    host says a call to action; the audience reacts 6 s later for 35 s. Ordinary sentences name the products,
    some right at an ordinary camera switch before a moment."""
    from mediaops.types import Product

    rng = random.Random(3)
    duration = 1200
    comments = [rng.gauss(48, 6) for _ in range(duration // 60)]
    likes = [rng.gauss(180, 12) for _ in range(duration // 60)]
    for m in PER_MINUTE_MOMENTS:
        for second in range(int(m) + 6, int(m) + 41):
            comments[second // 60] += 6.0
            likes[second // 60] += 25.0
    times = tuple(float(t) for t in range(0, duration, 60))
    metrics = Metrics((MetricSeries("comments", times, tuple(comments), 60.0),
                       MetricSeries("likes", times, tuple(likes), 60.0)), 60.0)
    cuts = sorted((*PER_MINUTE_MOMENTS, *PER_MINUTE_CUTS))
    scenes = [Scene(a, b) for a, b in zip([0.0, *cuts], [*cuts, float(duration)], strict=True)]
    products = [Product("SKU-SERUM", "Glow Serum"), Product("SKU-KETTLE", "Smart Kettle")]
    said = {m + 0.5: f"Here it is, flash sale starts now, link number {i}!"
            for i, m in enumerate(PER_MINUTE_MOMENTS, start=1)}
    said |= {c + 0.4: "The Glow Serum comes in three colours." for c in (95.0, 425.0, 725.0, 1030.0)}
    said |= {c + 0.4: "Now let's talk about the Smart Kettle." for c in (380.0, 985.0)}
    segments, t = [], 0.5
    while t < duration - 5:
        forced = next((s for s in sorted(said) if t <= s < t + 5.1), None)
        if forced is not None:
            segments.append(Segment(forced, forced + 4.0, said[forced]))
            t = forced + 4.6
        else:
            segments.append(Segment(round(t, 2), round(t + 4.0, 2), "Look at the details here."))
            t += 4.6
    return metrics, scenes, Transcript("en", tuple(segments), float(duration)), products


def test_per_minute_rows_without_comments_start_where_the_host_calls() -> None:
    """Per-minute rows, no comment log, ordinary camera switches every 35–75 s: every clip starts at its moment's
    cut, chosen by the host's call to action said there, and the reasons say so.

    Wrong implementations rejected: the cut nearest "row start - 6 s" (the start of the row holding the surge
    taken as the onset); the host's words ignored (applied below: half the clips start at an ordinary cut before
    the minute or inside it, the issue's "2 of 4").
    """
    from dataclasses import replace

    from mediaops.analysis.pitches import find_pitches

    metrics, scenes, transcript, products = _per_minute_stream()
    pitches = find_pitches(transcript, products)
    options = HighlightOptions(max_clips=6)
    peaks = find_peaks_in_engagement(metrics, options=options, duration_s=1200.0)
    chosen = choose_highlights(peaks, scenes, transcript, 1200.0, pitches, options)
    assert [h.start_s for h in chosen] == list(PER_MINUTE_MOMENTS)
    for h in chosen:
        assert "transcript" in h.start_evidence
        assert h.start_cue.startswith("Here it is, flash sale starts now")
        records = {r.code: r.params for r in h.reason_records}
        assert "transcript" in records["chosen_over"]["evidence"], h.reason_records
        assert records["start_cue"]["kind"] == "call_to_action", h.reason_records
        assert str(records["start_cue"]["text"]).startswith("Here it is"), h.reason_records
    deaf = replace(options, cue_weights={})
    wrong = [h.start_s for h in choose_highlights(peaks, scenes, transcript, 1200.0, pitches, deaf)
             if h.start_s not in PER_MINUTE_MOMENTS]
    assert len(wrong) >= 2, "without the host's words the ordinary cuts should win here"


def test_clip_ends_at_a_sentence_end_never_mid_sentence() -> None:
    """The end is the sentence end nearest the target length: terminal punctuation, or a pause before the next
    sentence; never a trailing comma ("No,") nor a sentence the recogniser split without a pause ("…the motor
    is" / "really quiet."), nor the last recognised segment without punctuation (it may go on).

    Wrong implementations rejected: any segment end nearest the target (would end on "…the motor is" at 30.0 s
    here); ends on commas (would end on "No," at 29.0 s).
    """
    from mediaops.analysis.highlights import _sentence_end

    segments = (
        Segment(10.0, 14.0, "Look at this blender."),
        Segment(14.6, 20.9, "It comes in three colours."),
        Segment(21.0, 25.0, "It blends in ten seconds"),  # a pause follows: a sentence end
        Segment(26.0, 29.0, "No,"),
        Segment(29.05, 30.0, "and the motor is"),
        Segment(30.05, 33.5, "really quiet, even at full speed."),
        Segment(34.1, 40.0, "and we ship tomorrow"),  # the last segment, no punctuation
    )
    transcript = Transcript("en", segments, 60.0)
    assert _sentence_end(transcript, 15.0, 45.0, 30.0) == (33.5, "really quiet, even at full speed.")
    assert _sentence_end(transcript, 15.0, 26.0, 26.0) == (25.0, "It blends in ten seconds")
    # only unfinished ends in reach: the nearest that is not a comma
    assert _sentence_end(transcript, 28.0, 30.5, 29.0) == (30.0, "and the motor is")


def _words(start_s: float, text: str, step_s: float = 0.4) -> tuple[Word, ...]:
    """Whisper-style words (a leading space each) of ``text``, ``step_s`` apart from ``start_s``."""
    return tuple(Word(start_s + i * step_s, start_s + (i + 1) * step_s - 0.05, f" {w}")
                 for i, w in enumerate(text.split()))


def test_a_sentence_end_inside_a_segment_is_a_sentence_end() -> None:
    """Whisper puts several sentences in one segment, and which ones depends on where its window began: the live
    session (stretches as the stream grows) and ``process`` (the whole recording) group the same speech
    differently, and must end the clip at the same sentence. Wrong implementations rejected: segment ends only
    (ends at 307.15 s, the end of the whole segment, where the sentence nearest the target ends at 304.75 s);
    splits at every word (ends mid-sentence at the word nearest the target); splits after a comma."""
    from mediaops.analysis.highlights import _sentence_end, sentence_pieces

    text = "Look at this. The motor is really powerful, but not too loud. The normal price is 79 dollars."
    words = _words(300.0, text)
    joined = Transcript("en", (Segment(300.0, words[-1].end_s, " " + text, words),), 400.0)
    assert _sentence_end(joined, 301.0, 320.0, 304.0) == (pytest.approx(304.75), "The motor is really powerful, "
                                                                                   "but not too loud.")
    # the same speech in three segments ends the clip at the same time
    pieces = sentence_pieces(joined.segments)
    assert [p.text for p in pieces] == ["Look at this.", "The motor is really powerful, but not too loud.",
                                        "The normal price is 79 dollars."]
    assert pieces[0].start_s == 300.0 and pieces[-1].end_s == words[-1].end_s
    split = Transcript("en", tuple(pieces), 400.0)
    assert _sentence_end(split, 301.0, 320.0, 304.0) == _sentence_end(joined, 301.0, 320.0, 304.0)
    # a segment without words stays whole
    bare = Segment(10.0, 14.0, "One. Two.")
    assert sentence_pieces([bare]) == [bare]


def test_fine_timing_beats_words_at_the_wrong_cut() -> None:
    """With a comment log the onset is known to a few seconds: a call to action said at a cut 30 s before the
    reaction does not make that cut the start (a reaction 30 s late is no reaction to it); with per-minute rows
    it may."""
    from mediaops.analysis.highlights import locate_start
    from mediaops.types import Peak

    said = Transcript("en", (Segment(100.5, 104.0, "Link number 3, flash sale now!"),
                             Segment(118.4, 121.0, "三二一，上链接！")), 300.0)
    fine = Peak(140.0, 6.0, onset_s=136.0, onset_precision_s=1.0, onset_low_s=131.0, onset_high_s=141.0)
    choice = locate_start(fine, [100.0, 118.0, 129.0], said)
    # 100 s is no candidate at all (36 s before the reaction); 118 s is, but 18 s is a long delay
    assert choice.candidates == (118.0, 129.0)
    assert choice.cut_s == 129.0 and choice.evidence == ("timing",)
    coarse = Peak(150.0, 6.0, onset_s=150.0, onset_precision_s=60.0, onset_low_s=120.0, onset_high_s=180.0)
    choice = locate_start(coarse, [100.0, 129.0], said)
    assert choice.cut_s == 100.0 and choice.evidence == ("transcript",)
    assert choice.cue is not None and choice.cue.kind == "call_to_action"


def test_visual_change_breaks_a_tie_only_where_reported() -> None:
    from mediaops.analysis.highlights import locate_start
    from mediaops.types import Peak

    coarse = Peak(150.0, 6.0, onset_s=150.0, onset_precision_s=60.0, onset_low_s=120.0, onset_high_s=180.0)
    cuts = [130.0, 150.0]
    assert locate_start(coarse, cuts, changes={130.0: 55.0, 150.0: 20.0}).cut_s == 130.0
    assert "visual" in locate_start(coarse, cuts, changes={130.0: 55.0, 150.0: 20.0}).evidence
    assert locate_start(coarse, cuts, changes={130.0: 55.0}).scores["visual"] == (0.0, 0.0)  # not for every cut
    only = locate_start(coarse, [150.0])
    assert only.cut_s == 150.0 and only.evidence == ("only_cut",)


def test_transcript_spans_cover_the_cuts_and_the_longest_clip() -> None:
    from mediaops.analysis.highlights import transcript_spans
    from mediaops.types import Peak

    peak = Peak(150.0, 6.0, onset_s=140.0, onset_precision_s=1.0, onset_low_s=135.0, onset_high_s=145.0)
    scenes = [Scene(0.0, 90.0), Scene(90.0, 130.0), Scene(130.0, 600.0)]
    assert transcript_spans([peak], scenes, 600.0) == [(87.5, 192.0)]
    assert transcript_spans([peak], [Scene(0.0, 600.0)], 600.0) == [(124.0, 188.5)]  # no cut: the fallback start
