"""Comment / danmaku logs and the signals made from them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mediaops.errors import MetricsFormatError
from mediaops.inputs.comments import CommentOptions, comment_series, load_comments, parse_keywords
from mediaops.types import Comment

CST = timezone(timedelta(hours=8))


def test_jsonl(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"t_s": 5.5, "user": "a", "text": "666"}, {"t_s": 1.25, "user": "b", "text": "上链接"}, {"t_s": 3, "text": ""},
    ]), encoding="utf-8")
    comments = load_comments(f, offset_s=2.0)
    assert [(c.t_s, c.user, c.text) for c in comments] == [(3.25, "b", "上链接"), (7.5, "a", "666")]


def test_gbk_csv_with_chinese_headers_and_absolute_times(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("评论时间,昵称,评论内容\n2026-11-27 20:00:05,小王,买了\n2026-11-27 20:00:01,小李,哈哈\n",
                 encoding="gbk")
    comments = load_comments(f, start_time=datetime(2026, 11, 27, 20, 0, 0, tzinfo=CST))
    assert [(c.t_s, c.user, c.text) for c in comments] == [(1.0, "小李", "哈哈"), (5.0, "小王", "买了")]


def test_missing_text_column(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("time,user\n1,a\n")
    with pytest.raises(MetricsFormatError, match="needs a time and a text field"):
        load_comments(f)


def test_bad_time(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text('{"time": "soon", "text": "hi"}\n')
    with pytest.raises(MetricsFormatError, match="cannot read time 'soon'"):
        load_comments(f)


def test_comment_rate_and_keyword_series() -> None:
    comments = [Comment(0.2, "a", "hello"), Comment(0.7, "b", "6666"), Comment(2.5, "c", "已拍 thanks"),
                Comment(2.9, "d", "LINK please"), Comment(9.0, "e", "outside")]
    series = {s.name: s for s in comment_series(comments, duration_s=4.0)}
    assert series["comment_rate"].values == (2, 0, 2, 0)
    assert series["comment_rate"].interval_s == 1.0
    assert series["keyword_hype"].values == (1, 0, 0, 0)
    assert series["keyword_bought"].values == (0, 0, 1, 0)
    assert series["keyword_link"].values == (0, 0, 1, 0)


def test_configured_keywords() -> None:
    groups = parse_keywords(["bought=买了,已拍", "wow"])
    assert groups == (("bought", ("买了", "已拍")), ("keywords", ("wow",)))
    series = comment_series([Comment(0.5, "a", "WOW"), Comment(1.5, "b", "买了两件")], 2.0, CommentOptions(groups))
    assert {s.name: s.values for s in series} == {
        "comment_rate": (1, 1), "keyword_bought": (0, 1), "keyword_keywords": (1, 0),
    }
    with pytest.raises(ValueError, match="no keywords"):
        parse_keywords(["bought="])
