"""Stored XSS through uploads and served files, against the real app: what uploads are accepted (by content, not
name), how every file is served (allow-listed type, nosniff, sandbox policy), the pages' policy, tus errors as
JSON, server paths, and the whole attack in a real Chromium.

The attack these tests replay: an operator uploaded ``replay.html`` and ``promo.js`` as recordings (tus, no kind),
made jobs of them, and sent the admin ``/streams/JOB/recording``. The HTML came back as ``text/html`` and loaded
the JS (``text/javascript``, same origin, so the page policy's ``script-src 'self'`` let it run); the script read
the admin's CSRF token and created an admin account.

Wrong implementations these tests reject:
- checking the file name only (``replay.mp4`` holding HTML passes a name check);
- sniffing only ``<html`` (a ``<svg>``, a ``<!-- -->`` start, or JavaScript would pass);
- serving unknown types with a guessed type, or with ``text/plain`` but no ``nosniff``;
- a bare ``sandbox`` on video (the browser's own player then cannot load the file: playback breaks);
- sandboxing the report with ``allow-same-origin`` next to ``allow-scripts`` (no sandbox at all);
- resolving a relative ``recording_path`` from the server's working folder.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SAMPLE
from tests.web_support import PASSWORD, add_user, login, make_app

TUS = {"Tus-Resumable": "1.0.0"}

#: what the operator uploaded: an HTML page that loads the script job's "recording" and runs its own
HOSTILE_HTML = """<!doctype html><html><head><title>replay</title></head><body><h1>replay</h1>
<script src="{script_url}"></script>
<script>window.__pwned = (window.__pwned || "") + "inline"; document.title = "PWNED";</script>
<img src="x" onerror="window.__pwned = 'onerror'">
</body></html>
"""
#: the script: reads the admin's CSRF token from the users page and adds an admin account
ATTACK_JS = """window.__pwned = (window.__pwned || "") + "script"; document.title = "PWNED";
(async () => {
  const page = await (await fetch("{users_url}", {credentials: "include"})).text();
  const csrf = page.match(/name="csrf-token" content="([^"]+)"/)[1];
  await fetch("{users_url}", {method: "POST", credentials: "include",
    body: new URLSearchParams({csrf_token: csrf, action: "add", username: "mallory",
                               password: "mallory-pass-1234", role: "admin"})});
})();
"""
DANMAKU = ('<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver>'
           '<d p="12.3,1,25,16777215,1700000000,0,abc,1">&lt;script&gt;买了</d></i>').encode()
HOSTILE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned = 'svg'">
<script>window.__pwned = "svg-script"</script></svg>
"""


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def tus_create(client, length: int, filename: str, kind: str | None):
    metadata = f"filename {b64(filename)}" + (f",kind {b64(kind)}" if kind is not None else "")
    return client.post("/api/uploads", headers=TUS | {"Upload-Length": str(length), "Upload-Metadata": metadata})


def tus_patch(client, url: str, offset: int, body: bytes):
    return client.patch(url, data=body, headers=TUS | {"Upload-Offset": str(offset),
                                                       "Content-Type": "application/offset+octet-stream"})


def tus_upload(client, data: bytes, filename: str, kind: str | None, chunk: int = 64 * 1024):
    """Upload ``data`` in chunks; returns (last response, upload url or None)."""
    created = tus_create(client, len(data), filename, kind)
    if created.status_code != 201:
        return created, None
    url, offset = created.headers["Location"], 0
    while offset < len(data):
        response = tus_patch(client, url, offset, data[offset:offset + chunk])
        if response.status_code != 204:
            return response, url
        offset = int(response.headers["Upload-Offset"])
    return response, url


def small_video(folder: Path) -> Path:
    from tests.media import colour_scenes

    folder.mkdir(parents=True, exist_ok=True)
    return colour_scenes(folder / "tiny.mp4", [0.5, 0.5], size="64x36")


def minimal_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def assert_json_error(response, status: int, *words: str) -> None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert "\n" not in error and error.strip()
    for word in words:
        assert word.lower() in error.lower(), error


