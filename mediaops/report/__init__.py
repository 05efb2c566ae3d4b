"""Review reports (复盘) of a stream: HTML, Markdown, CSV and PDF, in Chinese (default) or English.

Every report is rendered from an output folder's ``timeline.json`` (and ``transcript.json``), so
``mediaops report OUT_DIR`` re-renders them without re-running the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mediaops.inputs.placement import parse_timezone
from mediaops.report.csv_export import write_csvs
from mediaops.report.html import render_html
from mediaops.report.i18n import LANGUAGES
from mediaops.report.markdown import render_markdown
from mediaops.retrospective.document import (
    Retrospective,
    build_retrospective,
    load_retrospective,
    read_transcript_segments,
)
from mediaops.retrospective.product_table import ProductTableOptions
from mediaops.serialize import write_text_atomic
from mediaops.timeline import timeline_from_dict

#: every report format, in the order they are written.
FORMATS = ("html", "md", "csv", "pdf")
#: the key of ``timeline.json``'s ``extras`` that lists the reports a run could not write (``ReportError.record``)
REPORT_FAILURES = "report_failures"


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """Which reports to write and how.

    Attributes:
        lang: label language, ``zh`` (default) or ``en``.
        formats: any of :data:`FORMATS`; ``mediaops process`` writes HTML, Markdown and CSV by default
            (PDF takes a few seconds more and a CJK font for Chinese).
        products: how sales are assigned to pitches in the per-product table.
        font: a font file with Chinese glyphs for the PDF; ``None`` finds one.
        title: the stream's name, the report's title; empty: the name the run recorded, else the recording's
            file name without its extension.
        timezone: the zone of the report's wall-clock times (``+08:00``, ``UTC``, ``Asia/Shanghai``); empty: the
            one the run recorded, else the stream's own (:func:`mediaops.report.header.report_zone`).
    """

    lang: str = "zh"
    formats: tuple[str, ...] = ("html", "md", "csv")
    products: ProductTableOptions = field(default_factory=ProductTableOptions)
    font: Path | None = None
    title: str = ""
    timezone: str = ""

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"unknown report language {self.lang!r}; use one of {', '.join(LANGUAGES)}")
        if self.timezone:
            parse_timezone(self.timezone)  # ValueError naming the forms it takes
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown:
            raise ValueError(f"unknown report format(s) {', '.join(unknown)}; use any of {', '.join(FORMATS)}")


def report_settings(options: ReportOptions) -> dict[str, Any]:
    """What a run chose for its reports, kept in ``timeline.json`` (``extras.report``) for re-rendering."""
    chosen: dict[str, Any] = {"lang": options.lang, "formats": list(options.formats)}
    return chosen | {key: value for key, value in (("title", options.title), ("timezone", options.timezone)) if value}


def report_failures(extras: object) -> list[dict[str, str]]:
    """The reports a run could not write, from its ``timeline.json`` ``extras`` (a mapping, or anything else for
    none): ``{"format", "code", "message"}`` each (see :class:`mediaops.errors.ReportError`)."""
    found = extras.get(REPORT_FAILURES) if isinstance(extras, dict) else None
    if not isinstance(found, list):
        return []
    return [{key: str(item.get(key, "")) for key in ("format", "code", "message")} for item in found
            if isinstance(item, dict)]


def report_options_for(doc: dict[str, Any], out_dir: Path) -> ReportOptions:
    """The report options a finished run used: from ``extras.report`` where the run recorded them, else the
    formats whose files are in ``out_dir`` (so a re-render never leaves a stale ``report.pdf``) and the
    language of the Markdown report's title."""
    saved = (doc.get("extras") or {}).get("report")
    if isinstance(saved, dict) and saved.get("lang") in LANGUAGES:
        formats = tuple(f for f in saved.get("formats") or () if f in FORMATS) or ReportOptions().formats
        return ReportOptions(lang=saved["lang"], formats=formats)
    files = {"html": "report.html", "md": "report.md", "csv": "report_clips.csv", "pdf": "report.pdf"}
    formats = tuple(f for f in FORMATS if (out_dir / files.get(f, f"report.{f}")).is_file()) or ReportOptions().formats
    markdown = out_dir / "report.md"
    first_line = markdown.read_text("utf-8").split("\n", 1)[0] if markdown.is_file() else ""
    lang = "en" if first_line.startswith("# ") and not any("\u4e00" <= c <= "\u9fff" for c in first_line) else "zh"
    return ReportOptions(lang=lang if first_line else ReportOptions().lang, formats=formats)


def write_retrospective_reports(
    retro: Retrospective, out_dir: Path, options: ReportOptions = ReportOptions()
) -> list[Path]:
    """Write the reports of ``options.formats`` for ``retro`` into ``out_dir`` atomically; returns their paths.

    Raises:
        ReportError: the PDF cannot be written (no font with Chinese glyphs, or its layout failed); it is written
            last, so the other formats are in place.
    """
    written: list[Path] = []
    if "html" in options.formats:
        write_text_atomic(out_dir / "report.html", render_html(retro, options.lang))
        written.append(out_dir / "report.html")
    if "md" in options.formats:
        write_text_atomic(out_dir / "report.md", render_markdown(retro, options.lang))
        written.append(out_dir / "report.md")
    if "csv" in options.formats:
        written += write_csvs(retro, out_dir, options.lang)
    if "pdf" in options.formats:
        from mediaops.report.pdf import write_pdf

        written.append(write_pdf(retro, out_dir / "report.pdf", options.lang, options.font))
    return written


def write_reports(doc: dict[str, Any], out_dir: Path, options: ReportOptions = ReportOptions()) -> list[Path]:
    """Write the reports of a ``timeline.json`` document into the output folder ``out_dir`` that holds it
    (its ``transcript.json`` is read from there for the chart's hover text); returns the written paths."""
    retro = build_retrospective(timeline_from_dict(doc), read_transcript_segments(out_dir / "transcript.json"),
                                options.products, options.title, options.timezone)
    return write_retrospective_reports(retro, out_dir, options)


def render_reports(out_dir: Path, options: ReportOptions = ReportOptions()) -> list[Path]:
    """Re-render the reports of an existing ``mediaops process`` output folder; returns the written paths.

    Raises:
        TimelineError: the folder has no valid ``timeline.json``.
    """
    retro = load_retrospective(out_dir, options.products, options.title, options.timezone)
    return write_retrospective_reports(retro, out_dir, options)


__all__ = ["FORMATS", "REPORT_FAILURES", "ReportOptions", "render_html", "render_markdown", "render_reports",
           "report_failures", "report_options_for", "report_settings", "write_reports", "write_retrospective_reports"]
