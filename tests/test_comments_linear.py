"""Comments cost linear time and are decoded once.

Rejected wrong implementations (each tried by hand on the code):
- the question-burst search restarting its window end at every comment was quadratic (100 000 comments: 20 s);
  the linear two-pointer must give exactly the bursts of the plain definition (the slow oracle below) on dense,
  overlapping surges: a version that lets surges overlap (next search from ``i + 1`` instead of after the surge)
  fails ``test_bursts_match_the_definition``;
- an artifact store that decodes the stored JSON on every read (the metrics stage's 100 000 comments were
  re-decoded 14 times) fails ``test_a_stored_result_is_decoded_once``; one that keeps serving the first value
  after the file was replaced fails ``test_a_replaced_artifact_is_read_again``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from mediaops.jobs import artifacts
from mediaops.jobs.artifacts import ArtifactStore
from mediaops.retrospective.insights.audience import find_question_bursts, question_kind
from mediaops.retrospective.insights.options import InsightOptions
from mediaops.types import Comment, Segment, Transcript

ASKS = ("多少钱", "怎么买", "包邮吗", "尺码怎么选", "好漂亮", "666")


def _reference_bursts(comments: list[Comment], duration_s: float, options: InsightOptions) -> list[tuple]:
    """The definition, written the slow obvious way: for each kind, from each question, count the window."""
    found = []
    for kind in sorted({question_kind(c.text) or "" for c in comments} - {""}):
        times = sorted(c.t_s for c in comments if question_kind(c.text) == kind)
        needed = max(options.burst_min_questions, options.surge_ratio * len(times) * options.question_window_s
                     / duration_s)
        i = 0
        while i < len(times):
            inside = [t for t in times[i:] if t < times[i] + options.question_window_s]
            if len(inside) < needed:
                i += 1
                continue
            found.append((kind, times[i], inside[-1], len(inside)))
            i += len(inside)
    return sorted(found, key=lambda b: (b[1], b[0]))


@pytest.mark.parametrize("seed", range(6))
def test_bursts_match_the_definition(seed: int) -> None:
    rng = random.Random(seed)
    duration_s = 1800.0
    comments = [Comment(rng.uniform(0, duration_s), f"u{i}", rng.choice(ASKS)) for i in range(3000)]
    for centre in (rng.uniform(0, duration_s) for _ in range(8)):  # planted surges, some overlapping
        comments += [Comment(centre + rng.uniform(0, 20), f"s{j}", rng.choice(ASKS[:3])) for j in range(60)]
    options = InsightOptions()
    transcript = Transcript(language="zh", segments=(Segment(0.0, 1.0, "大家好"),), duration_s=duration_s)
    got = [(b.category, b.start_s, b.end_s, b.count)
           for b in find_question_bursts(comments, transcript, options, duration_s)]
    assert got == _reference_bursts(comments, duration_s, options)
    assert len(got) >= 4, "the planted surges were not found"


def test_a_stored_result_is_decoded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ArtifactStore(tmp_path)
    comments = tuple(Comment(float(i), "u", "多少钱") for i in range(1000))
    store.save("metrics", "k", comments)
    calls = []
    real = artifacts.decode

    def counting(kind, data):  # type: ignore[no-untyped-def]
        calls.append(kind)
        return real(kind, data)

    monkeypatch.setattr(artifacts, "decode", counting)
    first = ArtifactStore(tmp_path)
    values = [first.load("metrics", "k", tuple[Comment, ...]) for _ in range(14)]
    assert values[0] == comments and all(v is values[0] for v in values)
    assert len(calls) == 1


def test_a_replaced_artifact_is_read_again(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    store.save("metrics", "k", (Comment(1.0, "u", "a"),))
    assert store.load("metrics", "k", tuple[Comment, ...]) == (Comment(1.0, "u", "a"),)
    other = ArtifactStore(tmp_path)  # another process replaces the file (a re-run)
    other.save("metrics", "k", (Comment(2.0, "v", "bb"),))
    assert store.load("metrics", "k", tuple[Comment, ...]) == (Comment(2.0, "v", "bb"),)
    store.path("metrics", "k").unlink()
    assert store.load("metrics", "k", tuple[Comment, ...]) is None