def stored_uploads(app) -> list[tuple[str, dict]]:
    """(folder names, metadata) of the uploads the server keeps."""
    from web.models import Upload

    with app.extensions["mediaops_db"]() as session:
        rows = [(u.id, json.loads(u.metadata_json)) for u in session.query(Upload)]
    root = app.extensions["mediaops_settings"].storage_root / "uploads"
    folders = {p.name for p in root.glob("*") if p.name != ".incoming"} if root.is_dir() else set()
    assert folders == {upload_id for upload_id, _ in rows}
    return rows


def assert_no_leftovers(app) -> None:
    """Refused uploads leave no rows and no bytes behind."""
    assert stored_uploads(app) == []


@pytest.fixture
def app(tmp_path: Path):
    app = make_app(tmp_path / "storage", MAX_UPLOAD_BYTES=8 * 1024 * 1024, UPLOAD_EXPIRY_S=3600)
    add_user(app, "admin", "admin")
    add_user(app, "op", "operator")
    return app


# ---- uploads: a kind, and content that is that kind -----------------------------------------------------------

def test_an_upload_must_declare_its_kind(op, app):
    """The incident's first step: ``replay.html`` sent by tus without ``kind`` was taken."""
    response = tus_create(op, 100, "replay.html", kind=None)
    assert_json_error(response, 400, "kind")
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert_json_error(tus_create(op, 100, "replay.html", kind="recording"), 415, "replay.html")
    assert_json_error(tus_create(op, 100, "promo.js", kind="metrics"), 415, "promo.js")
    # the server's mark of a checked upload cannot be sent by the client
    forged = op.post("/api/uploads", headers=TUS | {"Upload-Length": "3", "Upload-Metadata": (
        f"filename {b64('a.csv')},kind {b64('metrics')},checked_kind {b64('recording')}")})
    assert forged.status_code == 201
    [(_id, metadata)] = stored_uploads(app)
    assert metadata.get("checked_kind") is None
    assert tus_patch(op, forged.headers["Location"], 0, b"a,b").status_code == 204
    [(_id, metadata)] = stored_uploads(app)
    assert metadata["checked_kind"] == "metrics"


RECORDING_IMPOSTORS = [
    pytest.param(b"<!doctype html><script>window.__pwned=1</script>" + b" " * 300, 415, "HTML", id="html"),
    pytest.param(b"\n\n  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", 415, "markup", id="svg"),
    pytest.param(b"<!-- replay --><html><body>x</body></html>", 415, "markup", id="html-comment-first"),
    pytest.param(ATTACK_JS.encode(), 415, "JavaScript", id="javascript"),
    pytest.param(b"(function(){fetch('/admin/users')})()", 415, "JavaScript", id="js-iife"),
    pytest.param(b"\x7fELF\x02\x01\x01" + b"\0" * 200, 415, "program", id="elf"),
    pytest.param(b"MZ\x90\x00" + b"\0" * 200, 415, "program", id="windows-exe"),
    pytest.param(b"#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n", 400, "not a recording", id="hls-playlist"),
    pytest.param(b"not a video", 400, "not a recording", id="text"),
    pytest.param(b"\0\0\0\x18ftypmp42" + b"\0" * 64, 400, "not a readable recording", id="mp4-header-only"),
]


@pytest.mark.parametrize(("data", "status", "words"), RECORDING_IMPOSTORS)
def test_a_recording_must_be_a_recording_by_content(op, app, data, status, words):
    """``replay.mp4`` holding HTML, script, a program or a playlist is refused with one JSON line and deleted."""
    response, url = tus_upload(op, data, "replay.mp4", "recording")
    assert_json_error(response, status, "replay.mp4", words)
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert op.head(url).status_code == 404
    assert_no_leftovers(app)


def test_refusals_are_english_for_the_api_and_in_the_pages_language(op):
    """``error`` stays English (scripts read it); ``message`` is what the upload page shows (Chinese by default)."""
    page = HOSTILE_HTML.encode()
    zh, _url = tus_upload(op, page, "replay.mp4", "recording")
    assert "not a recording" in zh.json["error"]
    assert "不是直播录像" in zh.json["message"] and "HTML" in zh.json["message"]
    named = tus_create(op, 10, "promo.js", "products")
    assert "商品列表" in named.json["message"] and "products" in named.json["error"]
    op.set_cookie("lang", "en")
    en, _url = tus_upload(op, page, "replay.mp4", "recording")
    assert en.json["message"] == en.json["error"]


