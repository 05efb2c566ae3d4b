"""Jobs between users, against the real app and a real embedded worker (real Whisper base model):

- a job made from the same bytes as another user's upload publishes its own file names only: the content cache
  is shared (the transcript is reused), the names are not (timeline.json, report.md, report.html and every
  other text output);
- a re-run belongs to whoever ran it;
- the ``model`` option takes only the models the administrator allowed, refusing everything else with one
  message whether or not such a folder exists on the server;
- a worker never downloads a model at job time unless the administrator allowed downloads.

Wrong implementations these reject: keying only the transcript per owner (the probe's path and the metrics
warnings still come from the other user's job); re-stamping only ``recording.path`` (the metrics file name in
the warnings and ``metrics.source`` still leak); a re-run copying the first job's owner; a model check that
tests the folder (``exists`` / ``model.bin``) before the allow-list; ``local_files_only`` without an offline
worker (or the reverse) when the allow-list contains a downloadable name.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.web_support import FAST_HASH, add_token
from tests.workers_support import cut_stream, wait_until
from web import create_app
from workers.config import Settings

pytestmark = pytest.mark.slow

TEXT_SUFFIXES = {".json", ".md", ".html", ".csv", ".srt", ".vtt", ".txt", ".edl", ".fcpxml", ".xml", ".ass"}
ALICE = "alice-secret-launch"
BOB = "bob-stream"


class FakeHub:
    """A stand-in for the Hugging Face Hub (``HF_ENDPOINT``) that counts the requests a worker makes."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hub.requests.append(self.path)
                self.send_error(404)

            do_HEAD = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHub]:
    hub = FakeHub()
    yield hub
    hub.close()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, whisper_model: str, hub: FakeHub):
    """The app (model allow-list: the test model and ``tiny``, downloads off) with users alice and bob, a worker
    whose Hugging Face endpoint is the fake hub and whose model cache is empty, and the two users' copies of one
    60 s stream (same bytes, their own names)."""
    from workers.embedded import start_embedded_worker

    root = tmp_path_factory.mktemp("jobsec")
    alice_rec = cut_stream(root / "alice", ALICE, 10.0, 60.0)
    (root / "bob").mkdir()
    for suffix in (".mp4", ".metrics.csv", ".comments.jsonl", ".products.csv"):
        shutil.copyfile(root / "alice" / f"{ALICE}{suffix}", root / "bob" / f"{BOB}{suffix}")
    settings = Settings.from_env({}, storage_root=root / "storage", model=whisper_model,
                                 allowed_models=("tiny",))
    assert settings.allowed_models == (whisper_model, "tiny") and not settings.allow_model_download
    app = create_app({"MEDIAOPS_SETTINGS": settings, "TESTING": True, "PASSWORD_HASH_METHOD": FAST_HASH})
    tokens = {name: add_token(app, name, "operator") for name in ("alice", "bob")}
    patch = pytest.MonkeyPatch()
    patch.setenv("HF_ENDPOINT", hub.url)
    patch.setenv("HF_HOME", str(root / "hf-home"))  # no model cached there: "tiny" can only come by download
    patch.delenv("HF_HUB_OFFLINE", raising=False)
    worker = start_embedded_worker(settings, concurrency=2, wait_s=120)
    patch.undo()
    assert worker.alive(), worker.log_path.read_text()[-3000:]
    try:
        yield {"app": app, "client": app.test_client(), "tokens": tokens, "settings": settings, "root": root,
               "alice": alice_rec.parent, "bob": root / "bob", "worker": worker, "jobs": {}}
    finally:
        worker.stop()


