"""The Markdown review report, to paste into review documents (same tables as the HTML page)."""

from __future__ import annotations

from mediaops.report.i18n import clock, labels
from mediaops.report.insights_sections import insights_markdown
from mediaops.report.markdown_text import markdown_table, md_text
from mediaops.report.tables import clip_table, kpi_table, product_table, spike_table
from mediaops.retrospective.document import Retrospective
from mediaops.types import Metrics


def alignment_text(metrics: Metrics, t: dict[str, str]) -> str:
    """How the export's times were placed on the recording, with the ``--metrics-offset`` applied."""
    return f"{metrics.alignment}; {t['offset']} {metrics.offset_s:+.1f} s"


def render_markdown(retro: Retrospective, lang: str = "zh") -> str:
    """The Markdown report of ``retro`` in ``lang``; deterministic for a given retrospective."""
    t = labels(lang)
    timeline = retro.timeline
    parts = [
        f"# {t['title']} · {md_text(retro.title)}",
        "",
        f"- {t['recording']}: {md_text(timeline.recording.path)}",
        f"- {t['duration']}: {clock(timeline.recording.duration_s)}",
    ]
    if timeline.created_at:
        parts.append(f"- {t['generated']}: {timeline.created_at}")
    if timeline.metrics and timeline.metrics.alignment:
        parts.append(f"- {t['alignment']}: {md_text(alignment_text(timeline.metrics, t))}")
    parts += ["", f"## {t['kpis']}", "", markdown_table(kpi_table(retro, lang)), ""]
    spikes = spike_table(retro, lang)
    parts += [f"## {t['spikes']} ({len(spikes.rows)})", "", markdown_table(spikes) if spikes.rows else t["no_spikes"],
              ""]
    products = product_table(retro, lang)
    parts += [f"## {t['products']} ({len(products.rows)})", "",
              markdown_table(products) if products.rows else t["no_products"], ""]
    clips = clip_table(retro, lang)
    parts += [f"## {t['clips']} ({len(clips.rows)})", "", markdown_table(clips) if clips.rows else t["no_clips"], ""]
    parts += insights_markdown(timeline, lang)
    cuts = " · ".join(clock(s.start_s) for s in timeline.scenes)
    parts += [f"## {t['scenes']} ({len(timeline.scenes)})", "", cuts or "—", ""]
    if timeline.metrics and timeline.metrics.warnings:
        parts += [f"## {t['warnings']}", "", *(f"- {md_text(w)}" for w in timeline.metrics.warnings), ""]
    return "\n".join(parts)
