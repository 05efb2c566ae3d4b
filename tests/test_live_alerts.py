"""Live mode's decisions on synthetic data (pure: no media, no model): the alerts, when an engagement peak is
decided, and when its clip can be cut."""

from __future__ import annotations

import numpy as np
import pytest

from mediaops.analysis.highlights import Engagement, HighlightOptions, choose_highlights
from mediaops.live.alerts import Alert, dead_air, new_alerts, pitch_overruns, unanswered_questions, viewers_drops
from mediaops.live.incremental import decision_is_open, peak_is_ready, plan_clip, same_moment, to_decide
from mediaops.live.state import PeakDecision
from mediaops.retrospective.insights import InsightOptions
from mediaops.retrospective.insights.types import PlanSegment
from mediaops.types import Comment, Metrics, MetricSeries, Peak, Product, Scene, Segment, Transcript, Word


def _viewers(values: list[float], step_s: float = 10.0) -> Metrics:
    times = tuple(i * step_s for i in range(len(values)))
    return Metrics((MetricSeries("online_viewers", times, tuple(values), step_s, "level"),), step_s)


def _said(start_s: float, end_s: float, text: str) -> Segment:
    """A sentence with word timings spread over it (the dead-air check reads the words)."""
    words = text.split()
    step = (end_s - start_s) / len(words)
    timed = tuple(Word(start_s + i * step, start_s + (i + 1) * step, f" {w}") for i, w in enumerate(words))
    return Segment(start_s, end_s, text, timed)


def test_viewers_drop_alerts_once_per_fall() -> None:
    """Wrong implementations rejected: re-alerts every row while viewers stay low; alerts on a slow drift (3% a
    minute for half an hour); compares with the stream's first row instead of the last minute; misses a second
    fall after the audience came back."""
    values = [200.0 - 0.5 * i for i in range(180)]  # a slow drift: 200 → 110 over 30 minutes
    values[100:110] = [105.0] * 10  # 1000 s: 31% down from 153 a minute before, and it stays down for 100 s
    values[150] = float("nan")  # a missing row is no fall
    values[160:165] = [60.0] * 5  # 1600 s: a second walk-out
    alerts = viewers_drops(_viewers(values), drop_pct=20, window_s=60)
    assert [a.t_s for a in alerts] == [1000.0, 1600.0]
    first = alerts[0]
    assert first.kind == "viewers_drop"
    assert first.details["viewers_before"] == 153.0
    assert first.details["viewers_after"] == 105.0
    assert "fell 31%" in first.message
    assert viewers_drops(_viewers([100.0] * 30), 20, 60) == []
    assert viewers_drops(None, 20, 60) == []


def test_dead_air_alerts_while_still_silent() -> None:
    """Wrong implementations rejected: waits for speech to resume before alerting (the silence still going on is the
    one worth an alert); alerts before the silence has lasted the gap; counts a 9 s pause as dead air with a 10 s
    gap; reads the sentence spans instead of the words (a sentence whose words end early hides a silence)."""
    transcript = Transcript("en", (_said(0.0, 5.0, "hello everyone and welcome"),
                                   _said(14.0, 18.0, "this is our blender today")), 18.0)
    assert dead_air(transcript, 26.0, gap_s=10.0) == []  # 9 s pause, then 8 s of silence so far
    alerts = dead_air(transcript, 29.0, gap_s=10.0)
    assert [(a.t_s, a.details["ongoing"]) for a in alerts] == [(18.0, True)]
    assert "still silent" in alerts[0].message
    # the words end at 9 s although the sentence runs to 20 s: from 9 s on, nothing is said
    padded = Transcript("en", (Segment(0.0, 20.0, "one two", (Word(0.0, 4.0, " one"), Word(5.0, 9.0, " two"))),
                               _said(24.0, 26.0, "three")), 26.0)
    assert [a.t_s for a in dead_air(padded, 26.0, gap_s=10.0)] == [9.0]


