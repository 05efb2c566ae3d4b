"""The JSON API against the real job system: a real job (embedded worker, real Whisper) on a 130 s cut of the
sample stream, then every route with the right and the wrong credentials, methods and input; and schemathesis
checking the responses against the OpenAPI document."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.media.probe import probe
from mediaops.timeline import validate_timeline
from tests.conftest import SAMPLE
from tests.web_support import add_token, make_app

CUT_S = 130.0
pytestmark = pytest.mark.slow


def _short_stream(folder: Path) -> dict[str, Path]:
    """The first ``CUT_S`` seconds of the sample (two product pitches) with its metrics rows."""
    folder.mkdir(parents=True)
    recording = folder / "short_stream.mp4"
    run_ffmpeg(["-i", str(SAMPLE / "demo_stream.mp4"), "-t", str(CUT_S), "-c", "copy", str(recording)])
    lines = (SAMPLE / "metrics.csv").read_text().splitlines()
    keep = [lines[0]] + [line for line in lines[1:] if int(line[3:5]) * 60 + int(line[6:8]) < CUT_S]
    (folder / "metrics.csv").write_text("\n".join(keep) + "\n")
    return {"recording": recording, "metrics": folder / "metrics.csv", "products": SAMPLE / "products.csv"}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, whisper_model: str):
    from workers.embedded import start_embedded_worker

    root = tmp_path_factory.mktemp("api")
    inputs = _short_stream(root / "allowed")
    app = make_app(root / "storage", model=whisper_model, ALLOWED_PATH_ROOTS=(str(root / "allowed"),),
                   MAX_UPLOAD_BYTES=8 * 1024 * 1024)
    tokens = {role: add_token(app, f"{role}-user", role) for role in ("admin", "operator", "viewer")}
    worker = start_embedded_worker(app.extensions["mediaops_settings"], concurrency=2, wait_s=90)
    client = app.test_client()
    op = {"Authorization": f"Bearer {tokens['operator']}"}
    files = {kind: (path.open("rb"), path.name) for kind, path in inputs.items()}
    created = client.post("/api/jobs", headers=op, content_type="multipart/form-data",
                          data={**files, "name": "短片测试", "options": json.dumps({"clips": 2})})
    for handle, _name in files.values():
        handle.close()
    assert created.status_code == 201, created.json
    job_id = created.json["id"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = client.get(f"/api/streams/{job_id}", headers=op).json
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(1)
    assert job["status"] == "succeeded", job
    try:
        yield {"app": app, "client": client, "job_id": job_id, "tokens": tokens, "root": root, "inputs": inputs}
    finally:
        worker.stop()


def auth(env, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {env['tokens'][role]}"}


def test_list_and_get_streams(env):
    client, job_id = env["client"], env["job_id"]
    listed = client.get("/api/streams", headers=auth(env, "viewer"))
    assert listed.status_code == 200
    [stream] = [s for s in listed.json["streams"] if s["id"] == job_id]
    assert stream["status"] == "succeeded" and stream["name"] == "短片测试"
    assert stream["summary"]["clips"] >= 1 and stream["summary"]["duration_s"] == pytest.approx(CUT_S, abs=0.1)
    assert "out_dir" not in stream and "recording" not in stream  # no server paths leak
    assert [st["status"] for st in stream["stages"]].count("succeeded") >= 6
    assert client.get("/api/streams?limit=x", headers=auth(env, "viewer")).status_code == 400
    assert client.get("/api/streams/ffffffffffffffffffffffffffffffff", headers=auth(env, "viewer")).status_code == 404


def test_timeline_is_schema_v1(env):
    response = env["client"].get(f"/api/streams/{env['job_id']}/timeline", headers=auth(env, "viewer"))
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.json
    validate_timeline(doc)
    assert doc["schema_version"] == 1
    assert doc["recording"]["duration_s"] == pytest.approx(CUT_S, abs=0.1)
    assert any(abs(s["start_s"] - 95.0) < 0.5 for s in doc["scenes"])  # a known cut of the sample


def test_report_markdown(env):
    response = env["client"].get(f"/api/streams/{env['job_id']}/report.md", headers=auth(env, "viewer"))
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    assert response.get_data(as_text=True).lstrip().startswith("#")


def test_clips_list_download_and_zip(env, tmp_path):
    client, job_id = env["client"], env["job_id"]
    clips = client.get(f"/api/streams/{job_id}/clips", headers=auth(env, "viewer")).json["clips"]
    assert clips and all(c["end_s"] > c["start_s"] for c in clips)
    first = clips[0]
    download = client.get(first["url"], headers=auth(env, "viewer"))
    assert download.status_code == 200 and download.mimetype == "video/mp4"
    assert "attachment" in download.headers["Content-Disposition"]
    saved = tmp_path / "clip.mp4"
    saved.write_bytes(download.data)
    assert probe(saved).duration_s == pytest.approx(first["duration_s"], abs=0.6)
    cover = client.get(first["cover_url"], headers=auth(env, "viewer"))
    assert cover.status_code == 200 and cover.mimetype == "image/jpeg"
    assert client.get(f"/api/streams/{job_id}/clips/clip-99", headers=auth(env, "viewer")).status_code == 404
    zipped = client.get(f"/streams/{job_id}/clips.zip", headers=auth(env, "viewer"))
    archive = zipfile.ZipFile(io.BytesIO(zipped.data))
    assert archive.testzip() is None
    # laid out as the output folder: the report inside links to clips/… and plays them once unpacked
    assert sorted(n for n in archive.namelist() if n.endswith(".mp4")) == sorted(
        f"clips/{Path(c['url']).name}.mp4" for c in clips)


GETS = ["/api/streams", "/api/streams/{id}", "/api/streams/{id}/timeline", "/api/streams/{id}/report.md",
        "/api/streams/{id}/clips", "/api/streams/{id}/clips/clip-01", "/files/{id}/timeline.json",
        "/streams/{id}/clips.zip", "/streams/{id}/recording"]
INPUTS = {"recording_path": "{allowed}/short_stream.mp4", "metrics_path": "{allowed}/metrics.csv"}
POSTS = ["/api/jobs", "/api/streams/{id}/rerun", "/api/streams/{id}/cancel", "/api/uploads"]


@pytest.mark.parametrize("route", GETS + POSTS)
def test_no_credentials_is_401(env, route):
    client = env["client"]
    url = route.format(id=env["job_id"])
    response = client.post(url, json={}) if route in POSTS else client.get(url, headers={"Authorization": "Bearer x"})
    assert response.status_code in (401, 400)  # 400: a cookie-less POST without a token fails CSRF first
    bad_token = client.open(url, method="POST" if route in POSTS else "GET",
                            headers={"Authorization": "Bearer mo_not-a-token"}, json={})
    assert bad_token.status_code == 401 and bad_token.json["error"]


@pytest.mark.parametrize("route", POSTS)
def test_viewers_cannot_change_anything(env, route):
    response = env["client"].post(route.format(id=env["job_id"]), headers=auth(env, "viewer"), json={})
    assert response.status_code == 403 and "operator" in response.json["error"]


@pytest.mark.parametrize(
    ("method", "route"),
    [("DELETE", "/api/streams"), ("GET", "/api/jobs"), ("PUT", "/api/streams/{id}/timeline"),
     ("GET", "/api/streams/{id}/rerun"), ("POST", "/api/openapi.json"), ("PUT", "/api/uploads")],
)
def test_wrong_methods_are_405(env, method, route):
    response = env["client"].open(route.format(id=env["job_id"]), method=method, headers=auth(env, "admin"))
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        pytest.param("recording=x", "text/plain", 415, "application/json", id="wrong-content-type"),
        pytest.param("{not json", "application/json", 400, "JSON", id="broken-json"),
        pytest.param(json.dumps({"recording_path": "/etc/passwd", "metrics_path": "/etc/hosts"}), "application/json",
                     403, "allowed", id="path-outside-allowed-roots"),
        pytest.param(json.dumps({"recording_path": "{allowed}/../../../etc/passwd", "metrics_path": "x"}),
                     "application/json", 403, "allowed", id="path-traversal"),
        pytest.param(json.dumps({"recording": "ab" * 16, "metrics": "cd" * 16}), "application/json", 404,
                     "upload", id="unknown-upload-ids"),
        pytest.param(json.dumps(INPUTS | {"options": {"clips": "many"}}), "application/json", 400, "clips",
                     id="bad-option"),
        pytest.param(json.dumps(INPUTS | {"options": {"rm -rf": 1}}), "application/json", 400, "unknown",
                     id="unknown-option"),
        pytest.param(json.dumps({"metrics_path": "{allowed}/metrics.csv"}), "application/json", 400, "recording",
                     id="no-recording"),
    ],
)
def test_hostile_job_requests(env, body, content_type, status, words):
    body = body.replace("{allowed}", str(env["root"] / "allowed"))
    response = env["client"].post("/api/jobs", data=body, content_type=content_type, headers=auth(env, "operator"))
    assert response.status_code == status, response.json
    assert words.lower() in response.json["error"].lower()


def test_multipart_upload_limits_and_kinds(env):
    client, op = env["client"], auth(env, "operator")
    oversized = client.post("/api/jobs", headers=op, content_type="multipart/form-data",
                            data={"recording": (io.BytesIO(b"\0" * (9 * 1024 * 1024)), "big.mp4")})
    assert oversized.status_code == 413
    wrong_kind = client.post("/api/jobs", headers=op, content_type="multipart/form-data",
                             data={"recording": (io.BytesIO(b"MZ..."), "../../evil.exe"),
                                   "metrics": (io.BytesIO(b"time,orders\n0,1\n"), "m.csv")})
    assert wrong_kind.status_code == 415 and "evil.exe" in wrong_kind.json["error"]
    corrupt = client.post("/api/jobs", headers=op, content_type="multipart/form-data",
                          data={"recording": (io.BytesIO(b"not a video"), "broken.mp4"),
                                "metrics": (io.BytesIO(b"time,orders\n0,1\n"), "m.csv")})
    # a corrupt recording is accepted quickly and fails its job in the worker, with the reason
    assert corrupt.status_code in (201, 400)
    if corrupt.status_code == 201:
        client.post(f"/api/streams/{corrupt.json['id']}/cancel", headers=op)


def test_server_path_job_rerun_and_cancel(env):
    client, op, allowed = env["client"], auth(env, "operator"), env["root"] / "allowed"
    created = client.post("/api/jobs", headers=op, json={
        "recording_path": str(allowed / "short_stream.mp4"), "metrics_path": str(allowed / "metrics.csv"),
        "name": "by path"})
    assert created.status_code == 201, created.json
    new_id = created.json["id"]
    assert client.get(f"/api/streams/{new_id}/timeline", headers=op).status_code in (409, 200)
    assert client.post(f"/api/streams/{new_id}/cancel", headers=op).json["cancelled"] is True
    assert client.get(f"/api/streams/{new_id}", headers=op).json["status"] == "cancelled"

    rerun = client.post(f"/api/streams/{env['job_id']}/rerun", headers=op, json={"options": {"clips": 1,
                                                                                           "aspect": "9:16"}})
    assert rerun.status_code == 202
    again = client.get(f"/api/streams/{rerun.json['id']}", headers=op).json
    assert again["options"]["clips"] == 1 and again["options"]["aspect"] == "9:16"
    assert client.post(f"/api/streams/{rerun.json['id']}/cancel", headers=op).status_code == 200
    bad = client.post(f"/api/streams/{env['job_id']}/rerun", headers=op, json={"options": {"aspect": "4:3"}})
    assert bad.status_code == 400 and "aspect" in bad.json["error"]
    assert client.post(f"/api/streams/{env['job_id']}/rerun", headers=op, data="x").status_code == 415


# ---- schemathesis: generated requests against the documented GET operations, checked against the document ----
# (driven through Hypothesis directly: schemathesis' pytest plugin does not load under this pytest version)

def test_openapi_get_operations_conform(env):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", env["app"])
    checked = []
    for result in schema.include(method="GET").get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def conforms(case):
            case.call_and_validate(headers=auth(env, "viewer"))

        conforms()
        checked.append(operation.path)
    assert "/api/streams/{job_id}/timeline" in checked and len(checked) >= 7


def test_stream_page_and_pdf_report(env):
    client, job_id, viewer = env["client"], env["job_id"], auth(env, "viewer")
    page = client.get(f"/streams/{job_id}", headers=viewer)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="player"' in html and "clip-01" in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    listing = client.get("/", headers=viewer).get_data(as_text=True)
    assert "短片测试" in listing and "已完成" in listing
    # the job wrote the PDF: the first download does not wait seconds for it to be drawn
    from workers import jobs

    assert (Path(jobs.get_job(env["app"].extensions["mediaops_settings"], job_id)["out_dir"]) / "report.pdf").is_file()
    pdf = client.get(f"/streams/{job_id}/report.pdf", headers=viewer)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
