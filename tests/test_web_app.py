"""The web app without a worker: sign-in, roles, CSRF, cookies, tokens, the tus upload protocol, file safety."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import SAMPLE
from tests.web_support import PASSWORD, add_token, add_user, csrf_of, login, make_app
from web.models import ApiToken, Upload, utcnow
from web.uploads import expire_uploads, safe_filename

TUS = {"Tus-Resumable": "1.0.0"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def app(tmp_path: Path):
    app = make_app(tmp_path / "storage", MAX_UPLOAD_BYTES=1_000_000, UPLOAD_EXPIRY_S=3600)
    add_user(app, "admin", "admin")
    add_user(app, "op", "operator")
    add_user(app, "viewer", "viewer")
    return app


def create_upload(client, length: int, filename: str = "metrics.csv", kind: str = "metrics", **extra):
    metadata = f"filename {b64(filename)},kind {b64(kind)}" + "".join(f",{k} {b64(v)}" for k, v in extra.items())
    return client.post("/api/uploads", headers=TUS | {"Upload-Length": str(length), "Upload-Metadata": metadata})


def patch(client, url: str, offset: int, body: bytes, checksum: str | None = None, **headers):
    sent = TUS | {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"} | headers
    if checksum:
        sent["Upload-Checksum"] = checksum
    return client.patch(url, data=body, headers=sent)


def sha1_header(body: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(body).digest()).decode()


def settled(client, url: str, timeout_s: float = 10.0) -> dict:
    """The upload's state once its whole-file check (a background thread) is over."""
    deadline = time.monotonic() + timeout_s
    while (state := client.get(url).json)["status"] == "verifying":
        assert time.monotonic() < deadline, "the whole-file sha256 check never finished"
        time.sleep(0.02)
    return state


# ---- accounts -------------------------------------------------------------------------------------------------

def test_pages_need_sign_in_and_login_sets_a_safe_cookie(app):
    client = app.test_client()
    assert client.get("/").status_code == 302
    assert client.get("/api/streams").status_code == 401
    bad = client.post("/login", data={"username": "op", "password": "wrong", "csrf_token": csrf_of(client)})
    assert bad.status_code == 401
    assert "用户名或密码错误" in bad.get_data(as_text=True)
    token = csrf_of(client)
    ok = client.post("/login?next=//evil.example/x", data={"username": "op", "password": PASSWORD,
                                                          "csrf_token": token})
    assert ok.status_code == 302 and ok.headers["Location"] == "/"  # no open redirect
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200


def test_secure_cookie_is_configurable(tmp_path):
    app = make_app(tmp_path / "s", SESSION_COOKIE_SECURE=True)
    add_user(app, "op", "operator")
    client = app.test_client()
    token = csrf_of(client)
    response = client.post("/login", data={"username": "op", "password": PASSWORD, "csrf_token": token})
    assert "Secure" in response.headers["Set-Cookie"]