def test_unanswered_questions_wait_for_the_answer_window() -> None:
    """Wrong implementations rejected: alerts a question surge before the host had the answer window to answer it;
    alerts a surge the host answered (price: "only 39 dollars"); alerts a lone question; counts questions not yet
    asked (after now)."""
    comments = [Comment(t, "u", text) for t, text in (
        (100.0, "how much?"), (103.0, "price?"), (105.0, "多少钱"), (108.0, "how much is it"),
        (200.0, "what size?"), (203.0, "which size fits a queen bed"), (206.0, "尺码多大"), (209.0, "size?"),
        (300.0, "shipping?"),
        (500.0, "what colour?"), (501.0, "colours?"), (502.0, "what colour is it"),
    )]
    transcript = Transcript("en", (Segment(120.0, 124.0, "It is only 39 dollars today."),
                                   Segment(150.0, 154.0, "It crushes ice in five seconds.")), 600.0)
    options = InsightOptions()
    assert unanswered_questions(comments, transcript, 259.0, options) == []
    alerts = unanswered_questions(comments, transcript, 262.0, options)
    assert [(a.kind, a.key, a.t_s) for a in alerts] == [("unanswered_questions", "size", 200.0)]
    assert alerts[0].details["count"] == 4
    assert "what size?" in alerts[0].details["examples"]


def test_pitch_overrun_against_the_run_of_show() -> None:
    """Wrong implementations rejected: alerts the last planned segment (it runs until the stream ends); alerts a
    product within the tolerance; needs the product to have left the air first."""
    blender = Product("SKU-B", "Turbo Blender", ("blender",))
    blanket = Product("SKU-K", "Cozy Blanket", ("blanket",))
    plan = [PlanSegment("Blender", 0.0, "SKU-B"), PlanSegment("Blanket", 60.0, "SKU-K")]
    from mediaops.analysis.pitches import find_pitches

    def pitches(last_mention_s: float):
        said = tuple(Segment(t, t + 3, "The Turbo Blender is great.") for t in range(0, int(last_mention_s) + 1, 30))
        return find_pitches(Transcript("en", said, last_mention_s + 3), [blender, blanket])

    assert pitch_overruns(pitches(90), plan, 110.0) == []  # 108 s on air: 48 s over, within 60 s
    alerts = pitch_overruns(pitches(120), plan, 140.0)
    assert [(a.kind, a.key) for a in alerts] == [("pitch_overrun", "SKU-B")]
    assert alerts[0].details["over_s"] == pytest.approx(78.0)
    only_blanket = [PlanSegment("Blender", 0.0, "SKU-K"), PlanSegment("Blanket", 10.0, "SKU-B")]
    assert pitch_overruns(pitches(120), only_blanket, 140.0) == []  # the blender is the open-ended last segment


def test_new_alerts_never_repeat() -> None:
    """Wrong implementations rejected: re-announces a silence whose start moved when more audio was recognised;
    re-announces a product's overrun at every poll; drops a second, later fall of viewers."""
    sent = [Alert("dead_air", 40.0, ""), Alert("pitch_overrun", 0.0, "", "SKU-B"), Alert("viewers_drop", 60.0, "")]
    found = [Alert("dead_air", 40.4, ""), Alert("pitch_overrun", 300.0, "", "SKU-B"), Alert("viewers_drop", 600.0, ""),
             Alert("viewers_drop", 610.0, ""), Alert("pitch_overrun", 5.0, "", "SKU-K")]
    assert [(a.kind, a.t_s) for a in new_alerts(found, sent, cooldown_s=60)] == [
        ("pitch_overrun", 5.0), ("viewers_drop", 600.0)]


# --- when a peak is decided and its clip cut -----------------------------------------------------------------------


def _engagement(score: list[float]) -> Engagement:
    return Engagement(np.arange(len(score), dtype=float), np.array(score, dtype=float), ())


def test_a_peak_is_decided_once_its_row_is_written() -> None:
    """Wrong implementations rejected: waits for the episode to end (one row later than the issue allows: a surge
    still going on is decided as soon as the row that holds it is written); decides a peak the next row's centred
    sum can still move (closer than ``settle_s`` to the end of the rows)."""
    peak = Peak(t_s=45.0, score=6.0)
    assert not peak_is_ready(peak, 49.0, settle_s=5)
    assert peak_is_ready(peak, 50.0, settle_s=5)
    assert peak_is_ready(peak, 60.0, settle_s=5)  # the surge's row [30, 60) is written; the next row is not