def test_html_is_refused_at_its_first_chunk(op, app):
    """A hostile file is dropped as soon as its first bytes are in, not after gigabytes."""
    data = b"<html><body>" + b"x" * (3 * 1024 * 1024)
    created = tus_create(op, len(data), "replay.mp4", "recording")
    url = created.headers["Location"]
    response = tus_patch(op, url, 0, data[:64 * 1024])
    assert_json_error(response, 415, "markup")
    assert op.head(url).status_code == 404
    assert_no_leftovers(app)


def test_a_real_recording_is_probed_and_accepted(op, app, tmp_path):
    video = small_video(tmp_path / "media").read_bytes()
    response, url = tus_upload(op, video, "直播回放.mp4", "recording", chunk=16 * 1024)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert op.get(url).json["status"] == "complete"


INPUT_IMPOSTORS = [
    pytest.param("metrics", "metrics.csv", b"<html><script>alert(1)</script></html>", "markup", id="html-csv"),
    pytest.param("comments", "comments.jsonl", b"  <script src=//evil></script>", "markup", id="script-tag-jsonl"),
    pytest.param("products", "products.csv", b"const steal = document.cookie;", "JavaScript", id="js-csv"),
    pytest.param("metrics", "metrics.txt", b"#!/bin/sh\nrm -rf /\n", "program", id="shell-script"),
    pytest.param("metrics", "metrics.csv", b"\x7fELF\x02\x01" + b"\0" * 100, "program", id="elf-csv"),
    pytest.param("metrics", "metrics.csv", bytes(range(256)) * 4, "binary", id="binary-csv"),
    pytest.param("metrics", "metrics.xlsx", b"time,orders\n0,1\n", "not an XLSX workbook", id="csv-named-xlsx"),
    pytest.param("products", "products.xlsx", b"PK\x03\x04" + b"\0" * 60, "XLSX", id="broken-zip-xlsx"),
    pytest.param("metrics", "metrics.csv", minimal_xlsx(), "ZIP", id="zip-named-csv"),
    pytest.param("metrics", "metrics.csv", (SAMPLE / "demo_stream.mp4").read_bytes()[:20000], "video",
                 id="video-named-csv"),
    pytest.param("comments", "danmaku.xml", HOSTILE_HTML.encode(), "markup", id="html-named-xml"),
    pytest.param("comments", "danmaku.xml", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
                 b"<script>x</script></svg>", "markup", id="svg-with-xml-prolog"),
    pytest.param("metrics", "metrics.csv", DANMAKU, "XML", id="xml-as-metrics"),
]


@pytest.mark.parametrize(("kind", "name", "data", "words"), INPUT_IMPOSTORS)
def test_inputs_must_be_text_or_xlsx_by_content(op, app, kind, name, data, words):
    response, _url = tus_upload(op, data, name, kind)
    assert_json_error(response, 415, name, words)
    assert_no_leftovers(app)


@pytest.mark.parametrize(("kind", "name", "data"), [
    pytest.param("metrics", "metrics.csv", (SAMPLE / "metrics.csv").read_bytes(), id="sample-metrics"),
    pytest.param("comments", "comments.jsonl", (SAMPLE / "comments.jsonl").read_bytes(), id="sample-comments"),
    pytest.param("products", "products.csv", (SAMPLE / "products.csv").read_bytes(), id="sample-products"),
    pytest.param("metrics", "指标.csv", "时间,在线人数\n00:00:01,3\n".encode("gb18030"), id="gbk-csv"),
    pytest.param("metrics", "m.csv", "time,orders\n0,1\n".encode("utf-16"), id="utf16-csv"),
    pytest.param("comments", "c.csv", "t,text\n1,<script>hi</script> 哈哈\n".encode(), id="comment-quoting-html"),
    pytest.param("products", "p.xlsx", minimal_xlsx(), id="xlsx"),
    pytest.param("comments", "danmaku.xml", DANMAKU, id="bilibili-danmaku"),
])
def test_real_inputs_are_accepted(op, kind, name, data):
    response, url = tus_upload(op, data, name, kind)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert op.get(url).json["status"] == "complete"


