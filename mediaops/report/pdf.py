"""The PDF review report for meetings: the timeline chart (drawn with Matplotlib) and the report's tables
(laid out with fpdf2), in a font with Chinese glyphs."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from mediaops.errors import MediaOpsError
from mediaops.report.chart import CLIP_COLOUR, PRODUCT_COLOURS, SPIKE_COLOUR, ticks
from mediaops.report.i18n import clock, labels
from mediaops.report.tables import Table, clip_table, kpi_table, metric_label, product_table, spike_table
from mediaops.retrospective.document import Retrospective

#: static (non-variable) CJK fonts, preferred for PDF embedding: variable fonts embed as invalid subsets.
_STATIC_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def _face(path: Path) -> tuple[int, bool] | None:
    """The Simplified Chinese face of a font file and whether it is a variable font; ``None`` if unreadable."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        faces = list(TTCollection(str(path), lazy=True).fonts) if path.suffix.lower() == ".ttc" else [
            TTFont(str(path), lazy=True)]
    except (OSError, TTLibError):
        return None
    names = [str(face["name"].getDebugName(1) or "") for face in faces]
    index = next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)
    return index, "fvar" in faces[index]


def locate_font(explicit: Path | None = None) -> tuple[Path, int]:
    """The font file (and face index in a collection) the PDF is set in.

    Uses ``explicit`` where given; else a static system CJK font (Debian's ``fonts-noto-cjk``), which embeds
    cleanly; else the CJK font of :mod:`mediaops.media.fonts` (shared with the burned-in captions).

    Raises:
        MediaOpsError: no font with Chinese glyphs is installed, or ``explicit`` cannot be read.
    """
    if explicit is not None:
        face = _face(explicit) if explicit.is_file() else None
        if face is None:
            raise MediaOpsError(f"cannot read font file {explicit} — give a .ttf/.otf/.ttc font with Chinese glyphs")
        return explicit, face[0]
    for candidate in map(Path, _STATIC_CJK_FONTS):
        face = _face(candidate) if candidate.is_file() else None
        if face is not None and not face[1]:
            return candidate, face[0]
    try:
        from mediaops.media.fonts import cjk_font

        info = cjk_font()
    except (ImportError, MediaOpsError) as exc:
        raise MediaOpsError(
            "no Chinese font found for the PDF report: apt-get install fonts-noto-cjk or pip install "
            "manimgx-fonts-cjk (or give one with --font)"
        ) from exc
    return info.path, info.index


