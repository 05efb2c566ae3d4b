"""The report's tables as text cells, shared by the HTML, Markdown and PDF writers so they always agree."""

from __future__ import annotations

from dataclasses import dataclass

from mediaops.analysis.reasons import reasons_of, reasons_text
from mediaops.report.i18n import clock, kpi_text, labels, number
from mediaops.retrospective.document import Retrospective
from mediaops.types import SalesSpike, Timeline


@dataclass(frozen=True, slots=True)
class Table:
    """Column headers and rows of display text."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def metric_label(name: str, lang: str) -> str:
    """The display name of a metric column (its own name where no label is known)."""
    return labels(lang).get(name, name)


def kpi_table(retro: Retrospective, lang: str) -> Table:
    """KPI, value (or "absent"), and the columns it came from."""
    t = labels(lang)
    rows = []
    for kpi in retro.kpis:
        basis = ", ".join(metric_label(b, lang) for b in kpi.basis) if kpi.present else t["absent_note"]
        if kpi.key == "duration_min":
            basis = t["recording"]
        rows.append((t[f"kpi_{kpi.key}"], kpi_text(kpi.key, kpi.value, t["absent"]), basis))
    return Table((t["kpi"], t["value"], t["basis"]), tuple(rows))


def product_table(retro: Retrospective, lang: str) -> Table:
    """One row per pitched product."""
    t = labels(lang)
    rows = []
    for p in retro.products:
        pitches = ", ".join(f"{clock(s.start_s)}–{clock(s.end_s)}" for s in p.pitches)
        rows.append((
            f"{p.name} ({p.sku})",
            pitches,
            clock(p.on_air_s),
            number(p.orders_during, 0, t["absent"]),
            number(p.gmv_during, 2, t["absent"]),
            number(p.orders_after, 0, t["absent"]),
            number(p.gmv_after, 2, t["absent"]),
            number(p.orders_per_1k_viewers, 1, t["absent"]),
            p.best_clip_id or "—",
        ))
    headers = (t["product"], t["pitches"], t["on_air"], t["orders_during"], t["gmv_during"], t["orders_after"],
               t["gmv_after"], t["orders_per_1k"], t["best_clip"])
    return Table(headers, tuple(rows))


def scene_cuts_s(timeline: Timeline) -> tuple[float, ...]:
    """Every scene change, in time order: the start of each scene but the first (the recording's start is no
    cut). The chart marks these, and the reports list these, so both show the same cuts."""
    return tuple(sorted(s.start_s for s in timeline.scenes if s.start_s > 0))


def product_name(retro: Retrospective, sku: str | None) -> str:
    """The name of a pitched product, or its SKU where it was never pitched; an em dash for ``None``."""
    if sku is None:
        return "—"
    return next((p.name for p in retro.timeline.pitches if p.sku == sku), sku)


def cause_text(retro: Retrospective, spike: SalesSpike, lang: str) -> str:
    """The attribution of a spike in words: product and kind of evidence, or "unattributed"; where clips in the
    lag window show another product, which ones (so that the spike's product and a clip's never silently
    disagree)."""
    t = labels(lang)
    kind = t.get(f"attr_{spike.attribution}", spike.attribution)
    if spike.attribution == "unattributed":
        return kind
    text = f"{product_name(retro, spike.sku)} · {kind}" if spike.sku else kind
    others = [clip_product_note(retro, clip_id, lang) for clip_id in spike.other_product_clip_ids]
    return "; ".join([text, *others])


def clip_product_note(retro: Retrospective, clip_id: str, lang: str) -> str:
    """Why a clip in a spike's lag window is not linked to it: it shows another product."""
    clip = next((c for c in retro.timeline.clips if c.id == clip_id), None)
    product = product_name(retro, clip.product_sku) if clip is not None else "—"
    return labels(lang)["clip_shows_other"].format(clip=clip_id, product=product)


def sales_moments(spikes: tuple[SalesSpike, ...] | list[SalesSpike]) -> list[list[SalesSpike]]:
    """The spikes grouped by sales moment (``event_id``; a spike without one is a moment of its own), in time
    order, each moment's spikes in the order of its metrics."""
    moments: dict[str, list[SalesSpike]] = {}
    for spike in sorted(spikes, key=lambda s: (s.t_s, s.metric)):
        moments.setdefault(spike.event_id or spike.id, []).append(spike)
    order = {"orders": 0, "gmv": 1}
    return [sorted(group, key=lambda s: (order.get(s.metric, 2), s.metric)) for group in moments.values()]


def spike_table(retro: Retrospective, lang: str) -> Table:
    """One row per sales moment, in time order: the orders and GMV spikes of one moment side by side (values and
    baselines as ``orders / GMV``), with the attribution they share."""
    t = labels(lang)
    rows = []
    for group in sales_moments(retro.timeline.sales_spikes):
        first = group[0]

        def figures(pick, spikes=group) -> str:
            return " / ".join(number(pick(s), 2 if s.metric == "gmv" else 0) for s in spikes)

        rows.append((
            first.event_id or first.id,
            clock(min(s.t_s for s in group)),
            " + ".join(metric_label(s.metric, lang) for s in group),
            figures(lambda s: s.value),
            figures(lambda s: s.baseline),
            cause_text(retro, first, lang),
            first.clip_id or "—",
            f"{first.confidence:.2f}",
            f"{first.lag_s:.0f} s" if first.lag_s is not None else "—",
        ))
    headers = ("#", t["time"], t["metric"], t["value"], t["baseline"], t["cause"], t["clip"], t["confidence"],
               t["lag"])
    return Table(headers, tuple(rows))


def clip_table(retro: Retrospective, lang: str) -> Table:
    """One row per clip, in the order of the timeline (best first)."""
    t = labels(lang)
    rows = tuple(
        (c.id, clock(c.start_s), clock(c.end_s), f"{c.score:.1f}", product_name(retro, c.product_sku),
         reasons_text(reasons_of(c), lang), c.file)
        for c in retro.timeline.clips
    )
    return Table((t["clip"], t["start"], t["end"], t["score"], t["product"], t["reasons"], t["file"]), rows)
