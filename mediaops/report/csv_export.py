"""CSV files of the clips, sales spikes and products, with plain machine-readable values (seconds, numbers).

Written as UTF-8 with a byte-order mark so that Excel opens Chinese product names correctly; empty cells stand
for absent values. Text cells come partly from input files (product names, sentences, file names), so a text
cell that a spreadsheet would read as a formula (``=HYPERLINK(…)``, ``+cmd``, ``-2+3``, ``@SUM(…)``, or one that
starts with a tab or carriage return) is written with a leading apostrophe: Excel, WPS and LibreOffice then
show it as the text it is. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from mediaops.analysis.reasons import reasons_of, reasons_text
from mediaops.retrospective.document import Retrospective
from mediaops.serialize import write_text_atomic

CSV_FILES = ("report_clips.csv", "report_spikes.csv", "report_products.csv")


#: first characters that make a spreadsheet evaluate a cell (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> object:
    """``value`` ready for a CSV cell: ``None`` empty, floats rounded, formula-like text made inert."""
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: list[list[object]]) -> str:
    """``rows`` as CSV text with a byte-order mark, every cell passed through :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def clips_csv(retro: Retrospective, lang: str = "zh") -> str:
    """The clips, with their reasons in ``lang``'s words."""
    rows: list[list[object]] = [["id", "start_s", "end_s", "duration_s", "score", "product_sku", "title", "file",
                                 "reasons"]]
    rows += [[c.id, c.start_s, c.end_s, c.end_s - c.start_s, c.score, c.product_sku, c.title, c.file,
              reasons_text(reasons_of(c), lang)] for c in retro.timeline.clips]
    return csv_text(rows)


def spikes_csv(retro: Retrospective) -> str:
    rows: list[list[object]] = [["id", "t_s", "metric", "value", "baseline", "significance", "attribution", "sku",
                                 "clip_id", "clip_ids", "candidate_skus", "pitch_start_s", "lag_s", "confidence"]]
    rows += [[s.id, s.t_s, s.metric, s.value, s.baseline, s.significance, s.attribution, s.sku, s.clip_id,
              " ".join(s.clip_ids), " ".join(s.candidate_skus), s.pitch_start_s, s.lag_s, s.confidence]
             for s in retro.timeline.sales_spikes]
    return csv_text(rows)


def products_csv(retro: Retrospective) -> str:
    rows: list[list[object]] = [["sku", "name", "pitches", "pitch_times", "on_air_s", "orders_during", "gmv_during",
                                 "orders_after", "gmv_after", "avg_online_viewers", "orders_per_1k_viewers",
                                 "best_clip_id", "spike_ids"]]
    rows += [[p.sku, p.name, len(p.pitches), " ".join(f"{s.start_s:.1f}-{s.end_s:.1f}" for s in p.pitches),
              p.on_air_s, p.orders_during, p.gmv_during, p.orders_after, p.gmv_after, p.avg_viewers,
              p.orders_per_1k_viewers, p.best_clip_id, " ".join(p.spike_ids)] for p in retro.products]
    return csv_text(rows)


def write_csvs(retro: Retrospective, out_dir: Path, lang: str = "zh") -> list[Path]:
    """Write :data:`CSV_FILES` into ``out_dir`` atomically (column names and codes the same in every language, the
    reasons in ``lang``'s words); returns their paths."""
    paths = []
    for name, text in zip(CSV_FILES, (clips_csv(retro, lang), spikes_csv(retro), products_csv(retro)), strict=True):
        write_text_atomic(out_dir / name, text)
        paths.append(out_dir / name)
    return paths
