"""KPI targets: reading targets files (YAML, JSON, CSV; English and Chinese keys) and attainment against actuals."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaops.errors import InputFileError, MetricsFormatError, PlanFormatError
from mediaops.retrospective.insights.targets import evaluate_targets, load_targets, moments_for, parse_targets
from mediaops.retrospective.insights.types import Target
from tests.insights_synthetic import TARGETS, build_metrics, build_pitches, build_transcript

SAMPLE = Path(__file__).resolve().parents[1] / "sample_media"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("t.yaml", "peak_viewers: 300\nGMV: ¥5,000\n订单数: 1.2万\nconversion_rate: 2%\n"),
        ("t.yml", "targets:\n  peak_viewers: 300\n  GMV: 5000\n  订单数: 12000\n  conversion_rate: 2\n"),
        ("t.json", '{"peak_viewers": 300, "gmv": "5000", "orders": 12000, "转化率": "2%"}'),
        ("t.csv", "kpi,target\npeak_viewers,300\ngmv,\"5,000\"\n订单数,1.2万\nconversion_rate,2%\n"),
        ("t-zh.csv", "指标,目标\n峰值在线,300\n成交金额,5000\norders,12000\n成交转化率,2\n"),
    ],
    ids=["yaml", "yaml-nested", "json", "csv", "csv-chinese-headers"],
)
def test_targets_files_in_every_format_read_the_same(tmp_path: Path, name: str, text: str) -> None:
    targets = load_targets(_write(tmp_path, name, text))
    assert [(t.key, t.value) for t in targets] == [
        ("peak_online_viewers", 300.0), ("gmv", 5000.0), ("orders", 12000.0), ("conversion_rate", 2.0)]


def test_sample_targets_file_reads() -> None:
    keys = [t.key for t in load_targets(SAMPLE / "targets.yaml")]
    assert keys == ["peak_online_viewers", "avg_online_viewers", "comments", "likes", "orders", "gmv",
                    "avg_order_value", "conversion_rate"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("t.yaml", "gmv: 5000\nfoo_bar: 3\n", "unknown KPI 'foo_bar'"),
        ("t.yaml", "gmv: lots\n", "not a number"),
        ("t.yaml", "gmv: -5\n", "positive number"),
        ("t.yaml", "gmv: 5000\nGMV: 6000\n", "given twice"),
        ("t.yaml", "gmv: [1, 2\n", "not valid YAML"),
        ("t.yaml", "- 1\n- 2\n", "expected KPI: target pairs"),
        ("t.json", '{"gmv": 5000,}', "not valid JSON"),
        ("t.csv", "kpi,target,owner\ngmv,5000,amy\n", "expected columns kpi,target"),
        ("t.txt", "gmv 5000\n", "give a .yaml, .yml, .json or .csv"),
    ],
    ids=["unknown-kpi", "not-number", "negative", "duplicate", "bad-yaml", "list", "bad-json", "csv-extra-column",
         "suffix"],
)
def test_bad_targets_files_give_one_line_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(PlanFormatError) as info:
        load_targets(_write(tmp_path, name, text))
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, MetricsFormatError)


def test_missing_and_empty_targets_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not found"):
        load_targets(tmp_path / "nope.yaml")
    with pytest.raises(InputFileError, match="empty"):
        load_targets(_write(tmp_path, "empty.yaml", ""))


def test_not_utf8_targets_file(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("指标,目标\n成交金额,5000\n".encode("gbk"))
    with pytest.raises(PlanFormatError, match="not UTF-8"):
        load_targets(path)


def test_targets_met_missed_and_absent() -> None:
    results = {r.key: r for r in evaluate_targets(TARGETS, build_metrics(), build_pitches(), build_transcript(),
                                                  1200.0)}
    orders, gmv, conversion = results["orders"], results["gmv"], results["conversion_rate"]
    assert (orders.actual, orders.attainment_pct, orders.met) == (110.0, 110.0, True)
    assert (gmv.actual, gmv.attainment_pct, gmv.met) == (5500.0, 55.0, False)
    assert gmv.label == "GMV"
    # no viewers_entered column: shown as absent, never estimated
    assert (conversion.actual, conversion.attainment_pct, conversion.met, conversion.moments) == (None, None, None, ())


def test_moments_that_moved_a_count_kpi_most() -> None:
    moments = moments_for("orders", build_metrics(), build_pitches(), build_transcript(), top=2)
    assert [(m.start_s, m.value, m.on_air) for m in moments] == [(120.0, 30.0, "Aurora Lamp"),
                                                                 (500.0, 20.0, "Breeze Fan")]
    assert moments[0].share_pct == pytest.approx(30 / 110 * 100, abs=0.1)
    assert "99 dollars" in moments[0].said


def test_moments_of_a_level_kpi_are_its_biggest_rises() -> None:
    metrics = build_metrics()
    # viewers only fall in the synthetic stream: no rise, no moment
    assert moments_for("peak_online_viewers", metrics) == ()
    result = evaluate_targets([Target("peak_online_viewers", 150.0)], metrics)[0]
    assert (result.actual, result.met, result.attainment_pct) == (200.0, True, pytest.approx(133.3))


def test_average_order_value_and_conversion_from_an_inflow_column() -> None:
    from dataclasses import replace

    from mediaops.types import MetricSeries

    metrics = build_metrics()
    times = metrics.series[0].t_s
    inflow = MetricSeries("viewers_entered", times, tuple(10.0 for _ in times), 10.0, "count", "entered")
    metrics = replace(metrics, series=(*metrics.series, inflow))
    results = {r.key: r for r in evaluate_targets([Target("conversion_rate", 10.0), Target("avg_order_value", 40.0)],
                                                  metrics)}
    assert results["conversion_rate"].actual == pytest.approx(110 / 1200 * 100)
    assert results["conversion_rate"].met is False
    assert results["avg_order_value"].actual == pytest.approx(50.0)
    assert results["avg_order_value"].met is True


def test_parse_targets_rejects_empty_mapping() -> None:
    with pytest.raises(PlanFormatError, match="no targets"):
        parse_targets({})
