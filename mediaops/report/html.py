"""The HTML review report: one self-contained file that opens offline.

The chart is drawn by Plotly.js, read at run time from the installed ``plotly`` package and inlined into the
page together with the figure, the transcript and a small script of ours; the page requests nothing from any
network (its Content-Security-Policy forbids it) and plays clips from the relative ``clips/`` files beside it.

Plotly.js is 4–5 MB of script: inlined as a plain ``<script>`` it held the whole page blank for seconds while it
compiled. It is inlined as inert text instead and compiled by our script once the page is shown, so the header,
tables and clip buttons are there at once and the chart follows.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from mediaops.report.alignment import data_notes
from mediaops.report.chart import build_figure
from mediaops.report.header import header_rows, report_zone
from mediaops.report.i18n import clock, labels
from mediaops.report.insights_sections import insight_sections
from mediaops.report.tables import clip_table, kpi_table, product_table, scene_cuts_s, spike_table
from mediaops.retrospective.document import Retrospective

#: a table cell longer than this may wrap (at a word, or between Chinese characters); shorter ones never do.
WRAP_CHARS = 16


def cell_class(cell: object, numeric: bool = False) -> Markup:
    """The ``class`` attribute of a table cell: ``num`` for a figure (right-aligned), ``text`` for long text that
    may wrap. Every other cell keeps to one line, so that no column is squeezed to a character per line."""
    names = (["num"] if numeric else []) + (["text"] if len(str(cell)) > WRAP_CHARS else [])
    return Markup(f' class="{" ".join(names)}"') if names else Markup("")


_env = Environment(loader=PackageLoader("mediaops.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
_env.filters["clock"] = clock
_env.filters["cell_class"] = cell_class


def _inline_script(text: str) -> str:
    # a literal "</script" inside inlined code would end the <script> element early
    return text.replace("</script", "<\\/script")


@cache
def plotly_js() -> str:
    """The minified Plotly.js bundle shipped inside the ``plotly`` Python package."""
    from plotly.offline import get_plotlyjs

    return _inline_script(get_plotlyjs())


@cache
def _report_js() -> str:
    return _inline_script(resources.files("mediaops.report").joinpath("static/report.js").read_text("utf-8"))


def page_data(retro: Retrospective, lang: str) -> dict[str, Any]:
    """What the page's script needs: the figure, the transcript ``[start_s, end_s, text]`` and the clips."""
    return {
        "figure": build_figure(retro, lang),
        "transcript": [[s.start_s, s.end_s, s.text] for s in retro.transcript],
        "clips": [{"id": c.id, "start_s": c.start_s, "end_s": c.end_s, "file": c.file, "title": c.title}
                  for c in retro.timeline.clips],
        "labels": {"play": labels(lang)["play"]},
    }


def render_html(retro: Retrospective, lang: str = "zh") -> str:
    """The report page of ``retro`` in ``lang`` (``zh`` or ``en``)."""
    zone = report_zone(retro.timeline, retro.timezone)
    return _env.get_template("report.html.j2").render(
        retro=retro,
        timeline=retro.timeline,
        lang=lang,
        t=labels(lang),
        header=header_rows(retro, lang),
        scene_cuts=scene_cuts_s(retro.timeline),
        kpis=kpi_table(retro, lang),
        spikes=spike_table(retro, lang),
        products=product_table(retro, lang),
        clips=clip_table(retro, lang),
        data=page_data(retro, lang),
        insights=insight_sections(retro.timeline, lang, zone),
        notes=data_notes(retro.timeline.metrics, lang),
        plotly_js=plotly_js(),
        report_js=_report_js(),
    )