def _chart_png(retro: Retrospective, lang: str, font: Path) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    font_manager.fontManager.addfont(str(font))
    family = font_manager.FontProperties(fname=str(font)).get_name()
    t = labels(lang)
    timeline = retro.timeline
    metrics = timeline.metrics
    end_s = max(timeline.recording.duration_s, 1.0)
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "font.size": 8, "axes.unicode_minus": False}):
        fig = Figure(figsize=(11.0, 6.0), dpi=150, layout="constrained")
        top, middle, band = fig.subplots(3, 1, sharex=True, height_ratios=[3, 3, 1.2])
        if metrics is not None:
            viewers = metrics.get("online_viewers")
            if viewers is not None:
                top.plot([x + viewers.interval_s / 2 for x in viewers.t_s], viewers.values, color="#1f77b4",
                         label=metric_label("online_viewers", lang))
            right = top.twinx()
            for name, colour in (("comments", "#ff7f0e"), ("likes", "#2ca02c"), ("shares", "#9467bd")):
                series = metrics.get(name)
                if series is not None:
                    right.plot([x + series.interval_s / 2 for x in series.t_s], series.values, color=colour,
                               linewidth=0.9, label=metric_label(name, lang))
            handles = top.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
            if handles:
                top.legend(handles=handles, loc="upper left", fontsize=7)
            top.set_ylabel(metric_label("online_viewers", lang))
            right.set_ylabel(t["engagement"])
            orders, gmv = metrics.get("orders"), metrics.get("gmv")
            if orders is not None:
                # one stepped area, not a bar per row: a 6-hour export has thousands of rows
                edges = [*orders.t_s, orders.t_s[-1] + orders.interval_s]
                middle.stairs([v if v == v else 0.0 for v in orders.values], edges, fill=True, color="#aec7e8",
                              label=metric_label("orders", lang))
                middle.set_ylabel(metric_label("orders", lang))
            gmv_axis = middle.twinx() if gmv is not None else None
            if gmv is not None and gmv_axis is not None:
                gmv_axis.plot([x + gmv.interval_s / 2 for x in gmv.t_s], gmv.values,
                              linewidth=1.0, label="GMV", color="#8c564b")
                gmv_axis.set_ylabel("GMV")
            # one artist per kind of marker: a long stream has hundreds of cuts, pitches and spikes
            for metric in dict.fromkeys(s.metric for s in timeline.sales_spikes):
                spikes = [s for s in timeline.sales_spikes if s.metric == metric]
                axis = gmv_axis if metric == "gmv" and gmv_axis is not None else middle
                axis.plot([s.t_s for s in spikes], [s.value for s in spikes], marker="^", markersize=9,
                          color=SPIKE_COLOUR, linestyle="")
                if metric == "orders" or gmv_axis is None:
                    for spike in spikes:
                        axis.annotate(spike.id, (spike.t_s, spike.value), textcoords="offset points",
                                      xytext=(4, 4), fontsize=6, color=SPIKE_COLOUR)
        colours = {sku: PRODUCT_COLOURS[i % len(PRODUCT_COLOURS)]
                   for i, sku in enumerate(dict.fromkeys(p.sku for p in timeline.pitches))}
        min_label_s = end_s / 40  # spans narrower than this get no label: it would not fit
        for colour in dict.fromkeys(colours.values()):
            spans = [(p.start_s, p.end_s - p.start_s) for p in timeline.pitches if colours[p.sku] == colour]
            band.broken_barh(spans, (0.7, 0.6), color=colour)
            for axis in (top, middle):
                axis.broken_barh(spans, (0, 1), color=colour, alpha=0.08, linewidth=0,
                                 transform=axis.get_xaxis_transform())
        for pitch in timeline.pitches:
            if pitch.end_s - pitch.start_s >= min_label_s:
                band.text(pitch.start_s + 1, 1.0, pitch.name, fontsize=6, va="center", clip_on=True)
        band.broken_barh([(c.start_s, c.end_s - c.start_s) for c in timeline.clips], (1.7, 0.6), color=CLIP_COLOUR)
        for clip in timeline.clips:
            band.text(clip.start_s + 1, 2.0, clip.id, fontsize=6, va="center", clip_on=True)
        cuts = [s.start_s for s in timeline.scenes if s.start_s > 0]
        band.plot(cuts, [0.0] * len(cuts), marker="|", markersize=12, color="#555", linestyle="")
        for axis in (top, middle, band):
            axis.vlines(cuts, 0, 1, color="#999", linewidth=0.6, linestyle=":", transform=axis.get_xaxis_transform())
        band.set_ylim(-0.6, 2.6)
        band.set_yticks([0, 1, 2], [t["scene_cut"], t["pitch"], t["clips"]])
        band.set_xlim(0, end_s)
        band.set_xticks(*ticks(end_s))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _table(pdf: Any, table: Table, widths: tuple[int, ...] | None = None, font_size: float = 8) -> None:
    pdf.set_font("cjk", size=font_size)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=font_size * 0.55,
                   headings_style=_headings()) as grid:
        grid.row(list(table.headers))
        for row in table.rows:
            grid.row(list(row))


def _headings() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis=None, fill_color=(235, 235, 235))


def render_pdf(retro: Retrospective, lang: str = "zh", font: Path | None = None) -> bytes:
    """The PDF report of ``retro``: title, KPI block and chart on page 1, then spikes, products and clips.

    Raises:
        MediaOpsError: no font with Chinese glyphs (see :func:`locate_font`).
    """
    from fpdf import FPDF

    font_path, face = locate_font(font)
    t = labels(lang)
    timeline = retro.timeline
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("cjk", fname=str(font_path), collection_font_number=face)
    pdf.set_title(f"{t['title']} {retro.title}")
    pdf.set_creator("MediaOps")
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 9, f"{t['title']} · {retro.title}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    meta = f"{t['recording']}: {timeline.recording.path}   {t['duration']}: {clock(timeline.recording.duration_s)}"
    if timeline.created_at:
        meta += f"   {t['generated']}: {timeline.created_at}"
    pdf.cell(0, 6, meta, new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(_chart_png(retro, lang, font_path)), w=pdf.epw)
    pdf.add_page()
    for heading, table, widths in (
        (t["kpis"], kpi_table(retro, lang), (2, 1, 3)),
        (f"{t['spikes']} ({len(timeline.sales_spikes)})", spike_table(retro, lang), (3, 2, 2, 2, 2, 6, 2, 2, 2)),
        (f"{t['products']} ({len(retro.products)})", product_table(retro, lang), None),
        (f"{t['clips']} ({len(timeline.clips)})", clip_table(retro, lang), (2, 2, 2, 1, 3, 8, 4)),
    ):
        if pdf.will_page_break(30):  # keep a heading with the first rows of its table
            pdf.add_page()
        pdf.set_font("cjk", size=12)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        if table.rows:
            _table(pdf, table, widths)
        pdf.ln(3)
    return bytes(pdf.output())


def write_pdf(retro: Retrospective, path: Path, lang: str = "zh", font: Path | None = None) -> Path:
    """Write the PDF report atomically to ``path``; returns ``path``."""
    data = render_pdf(retro, lang, font)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