def test_a_decision_without_a_clip_stays_open_for_a_while() -> None:
    """Wrong implementations rejected: a decision without a clip is final at once (the next rows of a surge, or the
    baseline an early moment is scored against, cannot lift it); one stays open forever (every weak peak of a
    3-hour stream is planned again at every poll: the work grows with the stream)."""
    peak = Peak(t_s=50.0, score=2.0)
    assert decision_is_open(peak, 55.0, wait_s=60)
    assert decision_is_open(peak, 109.0, wait_s=60)
    assert not decision_is_open(peak, 110.0, wait_s=60)
    # the same surge seen again after more rows arrived is the same moment; a new surge after a calm is not
    options = HighlightOptions()
    rising = _engagement([0.0] * 45 + [4.0, 5.0, 6.0, 6.0, 6.0, 6.0] + [5.0] * 40)
    assert same_moment(Peak(t_s=62.0, score=7.0), 50.0, rising, options)
    calm_between = _engagement([0.0] * 45 + [6.0] * 10 + [0.0] * 20 + [6.0] * 10 + [0.0] * 10)
    assert not same_moment(Peak(t_s=80.0, score=6.0), 50.0, calm_between, options)


def test_only_an_open_decision_is_taken_again() -> None:
    """A moment decided at its first surge row may be lifted by the next row. Wrong implementations rejected: never
    looks at a moment again (a weak first row loses a moment its second row makes strong); clips a moment twice
    (takes a clipped moment up again when its peak moves within the surge); takes up again a moment left without a
    clip once it was no longer open; replaces the decision of another moment."""
    options = HighlightOptions()
    score = [0.0] * 300
    for first, last in ((45, 75), (195, 215), (395, 405)):
        score[first:last] = [6.0] * (last - first)
    engagement = _engagement(score)
    clipped = PeakDecision(50.0, clip_id="clip-01")
    still_open = PeakDecision(200.0, reason="score below 3", open=True)
    closed = PeakDecision(400.0, reason="score below 3")
    decided = [clipped, still_open, closed]
    assert to_decide(Peak(t_s=70.0, score=7.0), decided, engagement, options) == (False, clipped)
    pending, earlier = to_decide(Peak(t_s=210.0, score=7.0), decided, engagement, options)
    assert pending and earlier is still_open
    assert to_decide(Peak(t_s=402.0, score=7.0), decided, engagement, options) == (False, closed)
    assert to_decide(Peak(t_s=260.0, score=7.0), decided, engagement, options) == (True, None)


def _clip_setting() -> tuple[Peak, list[Scene], list[Segment]]:
    peak = Peak(t_s=108.0, score=8.0, signals={"comments": 8.0}, onset_s=106.0, onset_precision_s=1.0,
                onset_low_s=101.0, onset_high_s=111.0)
    scenes = [Scene(0.0, 100.0), Scene(100.0, 300.0)]
    sentences = [Segment(100.5, 104.0, "Here it is, the Turbo Blender!"), Segment(106.0, 112.0, "It crushes ice,"),
                 Segment(113.0, 118.0, "and makes smoothies."), Segment(120.0, 126.0, "Six speeds."),
                 Segment(127.5, 133.0, "The jar is easy to clean."), Segment(135.0, 141.0, "Only 39 dollars."),
                 Segment(143.0, 149.0, "Link below.")]
    return peak, scenes, sentences


def _known(sentences: list[Segment], until_s: float) -> Transcript:
    return Transcript("en", tuple(s for s in sentences if s.end_s <= until_s), until_s)


