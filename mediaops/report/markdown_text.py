"""Markdown that cannot carry markup from input files: every string is escaped before it enters a report.

Product names, sentences, file names and warnings come from files an operator (or anyone who sent them the
files) wrote. ``report.md`` is pasted into wikis and review documents that render HTML inside Markdown, so a
product called ``<img src=x onerror=…>`` must show as text there, never become an element or a link.
"""

from __future__ import annotations

import re

from mediaops.report.tables import Table

#: Markdown punctuation that can build a link, an image, a code span or a table cell out of text. HTML
#: (tags, autolinks ``<…>``) is neutralised separately, as entities; emphasis is harmless and left alone.
_MARKDOWN_SPECIAL = re.compile(r"([\\`\[\]|])")


def md_text(text: object) -> str:
    """``text`` as inert Markdown: HTML special characters as entities, Markdown punctuation escaped, one line."""
    s = str(text).replace("\r", " ").replace("\n", " ")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", s)


def markdown_table(table: Table) -> str:
    """A GitHub-flavoured Markdown table; every header and cell escaped with :func:`md_text`."""
    lines = ["| " + " | ".join(md_text(h) for h in table.headers) + " |",
             "|" + "|".join("---" for _ in table.headers) + "|"]
    lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)