def test_passwords_and_tokens_are_hashed_at_rest(app):
    secret = add_token(app, "scripter", "viewer")
    with app.extensions["mediaops_db"]() as session:
        stored = session.scalars(select(ApiToken)).all()
        from web.models import User

        users = session.scalars(select(User)).all()
    assert all(secret not in (t.token_hash + t.prefix) for t in stored)
    assert all(PASSWORD not in u.password_hash for u in users)
    client = app.test_client()
    assert client.get("/api/streams", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert client.get("/api/streams", headers={"Authorization": "Bearer mo_wrong"}).status_code == 401


def test_forms_without_csrf_token_are_refused(app):
    client = app.test_client()
    login(client, "admin")
    response = client.post("/admin/users", data={"action": "add", "username": "x", "password": "12345678",
                                                 "role": "viewer"})
    assert response.status_code == 400
    json_post = client.post("/api/jobs", json={})
    assert json_post.status_code == 400 and "CSRF" in json_post.json["error"]


def test_roles(app):
    viewer = app.test_client()
    token = login(viewer, "viewer")
    assert viewer.get("/").status_code == 200
    assert viewer.get("/upload").status_code == 403
    assert viewer.get("/admin/users").status_code == 403
    refused = viewer.post("/api/uploads", headers=TUS | {"Upload-Length": "3", "X-CSRF-Token": token})
    assert refused.status_code == 403 and "operator" in refused.json["error"]
    admin = app.test_client()
    admin_csrf = login(admin, "admin")
    added = admin.post("/admin/users", data={"action": "add", "username": "新人", "password": "longenough",
                                             "role": "operator", "csrf_token": admin_csrf})
    assert added.status_code == 302
    assert "新人" in admin.get("/admin/users").get_data(as_text=True)


def test_token_page_shows_the_secret_once(app):
    client = app.test_client()
    token = login(client, "viewer")
    page = client.post("/account/tokens", data={"name": "review script", "csrf_token": token}).get_data(as_text=True)
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("mo_")
    assert secret not in client.get("/account/tokens").get_data(as_text=True)
    assert app.test_client().get("/api/streams", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_english_ui_on_request(app):
    client = app.test_client()
    login(client, "op")
    assert "直播列表" in client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en")
    assert "Streams" in english.get_data(as_text=True)
    assert "Streams" in client.get("/").get_data(as_text=True)  # the choice sticks (cookie)


# ---- tus uploads ------------------------------------------------------------------------------------------------

def test_tus_options_advertise_the_protocol(op):
    response = op.options("/api/uploads")
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert {"creation", "checksum", "termination", "expiration"} <= set(response.headers["Tus-Extension"].split(","))
    assert "sha256" in response.headers["Tus-Checksum-Algorithm"]


def test_upload_in_chunks_with_checksums_and_whole_file_sha256(op, app):
    data = (SAMPLE / "metrics.csv").read_bytes()
    created = create_upload(op, len(data), sha256=hashlib.sha256(data).hexdigest())
    assert created.status_code == 201, created.json
    url = created.headers["Location"]
    first, second = data[:100], data[100:]
    assert patch(op, url, 0, first, sha1_header(first)).headers["Upload-Offset"] == "100"
    assert op.head(url).headers["Upload-Offset"] == "100"
    done = patch(op, url, 100, second, "sha256 " + base64.b64encode(hashlib.sha256(second).digest()).decode())
    assert done.status_code == 204
    state = settled(op, url)
    assert state["status"] == "complete" and state["offset"] == len(data)
    stored = app.extensions["mediaops_settings"].storage_root / "uploads" / state["id"] / "metrics.csv"
    assert stored.read_bytes() == data


def test_bad_chunk_checksum_is_discarded(op):
    created = create_upload(op, 10)
    url = created.headers["Location"]
    response = patch(op, url, 0, b"hello", sha1_header(b"HELLO"))
    assert response.status_code == 460
    assert op.head(url).headers["Upload-Offset"] == "0"
    assert patch(op, url, 0, b"hello", sha1_header(b"hello")).status_code == 204


def test_whole_file_sha256_mismatch_fails_the_upload_and_deletes_its_bytes(op, app):
    created = create_upload(op, 5, sha256="0" * 64)
    url = created.headers["Location"]
    assert patch(op, url, 0, b"hello").status_code == 204
    state = settled(op, url)
    assert state["status"] == "failed" and "sha256" in state["error"]
    assert op.head(url).status_code == 410  # not 200 with the full offset: a tus client must not call it done
    assert not (app.extensions["mediaops_settings"].storage_root / "uploads" / state["id"]).exists()
    refused = op.post("/api/jobs", json={"recording": state["id"], "metrics": state["id"]})
    assert refused.status_code == 409 and "sha256" in refused.json["error"]


@pytest.fixture
def held_sha256(monkeypatch):
    """Holds every whole-file sha256 computation until the test sets the returned event."""
    import web.uploads

    gate = threading.Event()
    real = web.uploads._sha256_of

    def held(path: Path) -> str:
        assert gate.wait(10), "the test never released the sha256 check"
        return real(path)

    monkeypatch.setattr(web.uploads, "_sha256_of", held)
    yield gate
    gate.set()


def test_the_last_chunk_does_not_wait_for_the_whole_file_hash(op, held_sha256):
    """The request that brings the last byte answers at once; the whole file is hashed beside it.

    Wrong implementations this rejects: hashing the file inside the last PATCH (it would answer only after the
    held hash, as ``complete``); taking a still-unverified upload as a job's input.
    """
    data = b"time,orders\n0,1\n"
    created = create_upload(op, len(data), sha256=hashlib.sha256(data).hexdigest())
    url = created.headers["Location"]
    assert patch(op, url, 0, data).status_code == 204
    assert op.get(url).json["status"] == "verifying"
    upload_id = url.rsplit("/", 1)[1]
    early = op.post("/api/jobs", json={"recording": upload_id, "metrics": upload_id})
    assert early.status_code == 409 and "still being checked" in early.json["error"]
    held_sha256.set()
    assert settled(op, url)["status"] == "complete"


def test_an_upload_deleted_while_verifying_stays_deleted(op, app, monkeypatch):
    """A DELETE that comes while the file is hashed wins: the check, finishing after it, brings nothing back.

    Wrong implementation this rejects: writing the check's result onto the row whatever happened meanwhile.
    """
    import web.uploads

    data = b"time,orders\n0,1\n"
    digest = hashlib.sha256(data).hexdigest()
    hashing, gate = threading.Event(), threading.Event()

    def hashed_before_the_delete(path: Path) -> str:  # the file was read whole; the result is not written yet
        hashing.set()
        assert gate.wait(10)
        return digest

    monkeypatch.setattr(web.uploads, "_sha256_of", hashed_before_the_delete)
    created = create_upload(op, len(data), sha256=digest)
    url = created.headers["Location"]
    assert patch(op, url, 0, data).status_code == 204
    assert hashing.wait(10)
    assert op.delete(url).status_code == 204
    gate.set()
    app.extensions["mediaops_upload_verifier"].shutdown(wait=True)  # the check has run to its end
    assert op.get(url).status_code == 404
    with app.extensions["mediaops_db"]() as session:
        assert session.scalars(select(Upload)).all() == []


def test_dropped_connection_keeps_what_arrived_and_resumes(op):
    created = create_upload(op, 10)
    url = created.headers["Location"]
    # the body stops after 4 of the 10 announced bytes, as when the network drops mid-request
    environ = {"CONTENT_LENGTH": "10"}
    response = op.patch(url, data=b"0123", headers=TUS | {"Upload-Offset": "0",
                                                          "Content-Type": "application/offset+octet-stream"},
                        environ_overrides=environ)
    assert response.status_code == 204
    offset = int(op.head(url).headers["Upload-Offset"])
    assert offset == 4
    assert patch(op, url, offset, b"456789").status_code == 204
    assert op.get(url).json["status"] == "complete"


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        pytest.param({"Content-Type": "text/plain"}, b"abc", 415, id="wrong-content-type"),
        pytest.param({"Upload-Offset": "2"}, b"abc", 409, id="wrong-offset"),
        pytest.param({}, b"x" * 11, 413, id="past-declared-length"),
        pytest.param({"Upload-Checksum": "crc32 AAAA"}, b"abc", 400, id="unknown-checksum"),
        pytest.param({"Tus-Resumable": "0.2.2"}, b"abc", 412, id="wrong-tus-version"),
    ],
)
def test_hostile_patches_are_refused(op, headers, body, status):
    url = create_upload(op, 10).headers["Location"]
    sent = TUS | {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"} | headers
    response = op.patch(url, data=body, headers=sent)
    assert response.status_code == status
    assert response.json["error"]
    assert op.head(url).headers["Upload-Offset"] == "0"


def test_oversized_and_odd_uploads_are_refused(op):
    assert create_upload(op, 1_000_001).status_code == 413  # limit is 1 MB in this app
    assert create_upload(op, 0).status_code == 400
    wrong_kind = create_upload(op, 10, filename="evil.exe", kind="recording")
    assert wrong_kind.status_code == 415 and "recording" in wrong_kind.json["error"]
    no_length = op.post("/api/uploads", headers=TUS)
    assert no_length.status_code == 400


def test_traversal_in_file_names_stays_inside(op, app):
    created = create_upload(op, 3, filename="../../../etc/passwd.csv")
    url = created.headers["Location"]
    patch(op, url, 0, b"a,b")
    state = op.get(url).json
    assert state["filename"] == "passwd.csv"
    root = app.extensions["mediaops_settings"].storage_root
    assert (root / "uploads" / state["id"] / "passwd.csv").is_file()
    assert safe_filename("..\\..\\x.mp4") == "x.mp4"
    assert safe_filename("直播回放 2026.mp4") == "直播回放 2026.mp4"
    assert op.head("/api/uploads/../../secret").status_code == 404


def test_other_users_uploads_are_invisible(op, app):
    url = create_upload(op, 3).headers["Location"]
    add_user(app, "op2", "operator")
    other = app.test_client()
    login(other, "op2")
    assert other.head(url).status_code == 404


def test_abandoned_uploads_expire(op, app):
    url = create_upload(op, 10).headers["Location"]
    patch(op, url, 0, b"12345")
    upload_id = url.rsplit("/", 1)[1]
    root = app.extensions["mediaops_settings"].storage_root / "uploads"
    assert (root / upload_id).is_dir()
    with app.extensions["mediaops_db"]() as session:
        assert expire_uploads(session, root, 3600) == 0
        session.get(Upload, upload_id).updated_at = utcnow() - timedelta(hours=2)
        session.commit()
        assert expire_uploads(session, root, 3600) == 1
    assert not (root / upload_id).exists()
    assert op.head(url).status_code == 404


def test_termination(op):
    url = create_upload(op, 10).headers["Location"]
    assert op.delete(url, headers=TUS).status_code == 204
    assert op.head(url).status_code == 404


def test_incomplete_upload_cannot_become_a_job(op):
    metrics = create_upload(op, 10).headers["Location"].rsplit("/", 1)[1]
    recording = create_upload(op, 10, filename="a.mp4", kind="recording").headers["Location"].rsplit("/", 1)[1]
    response = op.post("/api/jobs", json={"recording": recording, "metrics": metrics})
    assert response.status_code == 409 and "not complete" in response.json["error"]


# ---- files ------------------------------------------------------------------------------------------------------

def test_files_outside_the_storage_root_are_never_served(op, app, tmp_path):
    from workers import jobs

    settings = app.extensions["mediaops_settings"]
    inputs = settings.storage_root / "inputs"
    inputs.mkdir(parents=True)
    recording, metrics = inputs / "demo.mp4", inputs / "metrics.csv"
    recording.write_bytes((SAMPLE / "demo_stream.mp4").read_bytes())
    metrics.write_bytes((SAMPLE / "metrics.csv").read_bytes())
    job_id = jobs.submit_job(settings, recording, metrics, name="queued only")
    job = jobs.get_job(settings, job_id)
    assert op.get(f"/api/streams/{job_id}/timeline").status_code == 409  # queued: no results yet
    out = Path(job["out_dir"])
    out.mkdir(parents=True)
    (out / "ok.txt").write_text("fine")
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (out / "escape.txt").symlink_to(secret)
    (out / "escape_dir").symlink_to(tmp_path)
    assert op.get(f"/files/{job_id}/ok.txt").get_data(as_text=True) == "fine"
    for hostile in ("escape.txt", "escape_dir/secret.txt", "../../../../secret.txt", "%2e%2e/%2e%2e/mediaops.sqlite",
                    "..%2f..%2fmediaops.sqlite", "/etc/passwd"):
        response = op.get(f"/files/{job_id}/{hostile}")
        # "//etc/passwd" is merged by the router into a redirect to a path inside the job (then 404)
        assert response.status_code in (404, 308), hostile
        assert b"top secret" not in response.data
    # the player's recording is served (with Range support) because it lies inside the storage root
    ranged = op.get(f"/streams/{job_id}/recording", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.data) == 100
    assert op.get("/files/not-a-job/ok.txt").status_code == 404
    assert op.get("/streams/..%2f..%2fetc/recording").status_code == 404


def test_user_add_command(tmp_path, monkeypatch, capsys):
    import io

    from mediaops.cli import main

    monkeypatch.setenv("MEDIAOPS_STORAGE", str(tmp_path / "fresh" / "storage"))
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["user", "add", "chen", "--role", "viewer", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["user", "add", "chen", "--password-stdin"]) == 2  # taken: one line, no traceback
    assert "exists already" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "li", "--password-stdin"]) == 2
    app = make_app(tmp_path / "fresh" / "storage")
    client = app.test_client()
    token = csrf_of(client)
    signed_in = client.post("/login", data={"username": "chen", "password": "a-long-password", "csrf_token": token})
    assert signed_in.status_code == 302


