"""The HTML review report: one self-contained file that opens offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from mediaops.serialize import write_text_atomic

_env = Environment(loader=PackageLoader("mediaops.report", "templates"), autoescape=select_autoescape(["html"]))


def _clock(t_s: float | None) -> str:
    if t_s is None:
        return "—"
    total = round(t_s)
    return f"{total // 3600:d}:{total // 60 % 60:02d}:{total % 60:02d}"


_env.filters["clock"] = _clock


def render_html_report(doc: dict[str, Any]) -> str:
    """HTML text of the review report for a ``timeline.json`` document."""
    return _env.get_template("report.html.j2").render(t=doc)


def write_reports(doc: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write every report format for ``doc`` into ``out_dir`` atomically; returns the written paths."""
    html = out_dir / "report.html"
    write_text_atomic(html, render_html_report(doc))
    return [html]