def test_multipart_job_with_html_as_recording_is_refused(op, app):
    response = op.post("/api/jobs", content_type="multipart/form-data", data={
        "recording": (io.BytesIO(HOSTILE_HTML.encode()), "replay.mp4"),
        "metrics": (io.BytesIO((SAMPLE / "metrics.csv").read_bytes()), "metrics.csv")})
    assert_json_error(response, 415, "replay.mp4", "not a recording")
    assert_no_leftovers(app)


def test_an_upload_becomes_an_input_only_as_the_kind_it_was_checked_for(op, app):
    """A text upload (checked as metrics) cannot then be used as the job's recording: it was never probed."""
    from workers import jobs

    response, url = tus_upload(op, b"time,orders\n0,1\n", "replay.txt", "metrics")
    assert response.status_code == 204
    upload_id = url.rsplit("/", 1)[1]
    created = op.post("/api/jobs", json={"recording": upload_id, "metrics": upload_id})
    assert_json_error(created, 415, "metrics", "recording")
    assert jobs.list_jobs(app.extensions["mediaops_settings"]) == []


def test_relative_recording_path_is_refused(tmp_path, monkeypatch):
    """A relative path was resolved from the server's working folder (here: inside the allowed one)."""
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    shutil.copy(SAMPLE / "demo_stream.mp4", allowed / "demo.mp4")
    shutil.copy(SAMPLE / "metrics.csv", allowed / "metrics.csv")
    app = make_app(tmp_path / "storage", ALLOWED_PATH_ROOTS=(str(allowed),))
    add_user(app, "op", "operator")
    client = app.test_client()
    client.environ_base["HTTP_X_CSRF_TOKEN"] = login(client, "op")
    monkeypatch.chdir(allowed)
    for body in ({"recording_path": "demo.mp4", "metrics_path": str(allowed / "metrics.csv")},
                 {"recording_path": str(allowed / "demo.mp4"), "metrics_path": "./metrics.csv"}):
        assert_json_error(client.post("/api/jobs", json=body), 400, "absolute")


# ---- serving: allow-listed types, nosniff, sandbox ------------------------------------------------------------

def make_job(app, recording: Path, outputs: bool = False) -> str:
    """A job for ``recording`` (queued; with ``outputs``: succeeded, with a real output folder and report)."""
    from mediaops.report import ReportOptions, render_reports
    from tests.retro_data import write_output_folder
    from workers import jobs, state

    settings = app.extensions["mediaops_settings"]
    metrics = settings.storage_root / "inputs" / "metrics.csv"
    if not metrics.exists():
        metrics.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / "metrics.csv", metrics)
    job_id = jobs.submit_job(settings, recording, metrics, name=recording.name)
    if outputs:
        out = Path(jobs.get_job(settings, job_id)["out_dir"])
        write_output_folder(out, with_clip_files=True)
        render_reports(out, ReportOptions(lang="en", formats=("html",)))
        state.finish_job(state.engine_for(settings.database_url), job_id)
    return job_id


def hostile_file(app, name: str, content: str | bytes) -> Path:
    path = app.extensions["mediaops_settings"].storage_root / "inputs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def csp_of(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {d.strip().split(" ", 1)[0]: (d.strip() + " ").split(" ", 1)[1].strip()
            for d in policy.split(";") if d.strip()}


def assert_served_safely(response, mimetype: str, inline: bool) -> None:
    assert response.status_code in (200, 206), response.status_code
    assert response.mimetype == mimetype, (response.mimetype, mimetype)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers.get("Content-Disposition", "inline")
    assert disposition.startswith("inline" if inline else "attachment"), disposition
    csp = csp_of(response)
    assert "sandbox" in csp and "allow-scripts" not in csp["sandbox"], csp
    assert csp["default-src"] == "'none'", csp