def test_admin_changes_roles_but_not_their_own(app):
    from web.models import User

    admin = app.test_client()
    token = login(admin, "admin")
    with app.extensions["mediaops_db"]() as session:
        ids = {u.username: u.id for u in session.scalars(select(User))}
    promoted = admin.post("/admin/users", data={"action": "update", "user_id": ids["viewer"], "role": "operator",
                                                "active": "on", "csrf_token": token})
    assert promoted.status_code == 302
    admin.post("/admin/users", data={"action": "update", "user_id": ids["admin"], "role": "viewer",
                                     "csrf_token": token})
    with app.extensions["mediaops_db"]() as session:
        roles = {u.username: u.role for u in session.scalars(select(User))}
    assert roles["viewer"] == "operator" and roles["admin"] == "admin"
    disabled = admin.post("/admin/users", data={"action": "update", "user_id": ids["op"], "role": "operator",
                                                "csrf_token": token})
    assert disabled.status_code == 302
    op = app.test_client()
    response = op.post("/login", data={"username": "op", "password": PASSWORD, "csrf_token": csrf_of(op)})
    assert response.status_code == 401  # deactivated accounts cannot sign in


def test_rerun_form_reads_every_setting(app):
    from web.streams import _form_options

    form = {"clips": "4", "min_duration_s": "10", "max_duration_s": "45", "aspect": "9:16", "cut": "fast",
            "captions": "on"}
    with app.test_request_context("/streams/x/rerun", method="POST", data=form):
        assert _form_options() == {"clips": 4, "min_duration_s": 10.0, "max_duration_s": 45.0, "aspect": "9:16",
                                   "cut": "fast", "captions": True}
    with app.test_request_context("/streams/x/rerun", method="POST", data={"cut": "slow"}), \
            pytest.raises(Exception, match="cut"):
        _form_options()
