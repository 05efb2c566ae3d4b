"""The Markdown review report, to paste into review documents (same tables as the HTML page)."""

from __future__ import annotations

from mediaops.report.alignment import data_notes
from mediaops.report.header import header_rows, report_zone
from mediaops.report.i18n import clock, labels
from mediaops.report.insights_sections import insights_markdown
from mediaops.report.markdown_text import markdown_table, md_text
from mediaops.report.tables import clip_table, kpi_table, product_table, scene_cuts_s, spike_table
from mediaops.retrospective.document import Retrospective


def render_markdown(retro: Retrospective, lang: str = "zh") -> str:
    """The Markdown report of ``retro`` in ``lang``; deterministic for a given retrospective."""
    t = labels(lang)
    timeline = retro.timeline
    parts = [f"# {t['title']} · {md_text(retro.title)}", ""]
    parts += [f"- {label}: {md_text(value)}" for label, value in header_rows(retro, lang)]
    parts += ["", f"## {t['kpis']}", "", markdown_table(kpi_table(retro, lang)), ""]
    spikes = spike_table(retro, lang)
    parts += [f"## {t['spikes']} ({len(spikes.rows)})", "", markdown_table(spikes) if spikes.rows else t["no_spikes"],
              ""]
    products = product_table(retro, lang)
    parts += [f"## {t['products']} ({len(products.rows)})", "",
              markdown_table(products) if products.rows else t["no_products"], ""]
    clips = clip_table(retro, lang)
    parts += [f"## {t['clips']} ({len(clips.rows)})", "", markdown_table(clips) if clips.rows else t["no_clips"], ""]
    parts += insights_markdown(timeline, lang, report_zone(timeline, retro.timezone))
    cuts = scene_cuts_s(timeline)
    parts += [f"## {t['scenes']} ({len(cuts)})", "", " · ".join(clock(c) for c in cuts) or "—", ""]
    notes = data_notes(timeline.metrics, lang)
    if notes:
        parts += [f"## {t['warnings']}", "", *(f"- {md_text(note)}" for note in notes), ""]
    return "\n".join(parts)
