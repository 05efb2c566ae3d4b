"""Starting a live job from the web and the JSON its page polls, against the real app and job system (no worker:
the live session's output folder is written the way the session writes it, :mod:`tests.live_web_support`).

Wrong implementations these tests reject:
- a source or side file taken from anywhere on the server (``/etc/…``, the storage root's ``secret_key`` or job
  database, ``..`` out of ``<storage>/live``), or a URL of another scheme (``file://``, ``ftp://``) or without a host;
- a live job named after its URL's last part (an RTMP stream key), or whose URL is shown by the API;
- live settings or clip options outside their bounds accepted, or the clip options stored with live settings mixed
  in (a later re-run of the finished recording would then be refused);
- a live job recorded with the pipeline's stages (so the workers would probe a growing file as a recording);
- alerts shown in the library's English sentence on a Chinese page, or in Chinese on an English one; a question
  category or product name lost from the alert;
- a viewers curve with a missing row sent as ``NaN`` (not JSON) or dropped (shifting the curve);
- a garbled line in ``live.jsonl`` breaking the page's JSON; a warning that the metrics export cannot be read
  still shown once its curve is there;
- a stream page that keeps showing stage progress for a stream on air instead of sending viewers to its live page,
  or that keeps sending them there once the review is ready.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediaops.jobs.options import JobOptionsError
from mediaops.live.job import LIVE_SETTINGS, SPEC_FILE, check_live_settings, load_live_job
from tests.live_web_support import job_of, live_folder, submit_live, write_on_air
from tests.web_support import add_user, login, make_app
from workers import state


@pytest.fixture
def app(tmp_path: Path):
    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    add_user(app, "viewer", "viewer")
    return app


@pytest.fixture
def op(app):
    client = app.test_client()
    client.environ_base["HTTP_X_CSRF_TOKEN"] = login(client, "op")
    return client


def _no_constants(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")


def _create(op, **body):
    return op.post("/api/live", json=body)


def test_live_settings_follow_their_table() -> None:
    bounds = {s.key: (s.low, s.high) for s in LIVE_SETTINGS}
    assert check_live_settings({"idle_s": bounds["idle_s"][0]}) == {"idle_s": bounds["idle_s"][0]}
    for bad in ({"idle_s": bounds["idle_s"][0] - 1}, {"idle_s": True}, {"idle_s": "10"}, {"webhook": "http://x"},
                {"viewers_drop_pct": bounds["viewers_drop_pct"][1] + 1}, {"idle_s": float("nan")}, ["idle_s"]):
        with pytest.raises(JobOptionsError):
            check_live_settings(bad)


def test_sources_and_files_must_be_streams_or_files_in_the_live_folder(app, op, tmp_path: Path) -> None:
    folder = live_folder(app)
    (folder / "rec.ts").write_bytes(b"")
    (folder / "metrics.csv").write_text("time,online_viewers\n", "utf-8")
    storage = app.extensions["mediaops_settings"].storage_root
    outside = tmp_path / "outside.csv"
    outside.write_text("time,online_viewers\n", "utf-8")
    good = {"source": "rec.ts", "metrics_path": "metrics.csv"}
    refused = [  # (body, the field its one-line error names)
        ({**good, "source": "file:///etc/passwd"}, "source"), ({**good, "source": "file://localhost/etc/x"}, "source"),
        ({**good, "source": "ftp://host/x.ts"}, "source"), ({**good, "source": "rtmp:///live/key"}, "source"),
        ({**good, "source": "rtmp://host/live/ key"}, "source"), ({**good, "source": "/etc/hostname"}, "source"),
        ({**good, "source": "../secret_key"}, "source"),
        ({**good, "source": str(storage / "mediaops.sqlite")}, "source"),
        ({**good, "source": "missing.ts"}, "source"), ({**good, "metrics_path": str(outside)}, "metrics_path"),
        ({**good, "metrics_path": "../../outside.csv"}, "metrics_path"), ({"source": "rec.ts"}, "metrics"),
        ({**good, "comments_path": "nothing.jsonl"}, "comments_path"), ({**good, "options": {"clips": 0}}, "clips"),
        ({**good, "live": {"idle_s": 1}}, "idle_s"), ({**good, "live": {"sleep": 5}}, "sleep"),
        ({**good, "name": "x" * 201}, "name"),
    ]
    for body, field in refused:
        response = _create(op, **body)
        assert response.status_code == 400, (body, response.get_json())
        assert set(response.get_json()) == {"error", "status"} and field in response.get_json()["error"], (
            body, response.get_json())
    assert state.list_jobs(state.engine_for(app.extensions["mediaops_settings"].database_url)) == []

    viewer = app.test_client()
    viewer.environ_base["HTTP_X_CSRF_TOKEN"] = login(viewer, "viewer")
    assert viewer.post("/api/live", json=good).status_code == 403

    created = _create(op, **good, options={"clips": 2, "aspect": "9:16"}, live={"idle_s": 12})
    assert created.status_code == 201, created.get_json()
    job = job_of(app, created.get_json()["id"])
    assert [s["name"] for s in job["stages"]] == ["live"]
    assert job["options"] == {"clips": 2, "aspect": "9:16"}  # live settings are not clip options
    assert job["recording"] == str((folder / "rec.ts").resolve()) and job["name"] == "rec"
    spec = load_live_job(Path(job["job_dir"]))
    assert spec.live.idle_s == 12 and spec.options.highlights.max_clips == 2 and spec.options.render.aspect == "9:16"

    url = "rtmp://push.example.com/live/SECRET-STREAM-KEY?auth=abc"
    created = _create(op, source=url, metrics_path=str(folder / "metrics.csv"))
    assert created.status_code == 201, created.get_json()
    job_id = created.get_json()["id"]
    job = job_of(app, job_id)
    assert job["name"] == "live" and job["recording"] == str(Path(job["out_dir"]) / "recording.ts")
    assert json.loads((Path(job["job_dir"]) / SPEC_FILE).read_text("utf-8"))["source"] == url
    for path in (f"/api/streams/{job_id}", f"/api/streams/{job_id}/live", "/api/streams"):
        assert "SECRET-STREAM-KEY" not in op.get(path).get_data(as_text=True), path


def test_stream_urls_inside_the_network_are_refused_unless_allowed(app, op, tmp_path: Path) -> None:
    """Rejects: a worker made to read this machine (loopback by name, address or IPv4-mapped IPv6), the private
    network, a cloud metadata address or an address-less wildcard; and an allow-list that cannot let the team's own
    server through."""
    from web.live import public_stream_host

    folder = live_folder(app)
    (folder / "metrics.csv").write_text("time,online_viewers\n", "utf-8")
    inside = ["rtmp://127.0.0.1/live/key", "http://localhost:8080/x.flv", "http://LOCALHOST./x.flv",
              "http://[::1]/x.flv", "http://[::ffff:127.0.0.1]/x.flv", "http://169.254.169.254/latest/meta-data",
              "rtmp://10.1.2.3/live/key", "srt://192.168.1.20:9000", "http://0.0.0.0:6379/", "http://[fd00::1]/x",
              "http://100.64.0.1/x.flv"]
    for url in inside:
        response = _create(op, source=url, metrics_path=str(folder / "metrics.csv"))
        assert response.status_code == 400, (url, response.get_json())
        assert "inside this network" in response.get_json()["error"], url
    form = op.post("/live/new", data={"source": "rtmp://10.1.2.3/live/key", "metrics": "metrics.csv"})
    assert form.status_code == 400 and "内网" in form.get_data(as_text=True)
    assert public_stream_host("8.8.8.8") and public_stream_host("2606:4700::1111")
    assert public_stream_host("10.1.2.3", ("10.1.2.3",)) and public_stream_host("push.lan", ("push.lan",))
    assert not public_stream_host("10.1.2.4", ("10.1.2.3",))

    settings = app.extensions["mediaops_settings"]
    hosts = "10.1.2.3, Push.Lan"
    app.extensions["mediaops_settings"] = type(settings)(**{**settings.__dict__, "live_url_hosts": hosts})
    try:
        allowed = _create(op, source="rtmp://10.1.2.3/live/key", metrics_path=str(folder / "metrics.csv"))
        assert allowed.status_code == 201, allowed.get_json()
    finally:
        app.extensions["mediaops_settings"] = settings


def test_the_form_says_what_is_wrong_in_the_page_language(app, op) -> None:
    live_folder(app)
    page = op.get("/live/new").get_data(as_text=True)
    assert 'name="source"' in page and 'name="idle_s"' in page and "开始监看" in page
    refused = op.post("/live/new", data={"source": "file:///etc/passwd", "metrics": "metrics.csv"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "直播源无效" in text and "file:///etc/passwd" in text  # the operator's own input is kept in the form
    (live_folder(app) / "rec.ts").touch()
    english = op.post("/live/new?lang=en", data={"source": "rec.ts", "metrics": "/etc/passwd"})
    assert "Metrics export not found" in english.get_data(as_text=True)
    (live_folder(app) / "metrics.csv").touch()
    made = op.post("/live/new", data={"source": "rec.ts", "metrics": "metrics.csv", "clips": "3", "idle_s": "20",
                                      "aspect": "9:16", "cut": "exact", "name": "夜场"})
    assert made.status_code == 302 and made.headers["Location"].endswith("/live")


def test_live_state_is_in_the_page_language(app, op, tmp_path: Path) -> None:
    job_id = submit_live(app)
    out = write_on_air(app, job_id, tmp_path, clip_titles=("保温杯上新", "<img src=x onerror=alert(1)>"))
    with (out / "live.jsonl").open("a", encoding="utf-8") as handle:  # a garbled line and a clip without times
        handle.write('{"event": "clip", "id": "clip-09", "start_s": "soon", "file": 5}\nnot json\n')

    zh = op.get(f"/api/streams/{job_id}/live?lang=zh")
    assert zh.status_code == 200
    doc = json.loads(zh.get_data(as_text=True), parse_constant=_no_constants)  # a browser refuses NaN too
    assert doc["stage"] == "on_air" and doc["stage_label"] == "直播中" and doc["written_s"] == 95.0
    texts = {a["kind"]: a["text"] for a in doc["alerts"]}
    assert texts["viewers_drop"] == "0:01:00 在线人数 60 秒内下降 40%：155 → 93"
    assert texts["dead_air"] == "0:00:40 起冷场：12 秒没有人说话，现在仍然没有声音"  # the library's sentence
    assert "尺码" in texts["unanswered_questions"] and "4 次" in texts["unanswered_questions"]
    assert "Turbo Blender" in texts["pitch_overrun"] and "120 秒" in texts["pitch_overrun"]
    assert not any("online viewers" in t or "no speech" in t for t in texts.values())
    # the export is read now (the curve is there): its early warning is over; the comment log's is not
    assert [w["text"] for w in doc["warnings"]] == ["评论记录暂时无法读取，稍后会自动重试。"]
    assert [c["id"] for c in doc["clips"]] == ["clip-01", "clip-02"]
    assert doc["clips"][1]["title"] == "<img src=x onerror=alert(1)>"  # data, shown by the page as text
    assert doc["clips"][0]["download_url"].endswith("clips/clip-01.mp4?download=1")
    assert op.get(doc["clips"][0]["url"]).headers["Content-Type"] == "video/mp4"
    viewers = doc["viewers"]
    assert len(viewers["t_s"]) == len(viewers["values"]) == 19 and viewers["values"][6] is None
    assert viewers["values"][-1] == 93.0 and doc["links"]["report"] is None

    en = op.get(f"/api/streams/{job_id}/live?lang=en").get_json()
    texts = {a["kind"]: a["text"] for a in en["alerts"]}
    assert texts["viewers_drop"] == "0:01:00 online viewers fell 40% within 60 s: 155 → 93"
    assert texts["unanswered_questions"] == "0:01:10 viewers asked 4 times about sizes; no answer yet"
    assert en["stage_label"] == "On air"

    # the page: the badge says on air, the scripts are our own file, nothing from live.jsonl is in the markup
    assert op.get(f"/streams/{job_id}").headers["Location"].endswith(f"/streams/{job_id}/live")
    page = op.get(f"/streams/{job_id}/live?lang=zh")
    html = page.get_data(as_text=True)
    assert "直播中" in html and "onerror" not in html and "<script>" not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    listing = op.get("/").get_data(as_text=True)
    assert "周五晚场直播" in listing and "直播中" in listing

    # the review is ready: the state links to it, and the stream page shows it instead of redirecting
    state.stage_finished(state.engine_for(app.extensions["mediaops_settings"].database_url), job_id, "live")
    state.finish_job(state.engine_for(app.extensions["mediaops_settings"].database_url), job_id)
    done = op.get(f"/api/streams/{job_id}/live").get_json()
    assert done["stage"] == "ended" and done["links"]["report"] == f"/streams/{job_id}"
    assert op.get(f"/streams/{job_id}").status_code == 200


def test_a_normal_job_has_no_live_state(app, op) -> None:
    from tests.test_web_operator import submit

    job_id = submit(app)
    assert op.get(f"/api/streams/{job_id}/live").status_code == 404
    assert op.get(f"/streams/{job_id}/live").headers["Location"].endswith(f"/streams/{job_id}")
