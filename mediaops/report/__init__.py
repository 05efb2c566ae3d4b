"""Review reports rendered from a timeline document."""

from mediaops.report.html import render_html_report, write_reports

__all__ = ["render_html_report", "write_reports"]
