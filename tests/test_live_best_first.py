"""Best-first live clips (issue 21): which moments live mode clips when ``--clips`` is used up, and that the
retrospective keeps what ``mediaops process`` chooses from the whole stream.

The rule (:func:`mediaops.live.incremental.rank_clip`): a moment is clipped when the pipeline's own choice
(:func:`mediaops.analysis.highlights.select_best`) over the clips made so far and this one keeps it; the first
``--clips`` moments are published as they come, a later one only when it is stronger than the weakest clip still
kept (announced ``over_budget`` with the clips it ``outranks``). The retrospective then keeps the whole stream's
choice, reusing the live clips with the same cut and rendering only the others.

The pure tests run without media; the last one watches a generated stream (210 s of the sample stream written at
1.5 times its pace, with real speech and real cuts) whose strongest moment comes last, after the budget is used.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from mediaops.analysis.highlights import Engagement, HighlightOptions, select_best
from mediaops.live.incremental import rank_clip, rescore
from mediaops.live.retrospective import match_live_clips
from mediaops.types import Highlight, Peak
from tests.live_support import StreamWriter, make_live_stream, read_events


def _h(start_s: float, score: float, length_s: float = 20.0, clip_id: str = "clip-01",
       sku: str | None = None) -> Highlight:
    """A highlight; a moment not yet clipped has the id the planner gives it, as a clip of its own (clip-01)."""
    return Highlight(clip_id, start_s, start_s + length_s, score, start_s + 5, product_sku=sku)


def _watch(moments: list[Highlight], max_clips: int) -> tuple[list[Highlight], dict[float, tuple]]:
    """Moments in time order through :func:`rank_clip`, as the session does: the clips made (ids in order) and,
    by start, what was decided: (kept, outranks, reason)."""
    made: list[Highlight] = []
    decided: dict[float, tuple] = {}
    for moment in moments:
        ranking = rank_clip(moment, made, max_clips)
        decided[moment.start_s] = (ranking.kept, ranking.outranks, ranking.reason)
        if ranking.kept:
            made.append(replace(moment, id=f"clip-{len(made) + 1:02d}"))
    return made, decided


def test_a_stronger_moment_after_the_budget_is_still_clipped() -> None:
    """Wrong implementations rejected: first come, first served (the strong late moment is dropped because
    ``--clips`` is used up); clips every later moment whatever its score; compares a new moment with the strongest
    clip instead of the weakest; counts a clip that was outranked as still kept (a moment weaker than every kept
    clip but stronger than an outranked one is clipped); lets a weaker moment that shares time with a clip in;
    names no (or the wrong) outranked clip, e.g. by taking the new moment's own id (the planner names it clip-01)
    for a clip still kept."""
    moments = [_h(10, 7.0), _h(70, 5.0), _h(150, 9.0), _h(200, 4.0), _h(240, 6.0), _h(300, 8.0),
               _h(312, 9.5)]  # the last shares time with the one before it
    made, decided = _watch(moments, max_clips=2)
    assert decided[10] == (True, (), "") and decided[70] == (True, (), "")  # within the budget, as they come
    assert decided[150] == (True, ("clip-02",), "")  # stronger than the weakest kept: clipped, clip-02 pushed out
    assert decided[200][:2] == (False, ()) and "2 stronger clips" in decided[200][2]
    assert decided[240][:2] == (False, ())  # stronger than the outranked clip-02, weaker than both kept ones
    assert decided[300] == (True, ("clip-01",), "")
    assert decided[312] == (True, ("clip-04",), "")  # shares time with clip-04 and is stronger
    assert [h.start_s for h in made] == [10, 70, 150, 300, 312]
    # within the budget, a weaker moment sharing time with a clip is not made
    _, early = _watch([_h(10, 7.0), _h(25, 5.0)], max_clips=5)
    assert early[25][0] is False and early[25][2] == "overlaps clip-01, which scores higher"


def test_clips_made_early_are_scored_again_before_a_later_moment_is_compared() -> None:
    """A moment clipped in the first minutes was scored against a baseline of a few rows; by the time a later
    moment comes, the same rows give it another score.

    Wrong implementations rejected: compares with the scores the clips had when they were made (here the early
    clip looked weaker than the second, and the late strong moment would push out the wrong one); drops the
    no-cut penalty when scoring again; loses a clip whose moment is no longer a peak."""
    options = HighlightOptions()
    grid = np.arange(0.0, 260.0)
    calm = Engagement(grid, np.zeros(grid.size), ())  # every moment its own episode
    made = [replace(_h(10.0, 4.7, clip_id="clip-01"), peak_t_s=15.0, scene_cut_s=10.0),
            replace(_h(70.0, 5.0, clip_id="clip-02"), peak_t_s=75.0, scene_cut_s=70.0),
            replace(_h(200.0, 3.0, clip_id="clip-03"), peak_t_s=205.0, scene_cut_s=None),
            replace(_h(230.0, 3.5, clip_id="clip-04"), peak_t_s=235.0, scene_cut_s=230.0)]
    now = [Peak(16.0, 7.4), Peak(74.0, 5.2), Peak(206.0, 9.0), Peak(150.0, 8.9)]
    scored = rescore(made, now, calm, options)
    assert [h.score for h in scored] == [7.4, 5.2, pytest.approx(9.0 * options.no_cut_penalty), 3.5]
    late = replace(_h(150.0, 8.9), peak_t_s=154.0, scene_cut_s=150.0)
    assert rank_clip(late, scored[:2], 2).outranks == ("clip-02",)
    assert rank_clip(late, made[:2], 2).outranks == ("clip-01",)  # what the scores at the time would have said


@pytest.mark.parametrize("seed", range(20), ids=lambda s: f"seed{s}")
def test_the_whole_streams_choice_is_always_among_the_live_clips(seed: int) -> None:
    """For moments that do not share time, whatever their order and scores, every clip the whole stream's
    choice keeps was clipped on air, and no moment was clipped that could never be kept.

    Wrong implementations rejected: first come, first served (a late strong moment missing); a budget on clips
    made (a run of ever stronger moments drops the last); clipping every moment."""
    rng = random.Random(seed)
    max_clips = rng.randint(1, 5)
    moments = [_h(100.0 * i, round(rng.uniform(3, 10), 2)) for i in range(rng.randint(3, 25))]
    made, _ = _watch(moments, max_clips)
    offline = select_best(moments, max_clips)
    assert {h.start_s for h in offline} <= {h.start_s for h in made}
    for clip in made:  # each was in the best max_clips of the moments up to it
        earlier = [m for m in moments if m.start_s <= clip.start_s]
        assert any(h.start_s == clip.start_s for h in select_best(earlier, max_clips))
    rising = [_h(100.0 * i, 3.0 + i) for i in range(8)]
    assert len(_watch(rising, 2)[0]) == 8


def test_the_retrospective_reuses_only_clips_with_the_same_cut() -> None:
    """Wrong implementations rejected: reuses a live clip for the same moment cut differently (its file would not
    be the clip the timeline describes); reuses one whose product (cover title and price) differs; matches by id
    (live ids follow the order decided, the pipeline's follow time); demands the end to the millisecond (the same
    closing sentence recognised in another stretch is timed up to ~0.2 s apart: every such clip rendered again
    after the stream)."""
    made = [_h(10.0, 7.0, clip_id="clip-01", sku="SKU-A"), _h(70.0, 5.0, clip_id="clip-02"),
            _h(150.0, 9.0, 18.52, clip_id="clip-03")]
    chosen = [_h(10.0, 7.2, clip_id="clip-01", sku="SKU-A"), _h(150.0, 9.0, 18.52, clip_id="clip-02"),
              _h(210.0, 6.0, clip_id="clip-03")]
    assert [m.id if m else None for m in match_live_clips(chosen, made)] == ["clip-01", "clip-03", None]
    moved_end = [_h(150.0, 9.0, 18.9), _h(10.0, 7.0, sku="SKU-B")]
    assert match_live_clips(moved_end, made) == [None, None]
    # the same closing sentence timed 0.14 s apart (recognised in another stretch) is the same clip
    same_sentence = [_h(150.0, 9.0, 18.66), _h(70.0, 5.0, 20.2)]
    assert [m.id if m else None for m in match_live_clips(same_sentence, made)] == ["clip-03", "clip-02"]


# --- a generated stream whose strongest moment comes after the budget is used -----------------------------------

#: the stretch of the sample stream watched starts at 25 s: its reveals (hard cuts) fall at these seconds.
MOMENTS_S = (10.0, 70.0, 150.0)
#: per moment: (comments, likes, online viewers) added to the ordinary rows; the last is the strongest, the
#: middle one the weakest.
SURGES = ((20, 50, 0), (16, 16, 0), (40, 120, 40))
DURATION_S = 210.0


def _metric_rows(duration_s: float, seed: int = 1) -> list[tuple[float, str]]:
    """Rows every 2 s with ordinary noise (seeded Poisson counts, a wandering audience) and a surge 2–8 s after
    each moment, sized by :data:`SURGES`."""
    rng = np.random.default_rng(seed)
    rows = [(float("-inf"), "time,online_viewers,comments,likes")]
    viewers = 150.0
    for t in range(0, int(duration_s), 2):
        comments, likes = int(rng.poisson(12)), int(rng.poisson(30))
        viewers += rng.normal(0, 1.5)
        joined = 0
        for r, (more_comments, more_likes, jump) in zip(MOMENTS_S, SURGES, strict=True):
            if 2 <= t - r <= 8:
                comments, likes = comments + more_comments, likes + more_likes
            if t - r >= 4:
                joined += jump
        rows.append((float(t), f"{t},{round(viewers + joined)},{comments},{likes}"))
    return rows


def _clip_options(model: str) -> list[str]:
    return ["--model", model, "--language", "en", "--min-duration", "8", "--max-duration", "15", "--clips", "2",
            "--no-reel", "--no-replay", "--lang", "en", "--quiet"]


@pytest.mark.slow
def test_a_late_strong_moment_live_and_in_the_retrospective(tmp_path: Path, whisper_model: str) -> None:
    """Three moments, ``--clips 2``, the strongest last: the first two are published as they come, the third is
    clipped on air too, marked over the budget and outranking the weaker second; the retrospective's clips are
    then those ``mediaops process`` chooses from the same files (the first and the third), the live files reused.

    Wrong implementations rejected: first come, first served (the third moment never clipped, or only after the
    stream); a timeline that keeps the live clips instead of the whole stream's choice (clip-02 in it); a
    retrospective that renders again a clip made on air with the same cut; one that differs from ``process`` in
    its starts or in the sentences its clips end with. The two runs recognise the speech in different stretches,
    so one sentence's end is timed up to about 0.2 s apart (and a word may differ); the sentences of the sample
    are at least 0.6 s apart, so ends within 0.25 s are the same sentence."""
    (tmp_path / "src").mkdir()
    stream = replace(make_live_stream(tmp_path / "src", DURATION_S), metric_rows=tuple(_metric_rows(DURATION_S)),
                     comment_rows=())
    out = tmp_path / "live"
    writer = StreamWriter(stream, tmp_path / "rec.ts", tmp_path / "metrics.csv", speed=1.5).start()
    env = {**os.environ, "MEDIAOPS_CACHE": str(tmp_path / "cache")}
    live = [sys.executable, "-m", "mediaops", "live", str(tmp_path / "rec.ts"), "--metrics",
            str(tmp_path / "metrics.csv"), "--out", str(out), "--idle-s", "5", *_clip_options(whisper_model)]
    with (tmp_path / "live-stderr.txt").open("w") as stderr:
        proc = subprocess.run(live, stderr=stderr, env=env, timeout=600, check=False)
    assert proc.returncode == 0, (tmp_path / "live-stderr.txt").read_text()
    writer.join(10)
    assert writer.finished_at is not None
    events = read_events(out)
    clips = {e["id"]: e for e in events if e["event"] == "clip"}
    at = {cid: datetime.fromisoformat(e["wall_time"]).timestamp() for cid, e in clips.items()}
    starts = {cid: e["start_s"] for cid, e in clips.items()}
    assert sorted(starts.values())[:3] == pytest.approx(list(MOMENTS_S), abs=0.1), starts
    third = next(cid for cid, s in starts.items() if abs(s - MOMENTS_S[2]) < 0.1)
    second = next(cid for cid, s in starts.items() if abs(s - MOMENTS_S[1]) < 0.1)
    first = next(cid for cid, s in starts.items() if abs(s - MOMENTS_S[0]) < 0.1)
    assert [clips[c]["over_budget"] for c in (first, second, third)] == [False, False, True]
    assert clips[third]["outranks"] == [second] and not clips[third]["after_end"]
    assert at[third] < writer.finished_at, "the late strong moment was clipped only after the stream ended"

    # the retrospective keeps the whole stream's choice: the first and the third, their live files reused
    timeline = json.loads((out / "timeline.json").read_text("utf-8"))
    assert [c["id"] for c in timeline["clips"]] == [first, third]
    assert timeline["extras"]["live"]["clips_not_kept"] == [second]
    assert events[-1]["event"] == "end" and events[-1]["clips"] == [first, third]
    # a file written after its event was announced would be a second rendering
    assert all((out / clips[c]["file"]).stat().st_mtime <= at[c] for c in (first, third))
    assert not any(e.get("after_end") for e in clips.values())

    # ... which is what `mediaops process` chooses from the same recording and metrics
    offline_out = tmp_path / "process"
    process = [sys.executable, "-m", "mediaops", "process", str(tmp_path / "rec.ts"), "--metrics",
               str(tmp_path / "metrics.csv"), "--out", str(offline_out), *_clip_options(whisper_model)]
    done = subprocess.run(process, capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    offline = json.loads((offline_out / "timeline.json").read_text("utf-8"))["highlights"]
    assert [h["start_s"] for h in timeline["highlights"]] == [h["start_s"] for h in offline]
    assert [h["end_s"] for h in timeline["highlights"]] == pytest.approx([h["end_s"] for h in offline], abs=0.25)
    print(f"\nlive: {[(c['id'], c['start_s'], c['end_s']) for c in timeline['clips']]}; process: "
          f"{[(h['start_s'], h['end_s']) for h in offline]}; third clip {writer.finished_at - at[third]:.0f} s "
          f"before the writer finished")
