"""Reading comment / danmaku logs (JSONL or CSV with time, user, text)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from mediaops.errors import MetricsFormatError
from mediaops.metrics import parse_offset
from mediaops.probe import check_input_file
from mediaops.types import Comment

_TIME_KEYS = ("t_s", "time", "timestamp", "offset", "时间")
_USER_KEYS = ("user", "nickname", "username", "用户", "昵称")
_TEXT_KEYS = ("text", "content", "comment", "message", "内容", "评论")


def _pick(record: dict[str, object], keys: tuple[str, ...]) -> object | None:
    return next((record[k] for k in keys if k in record and record[k] not in (None, "")), None)


def _to_comment(record: dict[str, object], where: str) -> Comment:
    raw_time = _pick(record, _TIME_KEYS)
    text = _pick(record, _TEXT_KEYS)
    if raw_time is None or text is None:
        raise MetricsFormatError(f"{where}: a comment needs a time and a text field")
    try:
        t_s = float(raw_time) if isinstance(raw_time, int | float) else parse_offset(str(raw_time))
    except ValueError as exc:
        raise MetricsFormatError(f"{where}: cannot read time {raw_time!r}") from exc
    return Comment(t_s=t_s, user=str(_pick(record, _USER_KEYS) or ""), text=str(text))


def load_comments(path: Path, offset_s: float = 0.0) -> list[Comment]:
    """Comments sorted by time; ``offset_s`` is added to every time.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: a line is not valid JSON / CSV or lacks a time or text.
    """
    check_input_file(path, "comments file")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    comments: list[Comment] = []
    if path.suffix.lower() == ".csv":
        for line_no, record in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            comments.append(_to_comment({k.strip(): v for k, v in record.items() if k}, f"{path.name} line {line_no}"))
    else:
        for line_no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise MetricsFormatError(
                    f"{path.name} line {line_no} is not JSON — expected one object per line"
                ) from exc
            comments.append(_to_comment(record, f"{path.name} line {line_no}"))
    shifted = [Comment(c.t_s + offset_s, c.user, c.text) for c in comments]
    return sorted(shifted, key=lambda c: c.t_s)
