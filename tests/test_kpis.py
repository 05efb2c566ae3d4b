"""The KPI block and the per-product table on series whose sums are known by construction (pure)."""

from __future__ import annotations

import pytest

from mediaops.retrospective.kpis import KPI_KEYS, compute_kpis, kpi_value
from mediaops.retrospective.product_table import ProductTableOptions, amount_between, product_results
from mediaops.types import Clip, Metrics, MetricSeries, PitchSegment, SalesSpike

TIMES = tuple(float(t) for t in range(0, 600, 10))  # 10 minutes in 10 s rows


def _metrics(**columns: list[float]) -> Metrics:
    kinds = {"online_viewers": "level"}
    return Metrics(tuple(MetricSeries(name, TIMES, tuple(values), 10.0, kinds.get(name, "count"))
                         for name, values in columns.items()), 10.0)


def test_kpis_from_a_full_export() -> None:
    n = len(TIMES)
    metrics = _metrics(online_viewers=[100.0 + i for i in range(n)], comments=[2.0] * n, likes=[10.0] * n,
                       shares=[1.0] * n, viewers_entered=[5.0] * n, new_followers=[0.5] * n,
                       orders=[1.0] * n, gmv=[30.0] * n)
    kpis = compute_kpis(metrics, duration_s=600.0)
    assert [k.key for k in kpis] == list(KPI_KEYS)
    assert kpi_value(kpis, "duration_min") == pytest.approx(10.0)
    assert kpi_value(kpis, "peak_online_viewers") == 100 + n - 1
    assert kpi_value(kpis, "avg_online_viewers") == pytest.approx(100 + (n - 1) / 2)
    assert kpi_value(kpis, "interactions") == 13.0 * n
    assert kpi_value(kpis, "interactions_per_min") == pytest.approx(13.0 * n / 10)
    assert kpi_value(kpis, "viewer_inflow") == 5.0 * n
    assert kpi_value(kpis, "follower_gain") == 0.5 * n
    assert kpi_value(kpis, "orders") == n
    assert kpi_value(kpis, "gmv") == 30.0 * n
    assert kpi_value(kpis, "gmv_per_viewer") == pytest.approx(6.0)
    assert next(k for k in kpis if k.key == "interactions").basis == ("comments", "likes", "shares")


def test_absent_columns_stay_absent() -> None:
    n = len(TIMES)
    kpis = compute_kpis(_metrics(comments=[3.0] * n, gmv=[float("nan")] * n), duration_s=600.0)
    absent = {k.key for k in kpis if not k.present}
    # GMV column full of blanks is absent too; nothing is estimated from the other columns
    assert absent == {"peak_online_viewers", "avg_online_viewers", "viewer_inflow", "follower_gain", "orders", "gmv",
                      "gmv_per_viewer"}
    assert kpi_value(kpis, "interactions") == 3.0 * n
    assert all(k.basis == () for k in kpis if not k.present)


def test_no_metrics_at_all() -> None:
    assert all(k.value is None for k in compute_kpis(None))
    assert [k.key for k in compute_kpis(None, 90.0) if k.present] == ["duration_min"]


def test_amount_between_shares_partial_rows() -> None:
    series = MetricSeries("orders", TIMES, tuple([6.0] * len(TIMES)), 10.0)
    assert amount_between(series, 0.0, 600.0) == pytest.approx(360.0)
    assert amount_between(series, 5.0, 25.0) == pytest.approx(12.0)  # half of two rows and nothing else
    assert amount_between(None, 0.0, 10.0) is None


def test_product_table() -> None:
    n = len(TIMES)
    orders = [0.0] * n
    gmv = [0.0] * n
    for i, t in enumerate(TIMES):
        if 100 <= t < 200:  # during pitch A
            orders[i], gmv[i] = 2.0, 78.0
        if 200 <= t < 250:  # after A, before B
            orders[i], gmv[i] = 1.0, 39.0
    metrics = _metrics(online_viewers=[200.0] * n, orders=orders, gmv=gmv)
    pitches = [PitchSegment("A", "Blender", 100.0, 200.0, 3), PitchSegment("B", "Blanket", 250.0, 300.0),
               PitchSegment("A", "Blender", 400.0, 430.0)]
    clips = [Clip("clip-01", 100.0, 130.0, 2.0, "clips/clip-01.mp4", product_sku="A"),
             Clip("clip-02", 410.0, 440.0, 4.0, "clips/clip-02.mp4", product_sku="A"),
             Clip("clip-03", 260.0, 290.0, 1.0, "clips/clip-03.mp4")]
    spikes = [SalesSpike("orders-01", 150.0, "orders", 2.0, "clip-01", "A", 0.8, "pitch_and_clip")]
    rows = product_results(pitches, metrics, clips, spikes, ProductTableOptions(after_s=180.0))
    assert [r.sku for r in rows] == ["A", "B"]
    a, b = rows
    assert a.on_air_s == pytest.approx(130.0) and len(a.pitches) == 2
    assert a.orders_during == pytest.approx(20.0) and a.gmv_during == pytest.approx(780.0)
    # "after" stops where the next pitch starts
    assert a.orders_after == pytest.approx(5.0) and a.gmv_after == pytest.approx(195.0)
    assert a.orders_per_1k_viewers == pytest.approx(25.0 / 200.0 * 1000)
    assert a.best_clip_id == "clip-02" and a.spike_ids == ("orders-01",)
    assert b.orders_during == 0.0 and b.best_clip_id == "clip-03"  # a clip on air during its pitch
    # without sales columns the figures are absent, not zero
    bare = product_results(pitches, _metrics(comments=[1.0] * n))
    assert bare[0].orders_during is None and bare[0].orders_per_1k_viewers is None and bare[0].avg_viewers is None