def test_the_clip_waits_for_the_sentence_that_ends_it() -> None:
    """Wrong implementations rejected: cuts at the first sentence end recognised although a nearer one to the
    preferred length may still come (126 s when 133 s is nearer to 130 s); waits for the end of the stream; cuts
    before the shortest clip is recognised; ends differently from the offline choice on the whole transcript."""
    peak, scenes, sentences = _clip_setting()
    options = HighlightOptions()  # 15–60 s, 30 s preferred: the end nearest 130 s
    assert plan_clip(peak, scenes, _known(sentences, 114.0), 114.0, (), options).action == "wait"
    assert plan_clip(peak, scenes, _known(sentences, 127.0), 127.0, (), options).action == "wait"
    cut = plan_clip(peak, scenes, _known(sentences, 136.5), 136.5, (), options)
    assert cut.action == "cut"
    assert cut.highlight is not None
    assert (cut.highlight.start_s, cut.highlight.end_s) == (100.0, 133.0)
    offline = choose_highlights([peak], scenes, Transcript("en", tuple(sentences), 300.0), 300.0, (), options)
    assert (offline[0].start_s, offline[0].end_s) == (cut.highlight.start_s, cut.highlight.end_s)


def test_the_wait_for_a_sentence_end_is_bounded() -> None:
    """Wrong implementations rejected: waits without bound when the host never finishes a sentence (music, a
    game); drops the clip instead of cutting it at the preferred length; with the stream over, still waits."""
    peak, scenes, _ = _clip_setting()
    options = HighlightOptions()
    running = Transcript("en", (Segment(101.0, 170.0, "and then, and then,"),), 170.0)
    assert plan_clip(peak, scenes, running, 155.0, (), options).action == "wait"
    cut = plan_clip(peak, scenes, running, 160.0, (), options)
    assert cut.action == "cut" and cut.highlight is not None
    assert cut.highlight.end_s == pytest.approx(130.0)
    final = plan_clip(peak, scenes, running, 120.0, (), options, final=True)
    assert final.action == "cut"


def test_a_weak_peak_without_a_cut_is_skipped() -> None:
    """Wrong implementations rejected: publishes a clip for a peak the pipeline would drop (no scene change in its
    reaction window halves the score below the minimum)."""
    peak = Peak(t_s=108.0, score=4.0, onset_s=106.0, onset_precision_s=1.0)
    plan = plan_clip(peak, [Scene(0.0, 300.0)], None, 200.0, (), HighlightOptions())
    assert plan.action == "skip" and "score below" in plan.reason


# ---- the alerts' words ------------------------------------------------------------------------------------------

#: names from the inputs that stay as they are in Chinese words (a product's name)
_NAMES = {"Turbo", "Blender"}


def _latin(text: str) -> set[str]:
    import re

    return set(re.findall(r"[A-Za-z][A-Za-z_-]*", text)) - _NAMES