@pytest.mark.parametrize(("name", "content", "mimetype", "inline"), [
    pytest.param("replay.html", HOSTILE_HTML, "application/octet-stream", False, id="html"),
    pytest.param("promo.js", ATTACK_JS, "application/octet-stream", False, id="javascript"),
    pytest.param("promo.svg", HOSTILE_SVG, "application/octet-stream", False, id="svg"),
    pytest.param("replay.mp4", HOSTILE_HTML, "video/mp4", True, id="html-named-mp4"),
    pytest.param("replay.webm", b"\x1a\x45\xdf\xa3", "video/webm", True, id="webm"),
    pytest.param("replay.m4a", b"\0\0\0\x18ftypM4A ", "audio/mp4", True, id="m4a"),
])
def test_a_jobs_recording_is_served_only_as_media(admin, app, name, content, mimetype, inline):
    """Jobs made before the fix (or from a server path) keep such recordings: they must never render as pages."""
    job_id = make_job(app, hostile_file(app, name, content))
    response = admin.get(f"/streams/{job_id}/recording")
    assert_served_safely(response, mimetype, inline)
    if inline:  # the browser's own player must still load it: not a bare sandbox
        assert "allow-same-origin" in csp_of(response)["sandbox"] and csp_of(response)["media-src"] == "'self'"
    assert admin.get(f"/streams/{job_id}/recording", headers={"Range": "bytes=0-3"}).status_code == 206


OUTPUTS = [
    ("clips/clip-01.mp4", None, "video/mp4", True),
    ("cover.jpg", b"\xff\xd8\xff\xe0", "image/jpeg", True),
    ("cover.png", b"\x89PNG\r\n\x1a\n", "image/png", True),
    ("timeline.json", None, "application/json", True),
    ("transcript.srt", "1\n00:00:00,000 --> 00:00:01,000\n<script>x</script>\n", "text/plain", True),
    ("chapters.vtt", "WEBVTT\n", "text/plain", True),
    ("report_clips.csv", "=HYPERLINK(\"x\")\n", "text/csv", False),
    ("report.md", "# r\n", "text/markdown", False),
    ("report.pdf", b"%PDF-1.4", "application/pdf", False),
    ("all.zip", minimal_xlsx(), "application/zip", False),
    ("evil.html", HOSTILE_HTML, "application/octet-stream", False),
    ("clips/evil.htm", HOSTILE_HTML, "application/octet-stream", False),
    ("evil.svg", HOSTILE_SVG, "application/octet-stream", False),
    ("promo.js", ATTACK_JS, "application/octet-stream", False),
    ("page.xhtml", HOSTILE_HTML, "application/octet-stream", False),
    ("notes.txt", "fine", "application/octet-stream", False),
    ("highlights.fcpxml", "<fcpxml/>", "application/octet-stream", False),
]


def test_outputs_are_served_from_the_allow_list(admin, app, tmp_path):
    job_id = make_job(app, small_video(tmp_path / "media"), outputs=True)
    out = Path(app.extensions["mediaops_settings"].jobs_dir / job_id / "out")
    for name, content, mimetype, inline in OUTPUTS:
        if content is not None:
            (out / name).write_bytes(content.encode() if isinstance(content, str) else content)
        response = admin.get(f"/files/{job_id}/{name}")
        assert_served_safely(response, mimetype, inline)
        # ?download=1 makes anything a download
        assert_served_safely(admin.get(f"/files/{job_id}/{name}?download=1"), mimetype, inline=False)
    zipped = admin.get(f"/streams/{job_id}/clips.zip")
    assert zipped.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in csp_of(zipped)
    assert zipped.headers["Content-Disposition"].startswith("attachment")


