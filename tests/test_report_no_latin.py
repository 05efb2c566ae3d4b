"""The operator reads Chinese: the sample run's reports (Markdown, HTML with its chart's labels and hover texts, the
CSVs, the PDF through pdftotext) and its web stream page, in Chinese, show no Latin-script word but these:

- names from the inputs, the operator's and the audience's own words: product names, SKUs and aliases
  (products.csv), run-of-show titles and key lines, target names as targets.yaml writes them, the comment log's
  words (quoted in the audience section), the host's sentences quoted where a clip starts or ends (kept in
  timeline.json as the highlights' ``start_cue`` and ``end_sentence``), and file names (the recording's, the
  clips', timeline.json);
- ids shared with timeline.json and the output folder: ``clip-01`` (the file ``clips/clip-01.mp4``), ``sale-01``,
  and in the chart's hover the spikes' ``gmv-01``, ``orders-01``;
- units and terms that Chinese platforms and operators use as they are: ``s`` (seconds, "50 s"), ``GMV`` and
  ``UV`` (the platforms' dashboards and exports label them so, as in UV价值), ``UTC`` (the notation of the
  header's time zone, UTC+08:00).

The CSVs are checked in their prose cells (reasons, titles, names): their column names and codes (attribution,
metric) are machine keys, the same in every language like timeline.json's, so that a spreadsheet formula or a
script works on every run (tests/test_report_formats.py reads them by these keys).

Wrong implementations this rejects (each applied once to see the test fail):
- a report table, CSV or PDF that shows the library's English reasons (``"; ".join(clip.reasons)``) or words them
  with statistics (σ);
- the metrics-alignment line shown as the library's English text ("offset times (seconds from the start of the
  stream)") on a Chinese report;
- a Chinese stream page that hides the clips' reasons (the old filter that dropped every English reason), or
  shows them in English;
- an allow-list so wide that English wording slips through (checked: the English report's wording is caught, and
  so are the English chart's labels);
- data notes (数据提示) shown as the reader's English lines with their command-line flags (``--mapping``,
  ``--counts``), in a report or on the stream page; a line the catalogue does not know dropped without a word (the
  Chinese report must say there is one more note), or shown in English on a Chinese page;
- a stream page whose data notes name a flag instead of the upload form's field (计数方式);
- the sentences for a missing input naming a flag (``（--targets）``, ``--run-of-show``, ``--products``) instead of
  saying what to provide, in the Chinese or the English report (the same report comes from the command line and
  from a web job, which has no flags).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mediaops.report import ReportOptions, render_reports
from tests.conftest import SAMPLE, copy_of_sample_run
from tests.test_web_operator import ALLOWED_LATIN, INPUT_NAMES, engine, submit, visible_text
from tests.web_support import add_user, login, make_app

#: units and terms that stay Latin in a Chinese report (see the module's docstring).
TERMS = {"s", "GMV", "UV", "UTC"}
#: a word: Latin letters, digits, apostrophes and hyphens (``SKU-BLENDER-01`` is one word).
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
#: file names (with a folder) and ids shared with timeline.json: names, not words.
FILE_NAME = re.compile(r"[\w./-]*\w\.(?:mp4|json|csv|md|html|pdf|srt|vtt|edl|fcpxml)\b")
IDS = re.compile(r"\b(?:clip|sale)-\d+\b")


@pytest.fixture(scope="module")
def sample_run(sample_process_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample stream through the real pipeline with every input (the session's shared run, copied), then every
    report format in Chinese."""
    out = copy_of_sample_run(sample_process_out, tmp_path_factory.mktemp("no-latin") / "out")
    proc = subprocess.run([sys.executable, "-m", "mediaops", "report", str(out), "--lang", "zh",
                           "--formats", "html,md,csv,pdf", "--quiet"],
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def input_words(out: Path) -> set[str]:
    """Every word of the inputs (lower case): see the module's docstring."""
    texts = [SAMPLE.joinpath("demo_stream.mp4").name]
    with (SAMPLE / "products.csv").open(encoding="utf-8") as handle:
        texts += [" ".join((row["sku"], row["name"], row["aliases"])) for row in csv.DictReader(handle)]
    with (SAMPLE / "run_of_show.csv").open(encoding="utf-8") as handle:
        texts += [" ".join((row["title"], row["key_points"])) for row in csv.DictReader(handle)]
    texts += [str(key) for key in yaml.safe_load((SAMPLE / "targets.yaml").read_text("utf-8"))]
    for line in (SAMPLE / "comments.jsonl").read_text("utf-8").splitlines():
        texts.append(json.loads(line)["text"])
    timeline = json.loads((out / "timeline.json").read_text("utf-8"))
    for highlight in timeline["highlights"]:
        texts += [highlight["end_sentence"], highlight["start_cue"]]
    return {w.lower() for text in texts for w in re.findall(r"[A-Za-z0-9'-]+", text.replace("_", " "))}


def latin_words(text: str, allowed: set[str]) -> set[str]:
    """The Latin-script words of ``text`` that are neither names from the inputs nor allowed terms."""
    text = IDS.sub(" ", FILE_NAME.sub(" ", text))
    return {w for w in WORD.findall(text) if w not in TERMS and w.lower() not in allowed and
            not all(part.lower() in allowed for part in w.split("-"))}


def chinese_reasons_shown(text: str) -> None:
    """The clips' reasons are there, in words (the sample's three moments: viewers reacted after a picture change)."""
    assert text.count("画面在观众反应前") >= 3, "the clips' reasons are missing"
    assert "是平时的" in text and "这句话说完时结束" in text
    assert "σ" not in text


def test_markdown_and_html_reports(sample_run: Path) -> None:
    allowed = input_words(sample_run)
    markdown = (sample_run / "report.md").read_text("utf-8")
    page = visible_text((sample_run / "report.html").read_text("utf-8"))
    for name, text in (("report.md", markdown), ("report.html", page)):
        assert latin_words(text, allowed) == set(), name
        chinese_reasons_shown(text)
        assert "导出的时间从开播算起" in text, name  # the alignment line, in Chinese


def chart_texts(figure: object, key: str = "") -> list[str]:
    """What a hovered or drawn Plotly chart shows: trace names, hover templates (without their placeholders),
    tick labels, titles, annotations and the hover data."""
    if isinstance(figure, dict):
        return [t for k, v in figure.items() if k not in ("legendgroup", "uid", "meta") for t in chart_texts(v, k)]
    if isinstance(figure, list):
        return [t for v in figure for t in chart_texts(v, key)]
    if isinstance(figure, str) and key in ("name", "hovertemplate", "ticktext", "text", "customdata"):
        return [re.sub(r"%\{[^}]*\}|<[^>]*>", " ", figure)]
    return []


def test_html_chart(sample_run: Path) -> None:
    """The chart's words in report.html (drawn by the page's script, so not in its static text)."""
    html = (sample_run / "report.html").read_text("utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)[1])
    transcript = {w.lower() for _, _, line in data["transcript"] for w in re.findall(r"[A-Za-z0-9'-]+", line)}
    texts = chart_texts(data["figure"])
    assert any("成交高峰" in t for t in texts)
    # the sales spikes' ids (gmv-01, orders-01) are timeline.json's, like clip-01; a long sentence of the transcript
    # is cut short in the hover ("…")
    shown = re.sub(r"\b(?:gmv|orders)-\d+\b|[A-Za-z0-9'-]+…", " ", "\n".join(texts))
    assert latin_words(shown, input_words(sample_run) | transcript) == set()


def test_csv_prose_cells(sample_run: Path) -> None:
    allowed = input_words(sample_run)
    prose = {"report_clips.csv": ("title", "reasons"), "report_products.csv": ("name",)}
    for name, columns in prose.items():
        rows = list(csv.DictReader((sample_run / name).read_text("utf-8").lstrip("\ufeff").splitlines()))
        assert rows, name
        text = "\n".join(row[c] for row in rows for c in columns)
        assert latin_words(text, allowed) == set(), name
    clips = (sample_run / "report_clips.csv").read_text("utf-8")
    chinese_reasons_shown(clips)


def test_pdf_report(sample_run: Path) -> None:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext not found: apt-get install poppler-utils (CI's .ci/run installs it)")
    text = subprocess.run([tool, str(sample_run / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert latin_words(text, input_words(sample_run)) == set()
    # a table cell may break a sentence over lines: the reasons' words are checked without line breaks
    chinese_reasons_shown(re.sub(r"\s*\n\s*", "", text))


def test_alignment_in_chinese_for_every_kind_of_time(tmp_path: Path) -> None:
    """Offsets, and date-times read against --start-time or the recording's creation time, with or without a zone:
    the Chinese line says which, with no Latin word; a timeline written before the basis was kept still reads."""
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta, timezone

    from mediaops.inputs.metrics import MetricsOptions, load_metrics
    from mediaops.report.alignment import alignment_text

    def export(name: str, times: list[str]) -> Path:
        path = tmp_path / name
        path.write_text("time,online_viewers,comments\n" + "".join(f"{t},100,{k}\n" for k, t in enumerate(times)),
                        "utf-8")
        return path

    cst = timezone(timedelta(hours=8))
    offsets = load_metrics(export("o.csv", ["0", "60", "120"]), MetricsOptions(offset_s=2.0))
    given = load_metrics(export("g.csv", [f"2026-11-27 20:0{k}:00" for k in range(3)]), MetricsOptions(),
                         datetime(2026, 11, 27, 20, 0, tzinfo=cst), "--start-time")
    created = load_metrics(export("c.csv", [f"2026/11/27 20:00:{10 * k:02d}" for k in range(3)]), MetricsOptions(),
                           datetime(2026, 11, 27, 12, 0, tzinfo=UTC), "the recording's creation time")
    expected = {
        "offsets": (offsets, "导出的时间从开播算起；偏移 +2.0 秒"),
        "given": (given, "导出的时间是日期和时刻，按给定的开播时间对齐，时区与开播时间相同；偏移 +0.0 秒"),
        "created": (created, "导出的时间是日期和时刻，按录像文件的创建时间对齐，未注明时区，"),
        "old timeline": (replace(given, alignment_basis={}), "导出的时间是日期和时刻，按开播时间对齐；偏移 +0.0 秒"),
    }
    for name, (metrics, words) in expected.items():
        text = alignment_text(metrics, "zh")
        assert text.startswith(words), (name, text)
        assert not re.search(r"[A-Za-z]", text), (name, text)
        assert alignment_text(metrics, "en").startswith(metrics.alignment), name  # English: the library's line


def test_the_check_catches_english_wording(sample_run: Path, tmp_path: Path) -> None:
    """The same check on the English report finds the reasons' and labels' words: the allow-list of input names
    does not swallow them."""
    english = tmp_path / "out"
    shutil.copytree(sample_run, english, ignore=shutil.ignore_patterns("*.mp4", "*.pdf"))
    render_reports(english, ReportOptions(lang="en", formats=("md",)))
    found = latin_words((english / "report.md").read_text("utf-8"), input_words(sample_run))
    assert {"usual", "picture", "reacted", "finishes", "Recording", "Duration", "Why"} <= found


def test_stream_page(sample_run: Path, tmp_path: Path) -> None:
    from workers import jobs, state

    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    client = app.test_client()
    login(client, "op")
    job_id = submit(app, name="春季新品专场")
    out = Path(jobs.get_job(app.extensions["mediaops_settings"], job_id)["out_dir"])
    shutil.copytree(sample_run, out, dirs_exist_ok=True)
    for stage in ("probe", "metrics", "transcribe", "scenes", "highlights", "render", "publish"):
        state.stage_started(engine(app), job_id, stage)
        state.stage_finished(engine(app), job_id, stage)
    state.finish_job(engine(app), job_id)

    html = client.get(f"/streams/{job_id}?lang=zh").get_data(as_text=True)
    text = visible_text(html)
    allowed = input_words(sample_run) | {w.lower() for w in ALLOWED_LATIN | INPUT_NAMES}
    assert latin_words(text, allowed) == set()
    reasons = re.findall(r'<ul class="reasons">(.*?)</ul>', html, re.S)
    assert len(reasons) == 3 and all("<li>" in r for r in reasons), "every clip shows why it was chosen"
    chinese_reasons_shown(text)
    english = visible_text(client.get(f"/streams/{job_id}?lang=en").get_data(as_text=True))
    assert "the picture changed" in english and "their usual level" in english


# ---- data notes and missing inputs: a sparse run with a messy export ----------------------------------------------

#: a reader's line this version's catalogue does not know (from a newer version), naming a flag
UNKNOWN_NOTE = "kept 3 rows from a newer format; pass --frobnicate to drop them"
#: what the Chinese report and page say for each reader's line of the messy export (and the unknown one)
ZH_NOTES = ("“备注”列不是可识别的指标，已忽略。", "跳过了表头上方的 1 行标题。",
            "跳过了 1 行没有时间的数据（从第 31 行起）。", "行没有按时间顺序排列，已排序。",
            "有 1 个完全相同的重复时间，已去掉。", "“累计成交金额”列是累计值（表头注明），已换算为每段的增量。",
            "“点赞数”列从不下降，但“评论数”列会下降")
ZH_OTHER = "读取数据导出时另有一条说明（英文报告中可见）。"
#: what the Chinese report says for each input that was not given
ZH_MISSING = ("未提供目标：提供各项指标的目标后", "未提供评论记录：提供直播的评论记录后",
              "未提供直播脚本：提供各环节的计划", "未识别到商品讲解：提供商品清单后")


def messy_export(folder: Path) -> Path:
    """A platform export as operators get them, known by construction: a title row above the header, a column
    nothing recognises (备注), a row without a time, two rows out of order, a duplicated row, a running total its
    header names (累计成交金额) and a count that never falls although the comments do (点赞数). The reader warns
    about each in an English line, two of them naming flags (``--mapping``, ``--counts``)."""
    from datetime import datetime, timedelta

    start = datetime(2026, 11, 20, 20, 0, 0)
    rows = [f"{start + timedelta(seconds=10 * k):%Y-%m-%d %H:%M:%S},{200 + k % 30},{k % 7},{10 * k + 5},{39 * k},好"
            for k in range(120)]
    rows[8], rows[9] = rows[9], rows[8]
    rows.append(rows[-1])
    rows.insert(28, ",100,3,1500,1170,")
    path = folder / "metrics.csv"
    header = ["直播数据导出（抖音）", "时间,在线人数,评论数,点赞数,累计成交金额,备注"]
    path.write_text("\n".join([*header, *rows]) + "\n", "utf-8")
    return path


@pytest.fixture(scope="module")
def sparse_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report tests' stream (tests/retro_data.py) with the messy export's metrics and no other input: no
    targets, comment log, run-of-show or product list (so no pitches); reports in Chinese, the PDF included."""
    from dataclasses import replace
    from datetime import datetime, timedelta, timezone

    from mediaops.inputs.metrics import MetricsOptions, load_metrics
    from mediaops.retrospective.insights import build_insights
    from mediaops.timeline import write_timeline
    from tests.retro_data import DURATION_S, build_timeline, build_transcript, write_output_folder

    folder = tmp_path_factory.mktemp("sparse")
    start = datetime(2026, 11, 20, 20, 0, tzinfo=timezone(timedelta(hours=8)))
    metrics = load_metrics(messy_export(folder), MetricsOptions(), start, "--start-time")
    assert any("--mapping" in w for w in metrics.warnings) and any("--counts" in w for w in metrics.warnings)
    metrics = replace(metrics, warnings=(*metrics.warnings, UNKNOWN_NOTE))
    out = write_output_folder(folder / "out")
    insights = build_insights(build_transcript(), metrics, duration_s=DURATION_S)
    write_timeline(replace(build_timeline(), metrics=metrics, pitches=(), insights=insights), out / "timeline.json")
    render_reports(out, ReportOptions(lang="zh", formats=("html", "md", "pdf")))
    return out


def sparse_words(out: Path) -> set[str]:
    """The words of the sparse run's inputs: the products' SKUs and names and the host's (English) sentences."""
    from tests.retro_data import PITCHES, build_transcript

    texts = [f"{sku} {name}" for sku, name, *_ in PITCHES] + [s.text for s in build_transcript().segments]
    return {w.lower() for text in texts for w in re.findall(r"[A-Za-z0-9'-]+", text)}


def test_data_notes_and_missing_inputs_in_chinese(sparse_run: Path, tmp_path: Path) -> None:
    """The Chinese Markdown, HTML and PDF reports word every data note and every missing input in Chinese, with no
    flag and no English word; the English report words them in English, still without flags, and shows the line
    it does not know as it is."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext not found: apt-get install poppler-utils (CI's .ci/run installs it)")
    pdf = subprocess.run([tool, str(sparse_run / "report.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    texts = {"report.md": (sparse_run / "report.md").read_text("utf-8"),
             "report.html": visible_text((sparse_run / "report.html").read_text("utf-8")), "report.pdf": pdf}
    for name, text in texts.items():
        assert latin_words(text, sparse_words(sparse_run)) == set(), name
        assert not re.search(r"--[a-z]", text), name
        joined = re.sub(r"\s*\n\s*", "", text)  # a paragraph of the PDF may break a sentence over lines
        for words in (*ZH_NOTES, ZH_OTHER, *ZH_MISSING):
            assert words in joined, (name, words)
    english = tmp_path / "out"
    shutil.copytree(sparse_run, english, ignore=shutil.ignore_patterns("*.pdf"))
    render_reports(english, ReportOptions(lang="en", formats=("md",)))
    markdown = (english / "report.md").read_text("utf-8")
    assert "- Column “备注” is not a metric it knows; ignored." in markdown
    assert "No targets were given: provide a target for each KPI" in markdown
    assert "No product pitches found: provide a product list" in markdown
    notes = markdown.split("## Data notes", 1)[1]
    assert re.findall(r"--[a-z-]+", notes) == ["--frobnicate"]  # only in the line no catalogue words
    assert not re.search(r"--(?:targets|comments|run-of-show|products)\b", markdown)


def test_stream_page_data_notes_name_form_fields(sparse_run: Path, tmp_path: Path) -> None:
    """The stream page of a job with the messy export: its data notes in the page's language, the fix naming the
    upload form's field (计数方式) and never a flag."""
    from workers import jobs, state

    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    client = app.test_client()
    login(client, "op")
    job_id = submit(app, name="春季新品专场")
    out = Path(jobs.get_job(app.extensions["mediaops_settings"], job_id)["out_dir"])
    shutil.copytree(sparse_run, out, dirs_exist_ok=True)
    state.finish_job(engine(app), job_id)

    html = client.get(f"/streams/{job_id}?lang=zh").get_data(as_text=True)
    notes = re.search(r'<section class="card" id="data-notes">(.*?)</section>', html, re.S)
    assert notes, "the stream page shows no data notes"
    text = visible_text(notes[1])
    assert latin_words(text, set()) == set() and not re.search(r"--[a-z]", text)
    for words in ZH_NOTES:
        assert words in text, words
    assert "如需修改，请重新上传并在“计数方式”中设置。" in text
    assert "另有一条读取说明" in text  # the line no catalogue words
    english = visible_text(client.get(f"/streams/{job_id}?lang=en").get_data(as_text=True))
    assert "To change it, upload the files again and set “Counts”." in english
    assert "--counts" not in english and "--mapping" not in english