def test_every_alert_is_worded_in_both_languages_from_its_numbers() -> None:
    """Wrong implementations rejected: Chinese words with English in them (a question kind shown as its code,
    ``how_to_buy``), numbers shown raw (``31.372…``) or lost; an English ``message`` worded apart from the
    catalogue (two wordings that drift); a damaged event (no details, an unknown kind) that raises instead of a
    general sentence with its time."""
    from mediaops.live.alerts import alert_text

    alerts = {
        "viewers_drop": Alert("viewers_drop", 1000.0, "", details={
            "viewers_before": 153.0, "viewers_after": 105.0, "change_percent": -31.372, "window_s": 60.0}),
        "dead_air": Alert("dead_air", 18.0, "", details={"silent_s": 11.4, "ongoing": True}),
        "unanswered_questions": Alert("unanswered_questions", 200.0, "", key="how_to_buy", details={
            "category": "how_to_buy", "count": 4, "examples": [], "asked_until_s": 209.0, "waiting_s": 62.0}),
        "pitch_overrun": Alert("pitch_overrun", 0.0, "", key="SKU-B", details={
            "sku": "SKU-B", "name": "Turbo Blender", "actual_s": 138.0, "planned_s": 60.0, "over_s": 78.0}),
    }
    expected = {
        "viewers_drop": ("0:16:40 在线人数 60 秒内下降 31%：153 → 105",
                         "0:16:40 online viewers fell 31% within 60 s: 153 → 105"),
        "dead_air": ("0:00:18 起冷场：11 秒没有人说话，现在仍然没有声音",
                     "0:00:18 dead air: no speech for 11 s and still silent"),
        "unanswered_questions": ("0:03:20 起观众问了 4 次怎么买，主播还没有回答（已等 62 秒）",
                                 "0:03:20 viewers asked 4 times about how to buy; no answer yet (62 s so far)"),
        "pitch_overrun": ("0:00:00 起讲解的“Turbo Blender”已讲 138 秒，比流程表多 78 秒（计划 60 秒）",
                          "“Turbo Blender” (from 0:00:00) has been on air 138 s, 78 s over the 60 s planned"),
    }
    for kind, alert in alerts.items():
        zh, en = expected[kind]
        assert alert.text("zh") == zh
        assert alert.text("en") == en
        assert _latin(zh) == set(), zh
    assert alert_text("from_a_newer_version", 75.0, {}, "zh") == "0:01:15 有一条新提醒"
    assert alert_text("viewers_drop", 75.0, {}, "zh") == "0:01:15 在线人数 — 秒内下降 —%：— → —"
    # an event of an older version, without the wait: said without it
    assert alert_text("unanswered_questions", 70.0, {"category": "size", "count": 4}, "en") == \
        "0:01:10 viewers asked 4 times about sizes; no answer yet"
    with pytest.raises(ValueError, match="unknown language"):
        alert_text("dead_air", 0.0, {}, "fr")
    # the detectors' English message is the catalogue's English
    transcript = Transcript("en", (_said(0.0, 5.0, "hello everyone and welcome"),), 5.0)
    (silence,) = dead_air(transcript, 29.0, gap_s=10.0)
    assert silence.message == silence.text("en") == "0:00:05 dead air: no speech for 24 s and still silent"


def test_live_alert_events_speak_the_run_language_and_keep_their_numbers(tmp_path) -> None:
    """The session's ``alert`` events in ``live.jsonl``: ``message`` in words of the run's ``--lang``, ``details``
    with the numbers. Wrong implementations rejected: the detectors' English message written whatever the run's
    language; the numbers dropped from the event (a page could not word it in its own language)."""
    import json
    from types import SimpleNamespace

    from mediaops.jobs.options import ProcessOptions, StreamInputs
    from mediaops.live.events import EventLog
    from mediaops.live.options import LiveOptions
    from mediaops.live.session import LiveSession
    from mediaops.report import ReportOptions

    values = [200.0] * 10 + [120.0] * 5  # a walk-out at 100 s
    said = Transcript("en", (_said(0.0, 5.0, "hello everyone and welcome"),), 5.0)
    for lang in ("zh", "en"):
        out = tmp_path / lang
        session = LiveSession("rec.ts", StreamInputs(tmp_path / "m.csv"), out,
                              ProcessOptions(report=ReportOptions(lang=lang)), LiveOptions(), None,
                              lambda event: None, lambda *a: None, lambda: None, lambda s: None)
        session.events = EventLog(out / "live.jsonl")
        session.transcript = SimpleNamespace(transcript=said, done_s=29.0)  # type: ignore[assignment]
        session.metrics, session.comments, session.plan, session.products = _viewers(values), [], [], []
        session.webhook = None
        session._alert()
        events = [json.loads(line) for line in (out / "live.jsonl").read_text("utf-8").splitlines()]
        alerts = {e["kind"]: e for e in events if e["event"] == "alert"}
        assert set(alerts) == {"viewers_drop", "dead_air"}
        drop = alerts["viewers_drop"]
        assert drop["details"] == {"viewers_before": 200.0, "viewers_after": 120.0, "change_percent": -40.0,
                                   "window_s": 60.0}
        assert alerts["dead_air"]["details"] == {"silent_s": 24.0, "ongoing": True}
        if lang == "zh":
            assert drop["message"] == "0:01:40 在线人数 60 秒内下降 40%：200 → 120"
            assert all(_latin(e["message"]) == set() for e in alerts.values())
        else:
            assert drop["message"] == "0:01:40 online viewers fell 40% within 60 s: 200 → 120"
