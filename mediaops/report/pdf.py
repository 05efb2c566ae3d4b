"""The PDF review report for meetings: the timeline chart (drawn with Matplotlib) and the report's tables
(laid out with fpdf2), in a font with Chinese glyphs."""

from __future__ import annotations

import io
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediaops.errors import MediaOpsError, ReportError
from mediaops.report.alignment import data_notes
from mediaops.report.chart_data import (
    BAND_CLIPS,
    BAND_LIMITS,
    BAND_PITCHES,
    BAND_SCENES,
    CLIP_COLOUR,
    CUT_COLOUR,
    GMV_COLOUR,
    ORDERS_COLOUR,
    SPIKE_COLOUR,
    Scale,
    TimelineChart,
    build_chart,
)
from mediaops.report.delivery_chart import (
    DEAD_AIR_COLOUR,
    PACE_COLOUR,
    SLOW_COLOUR,
    VIEWERS_COLOUR,
    DeliveryChart,
)
from mediaops.report.header import header_rows, report_zone
from mediaops.report.i18n import clock, labels
from mediaops.report.insights_sections import InsightSection, insight_sections
from mediaops.report.tables import Table, clip_table, kpi_table, product_table, scene_cuts_s, spike_table
from mediaops.retrospective.document import Retrospective

if TYPE_CHECKING:
    from matplotlib.axes import Axes

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
        ReportError: no font with Chinese glyphs is installed, or ``explicit`` cannot be read (``code`` ``no_font``).
    """
    if explicit is not None:
        face = _face(explicit) if explicit.is_file() else None
        if face is None:
            raise ReportError(f"cannot read font file {explicit} — give a .ttf/.otf/.ttc font with Chinese glyphs",
                              "pdf", "no_font")
        return explicit, face[0]
    for candidate in map(Path, _STATIC_CJK_FONTS):
        face = _face(candidate) if candidate.is_file() else None
        if face is not None and not face[1]:
            return candidate, face[0]
    try:
        from mediaops.media.fonts import cjk_font

        info = cjk_font()
    except (ImportError, MediaOpsError) as exc:
        raise ReportError(
            "no Chinese font found for the PDF report: apt-get install fonts-noto-cjk or pip install "
            "manimgx-fonts-cjk (or give one with --font)", "pdf", "no_font"
        ) from exc
    return info.path, info.index


def has_pdf_font() -> bool:
    """Whether a font for the PDF report is installed (see :func:`locate_font`)."""
    try:
        locate_font()
    except MediaOpsError:
        return False
    return True


#: the top panel's curves on paper, in the colours Plotly gives them on screen; fewer lines than the HTML report,
#: which can hide a curve from its legend, because a printed chart cannot.
_PRINTED_CURVES = {"online_viewers": "#1f77b4", "comments": "#ff7f0e", "likes": "#2ca02c", "shares": "#9467bd"}
_BAR_HEIGHT = 0.6  # of a bar in the band, in band rows


def _gaps(values: tuple[float | None, ...]) -> list[float]:
    # Matplotlib leaves a gap at NaN (in lines and in stairs alike)
    return [math.nan if v is None else v for v in values]


def _bar_rows(row: float) -> tuple[float, float]:
    return row - _BAR_HEIGHT / 2, _BAR_HEIGHT


def _scale_axis(axis: Axes, scale: Scale) -> None:
    """The shared round ticks (the HTML chart's), so that a twin axis' ticks meet the grid at round values."""
    axis.set_ylim(0, scale.top)
    axis.set_yticks(list(scale.ticks), list(scale.labels))


def _draw_engagement(top: Axes, chart: TimelineChart) -> None:
    """The top panel: online viewers on the left axis, interaction counts on a right one, one legend."""
    printed = [c for c in chart.engagement if c.metric in _PRINTED_CURVES]
    axes = {"left": top}
    if any(c.side == "right" for c in printed):
        axes["right"] = top.twinx()
        axes["right"].set_ylabel(chart.axis_titles.engagement)
    for curve in printed:
        axes[curve.side].plot(curve.t_s, _gaps(curve.values), color=_PRINTED_CURVES[curve.metric],
                              linewidth=1.5 if curve.side == "left" else 0.9, label=curve.label)
    if any(c.side == "left" for c in printed):
        top.set_ylabel(chart.axis_titles.viewers)
    _scale_axis(top, chart.scales.viewers)
    if "right" in axes:
        _scale_axis(axes["right"], chart.scales.engagement)
    handles = [h for axis in axes.values() for h in axis.get_legend_handles_labels()[0]]
    if handles:
        top.legend(handles=handles, loc="upper left", fontsize=7)


def _draw_sales(middle: Axes, chart: TimelineChart) -> None:
    """The middle panel: orders as one stepped area (a 6-hour export has thousands of rows, too many for a bar
    each), GMV as a line on a right axis, and the sales spikes."""
    if chart.orders is not None:
        middle.stairs(_gaps(chart.orders.values), chart.orders.edges_s(), fill=True, color=ORDERS_COLOUR,
                      label=chart.orders.label)
        middle.set_ylabel(chart.axis_titles.orders)
    _scale_axis(middle, chart.scales.orders)
    gmv_axis = None
    if chart.gmv is not None:
        gmv_axis = middle.twinx()
        gmv_axis.plot(chart.gmv.t_s, _gaps(chart.gmv.values), linewidth=1.0, label=chart.gmv.label, color=GMV_COLOUR)
        gmv_axis.set_ylabel(chart.axis_titles.gmv)
        _scale_axis(gmv_axis, chart.scales.gmv)
    for group in chart.spikes:
        axis = gmv_axis if group.side == "right" and gmv_axis is not None else middle
        # one artist per metric: a long stream has hundreds of spikes
        axis.plot([m.t_s for m in group.markers], [m.value for m in group.markers], marker="^", markersize=9,
                  color=SPIKE_COLOUR, linestyle="", clip_on=False)  # a spike at the axis' top stays whole
        if axis is middle:  # GMV spikes go unnamed: the orders spike of the same moment names them
            for marker in group.markers:
                axis.annotate(marker.id, (marker.t_s, marker.value), textcoords="offset points", xytext=(4, 4),
                              fontsize=6, color=SPIKE_COLOUR)


def _draw_pitches(band: Axes, shaded: tuple[Axes, ...], chart: TimelineChart) -> None:
    """Pitches as bars in the band and a faint shade on ``shaded``, one artist per colour (a long stream has
    hundreds of pitches); spans too narrow for their name get none."""
    by_colour: dict[str, list[tuple[float, float]]] = {}
    for span, colour in chart.pitch_spans():
        by_colour.setdefault(colour, []).append((span.start_s, span.end_s - span.start_s))
    for colour, spans in by_colour.items():
        band.broken_barh(spans, _bar_rows(BAND_PITCHES), color=colour)
        for axis in shaded:
            axis.broken_barh(spans, (0, 1), color=colour, alpha=0.08, linewidth=0,
                             transform=axis.get_xaxis_transform())
    min_label_s = chart.end_s / 40
    for span, _colour in chart.pitch_spans():
        if span.end_s - span.start_s >= min_label_s:
            band.text(span.start_s + 1, BAND_PITCHES, span.name, fontsize=6, va="center", clip_on=True)


def _draw_clips(band: Axes, chart: TimelineChart) -> None:
    band.broken_barh([(c.start_s, c.end_s - c.start_s) for c in chart.clips], _bar_rows(BAND_CLIPS),
                     color=CLIP_COLOUR)
    for clip in chart.clips:
        band.text(clip.start_s + 1, BAND_CLIPS, clip.id, fontsize=6, va="center", clip_on=True)


def _draw_cuts(band: Axes, panels: tuple[Axes, ...], chart: TimelineChart) -> None:
    """Scene cuts as ticks in the band and dotted lines across every panel."""
    cuts = chart.scene_cuts_s
    band.plot(cuts, [BAND_SCENES] * len(cuts), marker="|", markersize=12, color=CUT_COLOUR, linestyle="")
    for axis in panels:
        axis.vlines(cuts, 0, 1, color="#999", linewidth=0.6, linestyle=":", transform=axis.get_xaxis_transform())


def _font_family(font: Path) -> str:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font))
    return str(font_manager.FontProperties(fname=str(font)).get_name())


def _chart_png(chart: TimelineChart, font: Path) -> bytes:
    """The chart as a 150-dpi PNG, its text set in ``font``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    family = _font_family(font)
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "font.size": 8, "axes.unicode_minus": False}):
        fig = Figure(figsize=(11.0, 6.0), dpi=150, layout="constrained")
        top, middle, band = fig.subplots(3, 1, sharex=True, height_ratios=[3, 3, 1.2])
        _draw_engagement(top, chart)
        _draw_sales(middle, chart)
        _draw_pitches(band, (top, middle), chart)
        _draw_clips(band, chart)
        _draw_cuts(band, (top, middle, band), chart)
        band.set_ylim(*BAND_LIMITS)
        band.set_yticks([BAND_SCENES, BAND_PITCHES, BAND_CLIPS], list(chart.band_labels))
        band.set_xlim(0, chart.end_s)
        band.set_xticks(list(chart.ticks.values_s), list(chart.ticks.labels))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _delivery_png(chart: DeliveryChart, font: Path) -> bytes:
    """The insight sections' delivery chart (the HTML report's SVG) as a 150-dpi PNG: pace bars on the left
    scale, viewers on the right one, dead air shaded."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    family = _font_family(font)
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "font.size": 8, "axes.unicode_minus": False}):
        fig = Figure(figsize=(11.0, 2.6), dpi=150, layout="constrained")
        pace = fig.subplots()
        pace.bar([b.start_s for b in chart.pace], [b.rate_per_min for b in chart.pace],
                 width=[b.end_s - b.start_s for b in chart.pace], align="edge",
                 color=[SLOW_COLOUR if b.slow else PACE_COLOUR for b in chart.pace], label=chart.pace_title)
        pace.set_ylabel(chart.pace_title)
        _scale_axis(pace, chart.pace_scale)
        for start_s, end_s in chart.dead_air:
            pace.axvspan(start_s, end_s, color=DEAD_AIR_COLOUR, alpha=0.3, linewidth=0)
        if chart.viewers:
            viewers = pace.twinx()
            viewers.plot(chart.viewers_t_s, chart.viewers, color=VIEWERS_COLOUR, linewidth=1.5)
            viewers.set_ylabel(chart.viewers_title, color=VIEWERS_COLOUR)
            _scale_axis(viewers, chart.viewers_scale)
        pace.set_xlim(0, chart.end_s)
        pace.set_xticks(list(chart.ticks.values_s), list(chart.ticks.labels))
        pace.set_title(chart.title, fontsize=8)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


#: symbols of the reports that CJK fonts lack, and what the PDF prints instead (the HTML page has font fallback)
_PDF_SUBSTITUTES = str.maketrans({"✗": "×", "▮": "■"})


def _printable(text: str) -> str:
    return text.translate(_PDF_SUBSTITUTES)


def _table(pdf: Any, table: Table, widths: tuple[int, ...] | None = None, font_size: float = 8) -> None:
    pdf.set_font("cjk", size=font_size)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=font_size * 0.55,
                   headings_style=_headings()) as grid:
        grid.row([_printable(h) for h in table.headers])
        for row in table.rows:
            grid.row([_printable(cell) for cell in row])


def _headings() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis=None, fill_color=(235, 235, 235))


def _heading(pdf: Any, text: str, size: float = 12, keep_mm: float = 30) -> None:
    if pdf.will_page_break(keep_mm):  # keep a heading with what follows it
        pdf.add_page()
    pdf.set_font("cjk", size=size)
    pdf.cell(0, 8 if size >= 12 else 7, _printable(text), new_x="LMARGIN", new_y="NEXT")


def _paragraph(pdf: Any, text: str, size: float = 9) -> None:
    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, size * 0.55, _printable(text), new_x="LMARGIN", new_y="NEXT")


def _insight_section(pdf: Any, section: InsightSection, font: Path) -> None:
    """One insight section as the HTML report shows it: notes, chart, captioned tables, bullet points."""
    _heading(pdf, section.title)
    for note in section.notes:
        _paragraph(pdf, note)
    if section.chart is not None:
        pdf.image(io.BytesIO(_delivery_png(section.chart, font)), w=pdf.epw)
    for caption, table in section.tables:
        if caption:
            _heading(pdf, caption, size=10, keep_mm=25)
        if table.rows:
            _table(pdf, table)
    for bullet in section.bullets:
        _paragraph(pdf, f"• {bullet}")
    pdf.ln(3)


def render_pdf(retro: Retrospective, lang: str = "zh", font: Path | None = None) -> bytes:
    """The PDF report of ``retro`` with every section of the HTML report, in its order: title, header, KPI block
    and chart on page 1, then spikes, products, clips, the insight sections, scene cuts and data notes.

    Raises:
        ReportError: no font with Chinese glyphs (see :func:`locate_font`).
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
    _paragraph(pdf, "   ".join(f"{label}: {value}" for label, value in header_rows(retro, lang)))
    _heading(pdf, t["chart"], keep_mm=0)
    pdf.image(io.BytesIO(_chart_png(build_chart(retro, lang), font_path)), w=pdf.epw)
    pdf.add_page()
    spikes = spike_table(retro, lang)  # one row per sales moment (orders and GMV together): count the rows
    for heading, table, widths, empty in (
        (t["kpis"], kpi_table(retro, lang), (2, 1, 3), ""),
        (f"{t['spikes']} ({len(spikes.rows)})", spikes, (3, 2, 2, 2, 2, 6, 2, 2, 2), t["no_spikes"]),
        (f"{t['products']} ({len(retro.products)})", product_table(retro, lang), None, t["no_products"]),
        (f"{t['clips']} ({len(timeline.clips)})", clip_table(retro, lang), (2, 2, 2, 1, 3, 8, 4), t["no_clips"]),
    ):
        _heading(pdf, heading)
        if table.rows:
            _table(pdf, table, widths)
        elif empty:
            _paragraph(pdf, empty)
        pdf.ln(3)
    for section in insight_sections(timeline, lang, report_zone(timeline, retro.timezone)):
        _insight_section(pdf, section, font_path)
    cuts = scene_cuts_s(timeline)
    _heading(pdf, f"{t['scenes']} ({len(cuts)})", keep_mm=15)
    _paragraph(pdf, " · ".join(clock(c) for c in cuts) or "—")
    notes = data_notes(timeline.metrics, lang)
    if notes:
        _heading(pdf, t["warnings"], keep_mm=15)
        for note in notes:
            _paragraph(pdf, f"• {note}")
    return bytes(pdf.output())


def write_pdf(retro: Retrospective, path: Path, lang: str = "zh", font: Path | None = None) -> Path:
    """Write the PDF report atomically to ``path``; returns ``path``.

    Raises:
        ReportError: no font with Chinese glyphs (``code`` ``no_font``), or the layout failed (``failed``: fpdf2,
            Matplotlib or the font tools could not set some text or chart); nothing is written then.
    """
    try:
        data = render_pdf(retro, lang, font)
    except ReportError:
        raise
    except Exception as exc:  # a layout failure of fpdf2, Matplotlib or fontTools: the other reports still count
        raise ReportError(f"the PDF report could not be laid out ({type(exc).__name__}: {exc}) — the other reports "
                          "are written; try again, or report the stream's timeline.json", "pdf", "failed") from exc
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