def test_the_report_runs_sandboxed_behind_a_signed_link(admin, app, tmp_path, monkeypatch):
    import web.files
    from web.models import User

    job_id = make_job(app, small_video(tmp_path / "media"), outputs=True)
    first = admin.get(f"/files/{job_id}/report.html")
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/streams/{job_id}/report")
    signed = admin.get(first.headers["Location"])
    assert signed.status_code == 302
    link = signed.headers["Location"]
    assert link.startswith("/reports/") and link.endswith("/report.html")
    stranger = app.test_client()  # the sandboxed report's own requests carry no cookie
    report = stranger.get(link)
    assert report.status_code == 200 and report.mimetype == "text/html"
    assert b"<html" in report.data
    csp = csp_of(report)
    assert csp["sandbox"].split() == ["allow-scripts", "allow-downloads"]  # never allow-same-origin
    assert csp["default-src"] == "'none'" and csp["form-action"] == "'none'"
    assert report.headers["Referrer-Policy"] == "no-referrer"
    assert report.headers["X-Content-Type-Options"] == "nosniff"
    base = link.rsplit("/", 1)[0]
    clip = stranger.get(f"{base}/clips/clip-01.mp4")
    assert_served_safely(clip, "video/mp4", inline=True)
    assert stranger.get(f"{base}/evil.html").status_code == 404
    (Path(app.extensions["mediaops_settings"].jobs_dir / job_id / "out") / "evil.html").write_text(HOSTILE_HTML)
    assert_served_safely(stranger.get(f"{base}/evil.html"), "application/octet-stream", inline=False)
    tampered = link.replace("/reports/", "/reports/x")
    for hostile in (f"{base}/../../secret", f"{base}/%2e%2e/%2e%2e/mediaops.sqlite", tampered):
        assert stranger.get(hostile).status_code in (404, 308), hostile
    downloaded = admin.get(f"/files/{job_id}/report.html?download=1")
    assert downloaded.headers["Content-Disposition"].startswith("attachment")
    assert admin.get(f"/streams/{job_id}").get_data(as_text=True).count(f'href="/streams/{job_id}/report"') == 1
    monkeypatch.setattr(web.files, "REPORT_LINK_TTL_S", -1)
    assert stranger.get(link).status_code == 404  # expired
    monkeypatch.undo()
    with app.extensions["mediaops_db"]() as session:
        session.query(User).filter_by(username="admin").one().active = False
        session.commit()
    assert stranger.get(link).status_code == 404  # its signer was deactivated


# ---- pages: a policy without inline script or style ----------------------------------------------------------

def test_pages_have_a_strict_policy_and_no_inline_script_or_style(admin, app, tmp_path):
    job_id = make_job(app, small_video(tmp_path / "media"), outputs=True)
    make_job(app, hostile_file(app, "queued.mp4", b"\0\0\0\x18ftypmp42"))  # a running bar in the list
    for path in ("/", "/upload", f"/streams/{job_id}", "/login"):
        response = (admin if path != "/login" else app.test_client()).get(path)
        assert response.status_code == 200, path
        csp = csp_of(response)
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"], path
        assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'", csp
        assert csp["default-src"] == "'none'"
        assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'none'"
        if path != "/login":  # (the sign-in page belongs to the accounts work)
            html = response.get_data(as_text=True)
            assert " style=" not in html, path
            assert html.count("<script") == html.count("<script src="), path
    api = admin.get("/api/streams")
    assert "sandbox" in csp_of(api) and api.headers["X-Content-Type-Options"] == "nosniff"


# ---- tus errors as JSON -----------------------------------------------------------------------------------------

def test_oversized_tus_metadata_is_a_json_431(op):
    metadata = f"filename {b64('a.mp4')},kind {b64('recording')},note {b64('x' * 5000)}"
    response = op.post("/api/uploads", headers=TUS | {"Upload-Length": "10", "Upload-Metadata": metadata})
    assert_json_error(response, 431, "Upload-Metadata")
    assert response.headers["Tus-Resumable"] == "1.0.0"
    wrong_method = op.put("/api/uploads")
    assert_json_error(wrong_method, 405)
    assert wrong_method.headers["Tus-Resumable"] == "1.0.0"
    anonymous = op.application.test_client().post("/api/uploads", headers=TUS | {"Upload-Length": "1"})
    assert_json_error(anonymous, 401)


