from pathlib import Path

import pytest

from mediaops.errors import InputFileError, MetricsFormatError
from mediaops.inputs.metrics import MetricsOptions, load_metrics, parse_offset


@pytest.mark.parametrize(
    ("text", "seconds"), [("00:01:05", 65.0), ("01:05", 65.0), ("65", 65.0), ("1:00:00.5", 3600.5)]
)
def test_parse_offset(text: str, seconds: float) -> None:
    assert parse_offset(text) == seconds


def test_english_headers(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text("time,online_viewers,comments,orders,extra\n00:00:00,100,5,0,x\n00:00:10,120,9,1,y\n00:00:20,130,4,2,z\n")
    m = load_metrics(f)
    assert m.interval_s == 10
    assert m.names == ("online_viewers", "comments", "orders")
    assert m.get("comments").values == (5, 9, 4)
    assert any("extra" in w for w in m.warnings)


def test_chinese_headers_cumulative_and_offset(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text("时间,实时在线人数,评论数,成交金额\n0,10,3,0\n60,12,10,100\n120,15,12,150\n180,11,20,150\n",
                 encoding="utf-8")
    m = load_metrics(f, MetricsOptions(offset_s=5))
    assert m.get("comments").values == (3, 7, 2, 8)
    assert m.get("online_viewers").values == (10, 12, 15, 11)
    assert m.get("gmv").t_s[0] == 5


def test_no_known_columns(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(MetricsFormatError, match="no usable columns"):
        load_metrics(f)


def test_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text("")
    with pytest.raises(InputFileError, match="empty"):
        load_metrics(f)