def auth(env, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {env['tokens'][user]}"}


def create_job(env, user: str, folder: Path, stem: str, options: dict | None = None):
    files = {"recording": f"{stem}.mp4", "metrics": f"{stem}.metrics.csv", "comments": f"{stem}.comments.jsonl",
             "products": f"{stem}.products.csv"}
    handles = {kind: (folder / name).open("rb") for kind, name in files.items()}
    try:
        return env["client"].post("/api/jobs", headers=auth(env, user), content_type="multipart/form-data", data={
            **{kind: (handle, files[kind]) for kind, handle in handles.items()},
            "name": stem, "options": json.dumps(options or {"clips": 2})})
    finally:
        for handle in handles.values():
            handle.close()


def wait_for(env, job_id: str, timeout_s: float = 420) -> dict:
    from workers.jobs import get_job

    def ended():
        job = get_job(env["settings"], job_id)
        return job if job["status"] in ("succeeded", "failed", "cancelled") else None

    try:
        return wait_until(ended, timeout_s, f"job {job_id} to end", interval_s=0.5)
    except AssertionError:
        raise AssertionError(env["worker"].log_path.read_text()[-4000:]) from None


def texts_of(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text("utf-8", errors="replace")
            for p in folder.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES}


def test_same_bytes_as_another_users_upload_publish_only_their_own_names(env):
    client = env["client"]
    alice = create_job(env, "alice", env["alice"], ALICE)
    assert alice.status_code == 201, alice.json
    first = wait_for(env, alice.json["id"])
    assert first["status"] == "succeeded", first["error"]
    env["jobs"]["alice"] = first["id"]
    alice_upload_dirs = {str(Path(first[k]).parent) for k in ("recording", "metrics", "comments", "products")}

    bob = create_job(env, "bob", env["bob"], BOB)
    assert bob.status_code == 201, bob.json
    job = wait_for(env, bob.json["id"])
    assert job["status"] == "succeeded", job["error"]
    assert job["owner"] == "bob"
    # the expensive results are still shared: bob's job reused alice's transcript (and scenes, clips)
    seconds = {j["id"]: {s["name"]: s["seconds"] for s in j["stages"]} for j in (first, job)}
    assert seconds[job["id"]]["transcribe"] < seconds[first["id"]]["transcribe"] / 3, seconds

    timeline = client.get(f"/api/streams/{job['id']}/timeline", headers=auth(env, "bob"))
    report_md = client.get(f"/api/streams/{job['id']}/report.md", headers=auth(env, "bob"))
    assert timeline.status_code == 200 and report_md.status_code == 200
    doc = timeline.json
    assert Path(doc["recording"]["path"]).name == f"{BOB}.mp4"
    assert Path(doc["recording"]["path"]) == Path(job["recording"])
    assert Path(doc["metrics"]["source"]).name == f"{BOB}.metrics.csv"
    assert f"{BOB}.mp4" in report_md.get_data(as_text=True)
    outputs = texts_of(Path(job["out_dir"]))
    assert {"timeline.json", "report.md", "report.html"} <= set(outputs)
    assert BOB in outputs["report.html"]
    for name, text in {**outputs, "api timeline": timeline.get_data(as_text=True),
                       "api report.md": report_md.get_data(as_text=True)}.items():
        assert ALICE not in text, f"{name} names alice's file"
        for folder in alice_upload_dirs:
            assert folder not in text, f"{name} shows alice's server path {folder}"
    # and alice's own results still name hers
    assert ALICE in Path(first["out_dir"], "report.md").read_text("utf-8")


def test_a_rerun_belongs_to_whoever_ran_it(env):
    from workers.jobs import cancel_job, get_job, rerun_job

    alice_job = env["jobs"].get("alice")
    if alice_job is None:
        pytest.skip("needs the first test's job")
    rerun = env["client"].post(f"/api/streams/{alice_job}/rerun", headers=auth(env, "bob"),
                               json={"options": {"clips": 1}})
    assert rerun.status_code == 202, rerun.json
    job = get_job(env["settings"], rerun.json["id"])
    assert job["owner"] == "bob" and job["options"]["clips"] == 1
    assert env["client"].get(f"/api/streams/{job['id']}", headers=auth(env, "bob")).json["owner"] == "bob"
    cancel_job(env["settings"], job["id"])
    # the job system never hands a re-run to the first job's owner on its own
    other = rerun_job(env["settings"], alice_job, {"clips": 1})
    assert get_job(env["settings"], other)["owner"] is None
    cancel_job(env["settings"], other)
    third = rerun_job(env["settings"], alice_job, {}, owner="carol")
    assert get_job(env["settings"], third)["owner"] == "carol"
    cancel_job(env["settings"], third)


def test_the_model_option_takes_only_allowed_models_with_one_error(env, whisper_model: str):
    from workers.jobs import JobOptionsError, submit_job

    no_weights = env["root"] / "not-a-model"
    no_weights.mkdir()
    fake_model = env["root"] / "fake-model"
    fake_model.mkdir()
    (fake_model / "model.bin").write_bytes(b"\0" * 64)  # looks like a model folder: still not allowed
    refused = [str(no_weights), str(fake_model), str(env["root"] / "missing-folder"), "/etc", "/nonexistent",
               "/root", str(Path(whisper_model).parent), whisper_model + "/..", "Systran/faster-whisper-large-v3",
               "small", "tiny/../../etc", "", 7, None]
    errors = set()
    for value in refused:
        response = create_job(env, "alice", env["alice"], ALICE, {"model": value})
        assert response.status_code == 400, (value, response.json)
        errors.add(response.json["error"])
        with pytest.raises(JobOptionsError) as caught:
            submit_job(env["settings"], env["alice"] / f"{ALICE}.mp4", env["alice"] / f"{ALICE}.metrics.csv",
                       options={"model": value})
        errors.add(str(caught.value))
    if "alice" in env["jobs"]:
        rerun = env["client"].post(f"/api/streams/{env['jobs']['alice']}/rerun", headers=auth(env, "alice"),
                                   json={"options": {"model": "/etc"}})
        assert rerun.status_code == 400
        errors.add(rerun.json["error"])
    assert len(errors) == 1, errors  # whether a folder exists, has weights or not: one answer
    (error,) = errors
    assert "model" in error and "/" not in error  # it lists the allowed names, never a server path
    assert Path(whisper_model).name in error and "tiny" in error
    # an allowed model is chosen by its name (a folder by its folder name)
    accepted = create_job(env, "alice", env["alice"], ALICE, {"model": Path(whisper_model).name})
    assert accepted.status_code == 201, accepted.json
    from workers.jobs import cancel_job

    cancel_job(env["settings"], accepted.json["id"])


def test_a_worker_never_downloads_a_model_unless_allowed(env, hub: FakeHub):
    """``tiny`` is allowed but not on the machine, and downloads are off: the job fails with a reason and the
    worker asks the (fake) hub nothing."""
    created = create_job(env, "alice", env["alice"], ALICE, {"model": "tiny"})
    assert created.status_code == 201, created.json
    job = wait_for(env, created.json["id"], timeout_s=300)
    assert job["status"] == "failed", job
    assert "tiny" in job["error"] and "not on this machine" in job["error"], job["error"]
    time.sleep(1.0)
    assert hub.requests == [], f"the worker tried to download: {hub.requests[:5]}"
    assert not any((env["root"] / "hf-home").rglob("*.bin"))