def test_headers_too_large_for_the_server_are_json_under_the_api(app, monkeypatch, caplog):
    """Over 64 KiB the development server answers before the app does; under /api/ that answer is JSON too."""
    import werkzeug.serving
    from werkzeug.serving import make_server

    from web import JSONErrorRequestHandler

    captured = {}
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *a, **kw: captured.update(kw))
    app.run(port=0)  # what `mediaops serve` calls
    assert captured["request_handler"] is JSONErrorRequestHandler

    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=JSONErrorRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        for path, json_expected in (("/api/uploads", True), ("/api/streams?x=1", True), ("/login", False)):
            connection = http.client.HTTPConnection("127.0.0.1", httpd.server_port, timeout=10)
            connection.putrequest("POST" if path == "/api/uploads" else "GET", path)
            connection.putheader("Tus-Resumable", "1.0.0")
            connection.putheader("Upload-Metadata", f"filename {b64('x' * 70_000)}")
            connection.endheaders()
            response = connection.getresponse()
            body = response.read()
            assert response.status == 431, path
            if json_expected:
                assert response.getheader("Content-Type") == "application/json"
                error = json.loads(body)
                assert error["status"] == 431 and "Upload-Metadata" in error["error"]
                assert (response.getheader("Tus-Resumable") == "1.0.0") == path.startswith("/api/uploads")
            else:
                assert b"<html" in body.lower() or b"<!doctype" in body.lower()
            connection.close()
    finally:
        httpd.shutdown()
    caplog.clear()  # the server logs each refusal as an error


# ---- the whole attack in a real browser -------------------------------------------------------------------------

@pytest.fixture
def server(tmp_path: Path):
    from werkzeug.serving import make_server

    app = make_app(tmp_path / "storage", UPLOAD_CHUNK_BYTES=64 * 1024)
    add_user(app, "admin", "admin")
    add_user(app, "operator1", "operator")
    seen: list[tuple[str, str]] = []
    inner = app.wsgi_app

    def recording_middleware(environ, start_response):
        seen.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        return inner(environ, start_response)

    app.wsgi_app = recording_middleware
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield app, f"http://127.0.0.1:{httpd.server_port}", seen
    finally:
        httpd.shutdown()


