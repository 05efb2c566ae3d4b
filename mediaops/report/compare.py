"""Several streams side by side: KPIs, top clips and product results (the same host week over week, or a
competitor's stream), as one HTML page, a Markdown file and a CSV of the KPIs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from mediaops.report.csv_export import csv_text
from mediaops.report.html import plotly_js
from mediaops.report.i18n import clock, kpi_text, labels, number
from mediaops.report.markdown_text import markdown_table
from mediaops.report.tables import Table, product_name
from mediaops.retrospective.document import Retrospective, load_retrospective
from mediaops.retrospective.kpis import KPI_KEYS, kpi_value
from mediaops.serialize import write_text_atomic

_env = Environment(loader=PackageLoader("mediaops.report", "templates"), autoescape=select_autoescape(["html", "j2"]))


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """How to compare streams.

    Attributes:
        lang: label language, ``zh`` (default) or ``en``.
        top_clips: how many of each stream's best clips to list.
    """

    lang: str = "zh"
    top_clips: int = 3


@dataclass(frozen=True, slots=True)
class Stream:
    """One compared stream: its name in the report, its folder and its retrospective."""

    name: str
    folder: Path
    retro: Retrospective


def stream_names(folders: list[Path]) -> list[str]:
    """Short unique names for the columns: folder names, numbered where two are alike."""
    names = [f.resolve().name or str(f) for f in folders]
    return [f"{n} ({i + 1})" if names.count(n) > 1 else n for i, n in enumerate(names)]


def load_streams(folders: list[Path]) -> list[Stream]:
    """The retrospectives of ``folders``, in the order given.

    Raises:
        TimelineError: a folder has no valid ``timeline.json``.
    """
    return [Stream(name, folder, load_retrospective(folder))
            for name, folder in zip(stream_names(folders), folders, strict=True)]


def kpi_matrix(streams: list[Stream], lang: str) -> Table:
    """One row per KPI, one column per stream."""
    t = labels(lang)
    rows = tuple(
        (t[f"kpi_{key}"], *(kpi_text(key, kpi_value(s.retro.kpis, key), t["absent"]) for s in streams))
        for key in KPI_KEYS
    )
    return Table((t["kpi"], *(s.name for s in streams)), rows)


def top_clips_table(streams: list[Stream], lang: str, out_dir: Path, top: int) -> Table:
    """The best ``top`` clips of each stream, with the clip's path relative to the comparison folder."""
    t = labels(lang)
    rows = []
    for stream in streams:
        best = sorted(stream.retro.timeline.clips, key=lambda c: -c.score)[: max(0, top)]
        for clip in best:
            link = os.path.relpath(stream.folder / clip.file, out_dir)
            rows.append((stream.name, clip.id, f"{clock(clip.start_s)}–{clock(clip.end_s)}", f"{clip.score:.1f}",
                         product_name(stream.retro, clip.product_sku), Path(link).as_posix()))
    return Table((t["stream"], t["clip"], t["time"], t["score"], t["product"], t["file"]), tuple(rows))


def product_matrix(streams: list[Stream], lang: str) -> Table:
    """Every stream's product results, one row per stream and product."""
    t = labels(lang)
    rows = []
    for stream in streams:
        for p in stream.retro.products:
            orders = None if p.orders_during is None else p.orders_during + (p.orders_after or 0.0)
            gmv = None if p.gmv_during is None else p.gmv_during + (p.gmv_after or 0.0)
            rows.append((stream.name, f"{p.name} ({p.sku})", clock(p.on_air_s), number(orders, 0, t["absent"]),
                         number(gmv, 2, t["absent"]), number(p.orders_per_1k_viewers, 1, t["absent"]),
                         p.best_clip_id or "—"))
    headers = (t["stream"], t["product"], t["on_air"], t["orders"], "GMV", t["orders_per_1k"], t["best_clip"])
    return Table(headers, tuple(rows))


def _figure(streams: list[Stream], lang: str) -> dict[str, Any]:
    t = labels(lang)
    names = [s.name for s in streams]
    traces = []
    for key, axis in (("gmv", "y"), ("orders", "y2"), ("peak_online_viewers", "y3")):
        traces.append({"type": "bar", "name": t[f"kpi_{key}"], "x": names, "xaxis": "x" if axis == "y" else
                       f"x{axis[1:]}", "yaxis": axis, "y": [kpi_value(s.retro.kpis, key) for s in streams]})
    layout = {
        "height": 320, "margin": {"l": 50, "r": 20, "t": 40, "b": 40}, "showlegend": False,
        "grid": {"rows": 1, "columns": 3, "pattern": "independent"},
        "annotations": [
            {"text": t[f"kpi_{key}"], "xref": "paper", "yref": "paper", "x": x, "y": 1.12, "showarrow": False}
            for key, x in (("gmv", 0.12), ("orders", 0.5), ("peak_online_viewers", 0.88))
        ],
        "font": {"family": "system-ui, 'Noto Sans CJK SC', 'PingFang SC', sans-serif"},
    }
    return {"data": traces, "layout": layout}


def render_comparison_markdown(streams: list[Stream], out_dir: Path, options: CompareOptions = CompareOptions()) -> str:
    """The comparison as Markdown."""
    t = labels(options.lang)
    products = product_matrix(streams, options.lang)
    return "\n".join([
        f"# {t['compare_title']} · {' / '.join(s.name for s in streams)}", "",
        f"## {t['kpis']}", "", markdown_table(kpi_matrix(streams, options.lang)), "",
        f"## {t['top_clips']}", "", markdown_table(top_clips_table(streams, options.lang, out_dir, options.top_clips)),
        "",
        f"## {t['product_results']}", "", markdown_table(products) if products.rows else t["no_products"], "",
    ])


def render_comparison_html(streams: list[Stream], out_dir: Path, options: CompareOptions = CompareOptions()) -> str:
    """The comparison as one self-contained HTML page (chart inline, no network)."""
    lang = options.lang
    return _env.get_template("compare.html.j2").render(
        lang=lang, t=labels(lang), streams=streams,
        kpis=kpi_matrix(streams, lang),
        clips=top_clips_table(streams, lang, out_dir, options.top_clips),
        products=product_matrix(streams, lang),
        figure=_figure(streams, lang),
        plotly_js=plotly_js(),
    )


def kpi_csv(streams: list[Stream], out_dir: Path) -> str:
    """The KPIs as CSV: one row per stream (its name, title and folder relative to ``out_dir``), raw values, empty
    where absent."""
    rows: list[list[object]] = [["stream", "title", "folder", *KPI_KEYS]]
    rows += [[s.name, s.retro.title, Path(os.path.relpath(s.folder, out_dir)).as_posix(),
              *(kpi_value(s.retro.kpis, key) for key in KPI_KEYS)] for s in streams]
    return csv_text(rows)


def write_comparison(folders: list[Path], out_dir: Path, options: CompareOptions = CompareOptions()) -> list[Path]:
    """Write ``compare.html``, ``compare.md`` and ``compare.csv`` for the streams in ``folders``.

    Raises:
        TimelineError: a folder has no valid ``timeline.json``.
    """
    streams = load_streams(folders)
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = {
        "compare.html": render_comparison_html(streams, out_dir, options),
        "compare.md": render_comparison_markdown(streams, out_dir, options),
        "compare.csv": kpi_csv(streams, out_dir),
    }
    for name, text in outputs.items():
        write_text_atomic(out_dir / name, text)
    return [out_dir / name for name in outputs]
