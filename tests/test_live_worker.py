"""A live stream end to end on the workers: ``ffmpeg -re`` writes a 90 s recording into ``<storage>/live/`` at the
pace of its timestamps while its metrics export and comment log grow (:class:`tests.live_web_support.RealTimeFeed`);
the web app queues a live job; the embedded worker (as ``mediaops serve`` starts it, consuming its default queues)
runs ``mediaops live``'s session with the real Whisper model; the page's JSON endpoint, and the page itself in a
real browser, show clips and alerts while the recorder is still writing, then the link to the review.

Wrong implementations these tests reject:
- a live task the default worker never takes (routed to a queue it does not consume): the job stays queued;
- clips or alerts that reach the page only when the stream or the job has ended (a task that runs the pipeline on
  the finished recording, or a page fed from ``timeline.json``); a clip announced before its file plays whole;
- a viewers curve read once (it must grow with the export), or alerts in the library's English on a Chinese page;
- a task that records no heartbeat while on air (the stage's message never changes until the end);
- a live job whose retrospective never becomes the normal stream page (no report, clips missing from the timeline);
- a cancel that marks the job but leaves the session running (``live-status.json`` still updated, the task never
  ends, or a timeline written anyway); a retry that forgets the source or the settings.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from mediaops.live.job import load_live_job
from mediaops.media.probe import probe
from tests.live_support import VIEWERS_DROP_S, LiveStream, make_live_stream
from tests.live_web_support import RealTimeFeed, live_folder
from tests.test_web_operator_browser import signed_in
from tests.web_support import add_user, login, make_app
from tests.workers_support import check_outputs, wait_until
from workers import state
from workers.embedded import EmbeddedWorker, start_embedded_worker

pytestmark = pytest.mark.slow

#: clip settings that fit a 90 s stream (as tests/test_live.py gives `mediaops live`)
OPTIONS = {"language": "en", "min_duration_s": 8, "max_duration_s": 20, "lang": "en"}


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> LiveStream:
    return make_live_stream(tmp_path_factory.mktemp("live-stream"), duration_s=90.0)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> Iterator[tuple[Any, EmbeddedWorker, str]]:
    from werkzeug.serving import make_server

    app = make_app(tmp_path_factory.mktemp("storage"), model=whisper_model)
    add_user(app, "op", "operator")
    worker = start_embedded_worker(app.extensions["mediaops_settings"], concurrency=2, wait_s=120)
    assert worker.alive(), worker.log_path.read_text()[-3000:]
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield app, worker, f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        worker.stop(timeout_s=30)


def _client(app):
    client = app.test_client()
    client.environ_base["HTTP_X_CSRF_TOKEN"] = login(client, "op")
    return client


def _job(app, job_id: str) -> dict:
    return state.get_job(state.engine_for(app.extensions["mediaops_settings"].database_url), job_id)


def test_a_live_stream_shows_clips_and_alerts_on_air_then_its_review(site, stream: LiveStream, browser,
                                                                      tmp_path: Path) -> None:
    app, worker, base = site
    folder = live_folder(app)
    feed = RealTimeFeed(stream, folder / "rec.ts", folder / "metrics.csv", folder / "comments.jsonl").start()
    op = _client(app)
    try:
        created = op.post("/api/live", json={"source": "rec.ts", "metrics_path": "metrics.csv",
                                             "comments_path": "comments.jsonl", "name": "周五晚场",
                                             "options": OPTIONS, "live": {"idle_s": 5}})
        assert created.status_code == 201, created.get_json()
        job_id = created.get_json()["id"]
        seen: list[tuple[float, dict, str]] = []  # (time, live state in Chinese, the stage's heartbeat)
        first_clip_file: dict[str, Any] = {}
        shown_on_air: dict[str, Any] = {}
        submitted = time.monotonic()
        deadline = submitted + 480
        while time.monotonic() < deadline:
            doc = op.get(f"/api/streams/{job_id}/live?lang=zh").get_json()
            if doc["status"] == "queued" and time.monotonic() - submitted > 60:
                pytest.fail(f"no worker took the live job: {worker.log_path.read_text()[-2000:]}")
            job = _job(app, job_id)
            seen.append((time.time(), doc, job["stages"][0]["message"] or ""))
            if doc["clips"] and not first_clip_file:  # fetched the moment it is announced: whole and playable
                clip = doc["clips"][0]
                response = op.get(clip["download_url"])
                assert response.status_code == 200 and response.headers["Content-Type"] == "video/mp4"
                (tmp_path / "clip.mp4").write_bytes(response.get_data())
                first_clip_file.update(clip=clip, info=probe(tmp_path / "clip.mp4"), at=time.time())
            if doc["clips"] and doc["alerts"] and not shown_on_air and doc["stage"] == "on_air":
                # the page itself, in a real browser, while the stream is still on air
                context, page = signed_in(browser, base, 390, 844)
                page.goto(f"{base}/streams/{job_id}/live?lang=zh")
                expect(page.locator(".live-clip").first).to_be_visible(timeout=15_000)
                expect(page.locator(".live-alert").first).to_be_visible(timeout=15_000)
                shown_on_air.update(at=time.time(), text=page.locator("#live-alerts").inner_text())
                page.screenshot(path=str(tmp_path / "on-air-zh-390.png"), full_page=True)
                context.close()
            if doc["status"] not in ("queued", "running"):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the live job did not end: {worker.log_path.read_text()[-3000:]}")
        feed.wait(60)
    finally:
        feed.stop()

    job = _job(app, job_id)
    assert job["status"] == "succeeded", (job["error"], worker.log_path.read_text()[-3000:])
    on_air = [(at, doc) for at, doc, _ in seen if doc["status"] == "running" and doc["stage"] == "on_air"]
    with_clip = next(at for at, doc in on_air if doc["clips"])
    with_alert = next(at for at, doc in on_air if doc["alerts"])
    assert feed.finished_at is not None
    assert with_clip < feed.finished_at and with_alert < feed.finished_at, "clips or alerts only after the stream"
    assert shown_on_air and shown_on_air["at"] < min(at for at, doc, _ in seen if doc["status"] == "succeeded")

    clip, info = first_clip_file["clip"], first_clip_file["info"]
    assert info.has_video and info.has_audio
    assert info.duration_s == pytest.approx(clip["end_s"] - clip["start_s"], abs=0.15)

    alerts = {a["kind"]: a for a in seen[-1][1]["alerts"]}
    assert {"viewers_drop", "dead_air"} <= set(alerts)
    assert alerts["viewers_drop"]["t_s"] == VIEWERS_DROP_S
    assert "在线人数" in alerts["viewers_drop"]["text"] and "→ 93" in alerts["viewers_drop"]["text"]
    assert "冷场" in alerts["dead_air"]["text"] and "no speech" not in alerts["dead_air"]["text"]

    curves = [len(doc["viewers"]["t_s"]) for _, doc in on_air if doc["viewers"]]
    assert curves[0] < curves[-1] and seen[-1][1]["viewers"]["values"][-1] == 93
    beats = {message for _, doc, message in seen if message.startswith("on air:")}
    assert len(beats) >= 3, beats  # the session's heartbeat, poll by poll

    # the end: the review, like any stream's, with the clips announced on air
    final = seen[-1][1]
    assert final["stage"] == "ended" and final["links"]["report"] == f"/streams/{job_id}"
    page = op.get(f"/streams/{job_id}?lang=zh")
    assert page.status_code == 200 and 'id="view-report"' in page.get_data(as_text=True)
    clips = check_outputs(job)
    assert [c["id"] for c in clips] == [c["id"] for c in final["clips"]]
    assert job["duration_s"] == pytest.approx(stream.duration_s, abs=0.5)
    timeline = json.loads((Path(job["out_dir"]) / "timeline.json").read_text("utf-8"))
    assert timeline["extras"]["live"]["events"] == "live.jsonl"
    print(f"\nfirst clip on the page {with_clip - feed.finished_at:+.0f} s, first alert "
          f"{with_alert - feed.finished_at:+.0f} s from the end of the recording; the review "
          f"{seen[-1][0] - feed.finished_at:.0f} s after it")


def test_a_live_job_is_cancelled_and_watched_again(site, stream: LiveStream) -> None:
    app, worker, _base = site
    folder = live_folder(app)
    feed = RealTimeFeed(stream, folder / "rec2.ts", folder / "metrics2.csv").start()
    op = _client(app)
    try:
        made = op.post("/live/new", data={"source": "rec2.ts", "metrics": "metrics2.csv", "name": "取消测试",
                                          "clips": "2", "min_duration_s": "8", "max_duration_s": "20",
                                          "idle_s": "7", "aspect": "16:9", "cut": "fast"})
        assert made.status_code == 302, made.get_data(as_text=True)
        job_id = made.headers["Location"].split("/")[-2]
        wait_until(lambda: op.get(f"/api/streams/{job_id}/live").get_json()["written_s"] > 4, 120,
                   "the session to see the stream")
        out = Path(_job(app, job_id)["out_dir"])
        cancelled = op.post(f"/streams/{job_id}/cancel", data={})
        assert cancelled.status_code == 302
        assert op.get(cancelled.headers["Location"]).headers["Location"].endswith(f"/streams/{job_id}/live")
        wait_until(lambda: f"mediaops.live[{job_id}.live] raised expected" in worker.log_path.read_text(), 60,
                   "the live task to stop")
        stopped = (out / "live-status.json").read_bytes()
        time.sleep(6)  # three polls' worth: nothing is watching any more
        assert (out / "live-status.json").read_bytes() == stopped
    finally:
        feed.stop()
    job = _job(app, job_id)
    assert job["status"] == "cancelled" and job["stages"][0]["status"] == "cancelled"
    assert not (out / "timeline.json").exists()
    doc = op.get(f"/api/streams/{job_id}/live?lang=zh").get_json()
    assert doc["stage"] == "cancelled" and doc["reason"].startswith("监看已停止")

    again = op.post(f"/streams/{job_id}/live/retry", data={})
    assert again.status_code == 302
    new_id = again.headers["Location"].split("/")[-2]
    assert new_id != job_id
    old_spec, new_spec = load_live_job(Path(job["job_dir"])), load_live_job(Path(_job(app, new_id)["job_dir"]))
    assert (new_spec.source, new_spec.inputs, new_spec.options, new_spec.live) == (
        old_spec.source, old_spec.inputs, old_spec.options, old_spec.live)
    assert new_spec.live.idle_s == 7 and new_spec.options.render.cut == "fast"
    assert _job(app, new_id)["options"] == job["options"]
    assert op.post(f"/api/streams/{new_id}/cancel").get_json()["cancelled"] is True