def sign_in(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def pwned_in(page) -> str | None:
    """What the hostile script left behind in this page, if it ran (None when it did not, or no page to ask)."""
    try:
        return page.evaluate("() => window.__pwned || (document.title === 'PWNED' ? 'title' : null)")
    except Exception:  # a download or a navigation in progress: nothing rendered there
        return None


@pytest.mark.slow
def test_the_stored_xss_chain_fails_end_to_end(server, browser, tmp_path):
    """Operator uploads HTML+script as recordings (named .html and .mp4): refused. Jobs that hold such files
    anyway (made before the fix, or from a server path) and hostile files among a job's outputs: an admin opening
    every link never runs the script, no admin API is reached, no user is added. The report's own scripts run,
    sandboxed: a script injected there gets no cookie, no same-origin page, no request out; its clips still play."""
    from web.models import User
    from workers import jobs

    app, base, seen = server
    settings = app.extensions["mediaops_settings"]
    with app.test_request_context():
        from flask import url_for

        users_url = url_for("auth.users")

    # 1. the operator's uploads through the upload page are refused, with the reason on the page
    operator = browser.new_context(accept_downloads=True)
    page = sign_in(operator, base, "operator1")
    hostile_dir = tmp_path / "hostile"
    hostile_dir.mkdir()
    js = ATTACK_JS.replace("{users_url}", users_url)
    for name in ("replay.html", "replay.mp4"):
        (hostile_dir / name).write_text(HOSTILE_HTML.replace("{script_url}", "/nowhere.js"))
        page.goto(f"{base}/upload?lang=en")
        page.set_input_files("input[name=recording]", str(hostile_dir / name))
        page.set_input_files("input[name=metrics]", str(SAMPLE / "metrics.csv"))
        page.click("#upload-submit")
        page.wait_for_selector("#upload-status.error", timeout=30_000)
        message = page.inner_text("#upload-status")
        assert name in message and ("not a recording" in message or "expected" in message), message
    (hostile_dir / "promo.js").write_text(js)
    refused = page.request.post(f"{base}/api/uploads", headers=TUS | {
        "Upload-Length": "100", "Upload-Metadata": f"filename {b64('promo.js')}",
        "X-CSRF-Token": page.get_attribute("meta[name=csrf-token]", "content")})
    assert refused.status == 400 and "kind" in refused.json()["error"]
    assert jobs.list_jobs(settings) == []
    operator.close()

    # 2. jobs that hold such files anyway, and a finished job with hostile outputs and an injected report script
    script_job = make_job(app, hostile_file(app, "promo.js", js))
    page_html = HOSTILE_HTML.replace("{script_url}", f"/streams/{script_job}/recording")
    html_jobs = [make_job(app, hostile_file(app, name, page_html)) for name in ("replay.html", "replay.mp4")]
    finished = make_job(app, small_video(tmp_path / "media"), outputs=True)
    out = settings.jobs_dir / finished / "out"
    for name, content in (("evil.html", page_html), ("evil.svg", HOSTILE_SVG), ("promo.js", js),
                          ("clips/evil.htm", page_html)):
        (out / name).write_text(content)
    report = (out / "report.html").read_text(encoding="utf-8")
    injected = """<script>(function () {
      var r = {origin: String(self.origin)};
      try { r.cookie = document.cookie; } catch (e) { r.cookie = "denied"; }
      try { r.opened = String(window.open("USERS")); } catch (e) { r.opened = "denied"; }
      window.__report = r;
      fetch("USERS", {credentials: "include"})
        .then(function () { r.fetched = "yes"; }, function () { r.fetched = "no"; });
    })();</script>""".replace("USERS", users_url)
    (out / "report.html").write_text(report.replace("</body>", injected + "</body>"), encoding="utf-8")
    with app.extensions["mediaops_db"]() as session:
        users_before = session.query(User).count()

    # 3. the admin opens every link of every job
    admin = browser.new_context(accept_downloads=True)
    page = sign_in(admin, base, "admin")
    csp_violations: list[str] = []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    seen.clear()
    visited: dict[str, str | None] = {}
    for job_id in (script_job, *html_jobs, finished):
        page.goto(f"{base}/streams/{job_id}")
        assert pwned_in(page) is None
        links = page.eval_on_selector_all(
            "a[href], video[src], img[src], video[poster]",
            "els => els.map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('poster'))")
        targets = {f"/streams/{job_id}/recording", *(link for link in links if link.startswith("/") and job_id in link)}
        if job_id == finished:
            targets |= {f"/files/{job_id}/{name}" for name in ("evil.html", "evil.svg", "promo.js", "clips/evil.htm")}
        for target in sorted(targets - {"/logout"}):
            tab = admin.new_page()
            with contextlib.suppress(Exception):  # downloads ("Download is starting") render nothing
                tab.goto(base + target, wait_until="load", timeout=15_000)
            tab.wait_for_timeout(300)
            visited[target] = pwned_in(tab)
            tab.close()
    assert len(visited) > 10, visited
    assert not [t for t, mark in visited.items() if mark], visited

    # the script, if it had run in a browser-made page, could still be loaded by an injected <script src>:
    # served as application/octet-stream with nosniff, Chromium refuses to run it even on our own page
    page.goto(f"{base}/streams/{finished}")
    outcome = page.evaluate("""url => new Promise(done => { const s = document.createElement('script');
        s.src = url; s.onload = () => done('loaded'); s.onerror = () => done('refused'); document.body.append(s); })""",
                            f"/streams/{script_job}/recording")
    assert outcome == "refused"
    page.wait_for_timeout(300)
    assert pwned_in(page) is None

    # 4. the report: its chart draws and a clip plays inside the sandbox; the injected script is held in it
    page.goto(f"{base}/streams/{finished}")
    with admin.expect_page() as opened:
        page.click("#view-report")
    report_page = opened.value
    report_page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    report_page.click("[data-play]")
    report_page.wait_for_function("document.getElementById('clip-player').readyState >= 1", timeout=15_000)
    assert report_page.evaluate("document.getElementById('clip-player').error") is None
    report_page.wait_for_timeout(500)
    held = report_page.evaluate("window.__report")
    assert held["origin"] == "null", held
    assert held["cookie"] in ("", "denied") and held["opened"] in ("null", "denied"), held
    assert held.get("fetched") != "yes", held
    admin.close()

    assert not [(m, p) for m, p in seen if p == users_url], seen
    with app.extensions["mediaops_db"]() as session:
        assert session.query(User).count() == users_before
        assert session.query(User).filter_by(username="mallory").count() == 0
    assert not [m for m in csp_violations if "style" in m or "script" in m], csp_violations
