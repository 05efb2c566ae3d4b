"""Sign-in and session security against the real app: login throttling with Retry-After, equal work for unknown
names, password change and reset (page, admin, real CLI), server-side sessions that a copied cookie cannot
outlive, session lifetime settings, and 401 (not a CSRF error) for API calls without credentials."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.conftest import REPO
from tests.web_support import FAST_HASH, PASSWORD, add_user, csrf_of, login, make_app

NEW_PASSWORD = "a-brand-new-pass"


@pytest.fixture
def app(tmp_path: Path):
    app = make_app(tmp_path / "storage")
    add_user(app, "admin", "admin")
    add_user(app, "op", "operator")
    add_user(app, "viewer", "viewer")
    return app


class Clock:
    """The throttle's idea of now, moved by hand (no test sleeps through a backoff)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(tzinfo=None)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("web.throttle.utcnow", clock)
    return clock


def try_login(client, username: str, password: str, **headers):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(client)},
                       headers=headers)


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    """A second browser holding a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def user_id(app, username: str) -> int:
    from web.models import User

    with app.extensions["mediaops_db"]() as db:
        return db.scalar(select(User.id).where(User.username == username))


# ---- throttling -------------------------------------------------------------------------------------------------

def test_failed_sign_ins_slow_down_per_account_with_retry_after(app, clock):
    """Five free failures, then each try must wait 1, 2, 4 … s; early tries get 429 with Retry-After, in the page's
    language or as JSON; a correct password after the wait works and resets the count.

    Wrong implementations this rejects: no limit at all (main: 50 guesses in 10.6 s); a lock without Retry-After;
    a lock that still checks the password (the early try with the right password must not get in); a lock only
    for existing names (it would tell which accounts exist); a counter kept in process memory only (each gunicorn
    worker would allow its own five).
    """
    client = app.test_client()
    for _ in range(5):
        assert try_login(client, "op", "wrong-password").status_code == 401
    early = try_login(client, "op", PASSWORD)  # the right password, too early: still refused
    assert early.status_code == 429 and early.headers["Retry-After"] == "1"
    assert "登录失败次数过多" in early.get_data(as_text=True) and "1 秒" in early.get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert "try again in 1 s" in try_login(client, "op", PASSWORD).get_data(as_text=True)
    as_json = try_login(client, "op", PASSWORD, Accept="application/json")
    assert as_json.status_code == 429 and as_json.json["status"] == 429 and as_json.json["retry_after_s"] == 1
    assert as_json.headers["Retry-After"] == "1"
    for wait_s in (1, 2, 4):
        clock.advance(wait_s / 2)
        assert try_login(client, "op", "wrong-password").status_code == 429  # halfway: not yet
        clock.advance(wait_s / 2)
        assert try_login(client, "op", "wrong-password").status_code == 401  # on time: tried (and wrong)
        assert try_login(client, "op", "wrong-password").headers["Retry-After"] == str(2 * wait_s)
    # the lock is the account's, whichever address asks; an unknown name is treated exactly alike
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert try_login(elsewhere, "op", PASSWORD).status_code == 429
    for _ in range(5):
        assert try_login(elsewhere, "ghost", "wrong-password").status_code == 401
    assert try_login(elsewhere, "ghost", "wrong-password").status_code == 429
    clock.advance(8)
    assert try_login(client, "op", PASSWORD).status_code == 302
    fresh = app.test_client()
    for _ in range(5):  # a success forgets the account's failures
        assert try_login(fresh, "op", "wrong-password").status_code == 401


def test_the_count_is_shared_by_every_process(tmp_path, clock):
    """Two apps on one database (two gunicorn workers): failures spread over both still add up."""
    first, second = make_app(tmp_path / "storage"), make_app(tmp_path / "storage")
    add_user(first, "op", "operator")
    for app in (first, second, first, second, first):
        assert try_login(app.test_client(), "op", "wrong-password").status_code == 401
    assert try_login(second.test_client(), "op", PASSWORD).status_code == 429


def test_one_address_spraying_many_names_is_slowed_down(app, clock):
    """Twenty failures from one address, over any names, then that address waits; other addresses do not."""
    sprayer = app.test_client()
    sprayer.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    for n in range(20):
        assert try_login(sprayer, f"name{n}", "wrong-password").status_code == 401
    blocked = try_login(sprayer, "op", PASSWORD)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    neighbour = app.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "203.0.113.6"
    assert try_login(neighbour, "op", PASSWORD).status_code == 302


def test_parallel_guesses_are_held_to_the_same_pace(app):
    """A burst of simultaneous guesses gets no more tries than a sequence would: attempts are counted before
    their password is checked, with a compare-and-set in the shared table (a check-then-count would let the
    whole burst through)."""
    outcomes: list[int] = []
    barrier = threading.Barrier(12)

    def guess(n: int) -> None:
        client = app.test_client()
        token = csrf_of(client)
        barrier.wait()
        response = client.post("/login", data={"username": "viewer", "password": f"guess-{n}", "csrf_token": token})
        outcomes.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(outcomes)) == [401, 429]
    assert outcomes.count(401) <= 5


# ---- equal work for unknown names -------------------------------------------------------------------------------

def _spy_on_hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import web.auth

    checked: list[str] = []
    real = web.auth.check_password_hash

    def spy(stored: str, password: str) -> bool:
        checked.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(web.auth, "check_password_hash", spy)
    return checked


def test_unknown_names_are_checked_against_the_same_kind_of_hash(tmp_path, monkeypatch):
    """One password check per attempt, known or unknown name, against a hash of the same method and cost.

    Wrong implementations this rejects: returning early for unknown names; a stand-in hash cached for the whole
    process (main's functools.cache) that was made under another app's configuration; a fixed cheap stand-in.
    """
    other = make_app(tmp_path / "other", PASSWORD_HASH_METHOD="pbkdf2:sha256:2000")
    try_login(other.test_client(), "nobody", "whatever")  # another configuration asks first
    method = "pbkdf2:sha256:1234"
    app = make_app(tmp_path / "storage", PASSWORD_HASH_METHOD=method)
    add_user(app, "op", "operator")
    checked = _spy_on_hash_checks(monkeypatch)
    client = app.test_client()
    assert try_login(client, "op", "wrong-password").status_code == 401
    assert try_login(client, "nobody", "wrong-password").status_code == 401
    assert checked == [method, method]


def test_a_hash_of_another_cost_is_upgraded_at_sign_in(app):
    """A user whose hash was made another way (older default, CLI) gets the configured one at the next sign-in,
    so that known and unknown names cost the same from then on."""
    from web.auth import create_user
    from web.models import User

    with app.extensions["mediaops_db"]() as db:
        create_user(db, "old-timer", PASSWORD, "viewer", "pbkdf2:sha256:1100")
    login(app.test_client(), "old-timer")
    with app.extensions["mediaops_db"]() as db:
        stored = db.scalar(select(User.password_hash).where(User.username == "old-timer"))
    assert stored.startswith(FAST_HASH + "$")


def test_unknown_names_take_as_long_as_known_ones(tmp_path):
    """Medians of 15 alternating wrong sign-ins for an existing and an unknown name agree within 0.7–1.4 (a hash
    of real cost makes the difference main showed, 155 vs 202 ms, stand out from a busy machine's noise)."""
    cheap = make_app(tmp_path / "cheap")
    try_login(cheap.test_client(), "nobody", "whatever")  # a stand-in made under another configuration
    app = make_app(tmp_path / "storage", PASSWORD_HASH_METHOD="pbkdf2:sha256:120000", LOGIN_FREE_FAILURES=1000,
                   LOGIN_FREE_FAILURES_PER_ADDRESS=1000)
    add_user(app, "op", "operator")
    client = app.test_client()
    token = csrf_of(client)
    times: dict[str, list[float]] = {"op": [], "nobody-here": []}
    for _ in range(15):
        for name, spent in times.items():
            start = time.perf_counter()
            response = client.post("/login", data={"username": name, "password": "wrong-pass", "csrf_token": token})
            spent.append(time.perf_counter() - start)
            assert response.status_code == 401
    known, unknown = (statistics.median(spent) for spent in times.values())
    assert 0.7 <= unknown / known <= 1.4, (known, unknown)


# ---- sessions ---------------------------------------------------------------------------------------------------

def test_a_copied_cookie_dies_at_sign_out(app):
    """Flask's signed cookie alone stays valid until it expires (main: 31 days, even after sign-out); the session
    row it names is what counts."""
    owner = app.test_client()
    token = login(owner, "op")
    thief = with_cookie(app, session_cookie(owner))
    assert thief.get("/api/streams").status_code == 200  # the copy works while the session lives
    assert owner.post("/logout", data={"csrf_token": token}).status_code == 302
    gone = thief.get("/api/streams")
    assert gone.status_code == 401 and gone.json["status"] == 401
    assert thief.get("/").status_code == 302
    assert owner.get("/api/streams").status_code == 401


def test_password_change_needs_the_current_one_and_ends_every_other_session(app):
    owner = app.test_client()
    token = login(owner, "op")
    other_browser = app.test_client()
    login(other_browser, "op")
    thief = with_cookie(app, session_cookie(owner))
    form = {"action": "password", "csrf_token": token, "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD}
    wrong = owner.post("/account", data=form | {"current_password": "not-it"})
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.get_data(as_text=True)
    differ = owner.post("/account?lang=en", data=form | {"current_password": PASSWORD, "new_password_again": "x"})
    assert differ.status_code == 400 and "the two new passwords differ" in differ.get_data(as_text=True)
    short = owner.post("/account", data=form | {"current_password": PASSWORD, "new_password": "short",
                                                "new_password_again": "short"})
    assert short.status_code == 400 and "at least 8 characters" in short.get_data(as_text=True)
    assert thief.get("/api/streams").status_code == 200  # nothing changed so far
    changed = owner.post("/account", data=form | {"current_password": PASSWORD})
    assert changed.status_code == 302
    assert "Password changed" in owner.get("/account").get_data(as_text=True)
    assert owner.get("/api/streams").status_code == 200  # this browser got a new session
    assert thief.get("/api/streams").status_code == 401
    assert other_browser.get("/api/streams").status_code == 401
    assert try_login(app.test_client(), "op", PASSWORD).status_code == 401
    login(app.test_client(), "op", NEW_PASSWORD)


def test_guessing_the_current_password_on_the_account_page_is_throttled(app, clock):
    """A stolen session must not become an unthrottled password oracle."""
    client = app.test_client()
    token = login(client, "viewer")
    form = {"action": "password", "csrf_token": token, "current_password": "guess",
            "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    for _ in range(5):
        assert client.post("/account", data=form).status_code == 400
    refused = client.post("/account", data=form | {"current_password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"


def test_sign_out_everywhere_else(app):
    here = app.test_client()
    token = login(here, "viewer")
    there = app.test_client()
    login(there, "viewer")
    page = here.post("/account?lang=en", data={"action": "sign_out_others", "csrf_token": token},
                     follow_redirects=True)
    assert "Signed out 1 other session" in page.get_data(as_text=True)
    assert there.get("/api/streams").status_code == 401 and here.get("/api/streams").status_code == 200


def test_admin_reset_role_change_and_deactivation_end_sessions(app):
    admin = app.test_client()
    token = login(admin, "admin")
    victims = {name: app.test_client() for name in ("viewer", "op")}
    for name, client in victims.items():
        login(client, name)
    reset = admin.post("/admin/users", data={"action": "update", "user_id": user_id(app, "viewer"),
                                             "role": "viewer", "active": "on", "password": NEW_PASSWORD,
                                             "csrf_token": token})
    assert reset.status_code == 302
    assert victims["viewer"].get("/api/streams").status_code == 401
    login(app.test_client(), "viewer", NEW_PASSWORD)
    assert victims["op"].get("/api/streams").status_code == 200  # untouched
    admin.post("/admin/users", data={"action": "update", "user_id": user_id(app, "op"), "role": "viewer",
                                     "active": "on", "csrf_token": token})
    assert victims["op"].get("/api/streams").status_code == 401
    again = app.test_client()
    login(again, "op")
    admin.post("/admin/users", data={"action": "update", "user_id": user_id(app, "op"), "role": "viewer",
                                     "csrf_token": token})  # no "active": deactivated
    assert again.get("/api/streams").status_code == 401
    # an admin's own row: no role or access change (refused in the page's language), password via Account
    own = admin.post("/admin/users", data={"action": "update", "user_id": user_id(app, "admin"),
                                           "role": "viewer", "csrf_token": token}, follow_redirects=True)
    assert "不能修改自己的角色" in own.get_data(as_text=True)
    assert 'href="/account"' in admin.get("/admin/users").get_data(as_text=True)
    changed = admin.post("/account", data={"action": "password", "csrf_token": token, "current_password": PASSWORD,
                                           "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert changed.status_code == 302
    login(app.test_client(), "admin", NEW_PASSWORD)


def _run_cli(storage: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MEDIAOPS_DATABASE_URL"} | {"MEDIAOPS_STORAGE": str(storage)}
    return subprocess.run([sys.executable, "-m", "mediaops", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def test_cli_passwd_sets_a_password_ends_sessions_and_lifts_a_lock(tmp_path, clock, monkeypatch, capsys):
    """``mediaops user passwd NAME`` (what the help of ``mediaops user`` promised; main had no such command): the
    real command in a subprocess for the changes, in-process for the refusals (each start costs seconds)."""
    import io

    from mediaops.cli import main

    storage = tmp_path / "storage"
    app = make_app(storage)
    add_user(app, "chen", "viewer")
    signed_in = app.test_client()
    login(signed_in, "chen")
    locked = app.test_client()
    for _ in range(6):
        try_login(locked, "chen", "wrong-password")
    assert try_login(locked, "chen", PASSWORD).status_code == 429

    monkeypatch.setenv("MEDIAOPS_STORAGE", str(storage))
    with pytest.raises(SystemExit) as usage:
        main(["user", "passwd", "chen", NEW_PASSWORD])  # a password in argv is refused
    assert usage.value.code == 2 and "unrecognized arguments" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "passwd", "chen", "--password-stdin"]) == 2
    assert capsys.readouterr().err == "mediaops: error: passwords need at least 8 characters\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
    assert main(["user", "passwd", "nobody", "--password-stdin"]) == 2
    assert "no user 'nobody'" in capsys.readouterr().err
    assert signed_in.get("/api/streams").status_code == 200  # failed commands changed nothing
    with pytest.raises(SystemExit):
        main(["user", "--help"])
    assert "passwd" in capsys.readouterr().out

    done = _run_cli(storage, "user", "passwd", "chen", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert NEW_PASSWORD not in done.stdout and "chen" in done.stdout
    assert signed_in.get("/api/streams").status_code == 401
    assert try_login(app.test_client(), "chen", PASSWORD).status_code == 401
    assert try_login(locked, "chen", NEW_PASSWORD).status_code == 302  # the lock is lifted at once
    generated = _run_cli(storage, "user", "passwd", "chen")  # no terminal, no stdin flag: generated, shown once
    assert generated.returncode == 0 and "password: " in generated.stdout
    login(app.test_client(), "chen", generated.stdout.rsplit("password: ", 1)[1].strip())


# ---- lifetime ---------------------------------------------------------------------------------------------------

def _cookie_lifetime_s(response) -> float:
    cookie = response.headers["Set-Cookie"]
    expires = cookie.split("Expires=")[1].split(";")[0]
    return (parsedate_to_datetime(expires) - datetime.now(UTC)).total_seconds()


def test_session_cookie_lives_hours_not_a_month(app, tmp_path):
    client = app.test_client()
    response = client.post("/login", data={"username": "op", "password": PASSWORD, "csrf_token": csrf_of(client)})
    assert 11.9 * 3600 < _cookie_lifetime_s(response) <= 12 * 3600 + 5  # main: 31 days
    short = make_app(tmp_path / "short", SESSION_IDLE_TIMEOUT_S=600)
    add_user(short, "op", "operator")
    client = short.test_client()
    response = client.post("/login", data={"username": "op", "password": PASSWORD, "csrf_token": csrf_of(client)})
    assert 590 < _cookie_lifetime_s(response) <= 605


def test_lifetime_settings_come_from_the_environment():
    from web.config import DEFAULTS, config_from_env

    assert DEFAULTS["SESSION_IDLE_TIMEOUT_S"] == 12 * 3600 and DEFAULTS["SESSION_MAX_AGE_S"] == 7 * 86400
    config = config_from_env({"MEDIAOPS_SESSION_IDLE_S": "1800", "MEDIAOPS_SESSION_MAX_AGE_S": "86400",
                              "MEDIAOPS_LOGIN_FREE_FAILURES": "3", "MEDIAOPS_LOGIN_MAX_DELAY_S": "60"})
    assert config == {"SESSION_IDLE_TIMEOUT_S": 1800.0, "SESSION_MAX_AGE_S": 86400.0, "LOGIN_FREE_FAILURES": 3,
                      "LOGIN_MAX_DELAY_S": 60.0}


@pytest.mark.parametrize(("idle_h", "age_h"), [(13, 13), (1, 8 * 24)], ids=["idle-too-long", "older-than-max-age"])
def test_sessions_end_after_idling_or_at_their_maximum_age(app, idle_h, age_h):
    """12 h without a request, or 7 days after signing in however busy, and the server refuses the session."""
    from web.models import WebSession, utcnow

    client = app.test_client()
    login(client, "op")
    assert client.get("/api/streams").status_code == 200
    with app.extensions["mediaops_db"]() as db:
        db.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(hours=idle_h),
                                             created_at=utcnow() - timedelta(hours=age_h)))
        db.commit()
    assert client.get("/api/streams").status_code == 401
    with app.extensions["mediaops_db"]() as db:
        assert db.scalars(select(WebSession)).all() == []  # expired rows are removed


# ---- API credentials --------------------------------------------------------------------------------------------

STATE_CHANGING = [("POST", "/api/jobs"), ("POST", "/api/streams/some-job/rerun"),
                  ("POST", "/api/streams/some-job/cancel"), ("POST", "/api/uploads"),
                  ("PATCH", "/api/uploads/some-upload"), ("DELETE", "/api/uploads/some-upload")]


@pytest.mark.parametrize(("method", "path"), STATE_CHANGING, ids=[f"{m} {p}" for m, p in STATE_CHANGING])
def test_state_changing_api_calls_without_credentials_get_401_json(app, method, path):
    """Main answered these 400 "CSRF" (its CSRF check ran before the sign-in check); the API documents 401."""
    bare = app.test_client()
    visited = app.test_client()
    csrf_of(visited)  # an anonymous session cookie with a CSRF token, but nobody signed in
    signed_out = app.test_client()
    token = login(signed_out, "op")
    signed_out.post("/logout", data={"csrf_token": token})
    for client in (bare, visited, signed_out):
        response = client.open(path, method=method, json={}, headers={"Tus-Resumable": "1.0.0"})
        assert response.status_code == 401, (response.status_code, response.get_data(as_text=True))
        assert response.is_json and response.json["status"] == 401 and "sign in" in response.json["error"]


def test_signed_in_calls_still_need_the_csrf_token(app):
    client = app.test_client()
    token = login(client, "op")
    missing = client.post("/api/streams/some-job/cancel", json={})
    wrong = client.post("/api/streams/some-job/cancel", json={}, headers={"X-CSRF-Token": token[::-1]})
    for response in (missing, wrong):
        assert response.status_code == 400 and response.is_json and "CSRF" in response.json["error"]
    form = client.post("/admin/users?lang=en", data={"action": "add", "username": "x", "password": "12345678"})
    assert form.status_code == 400 and "CSRF token" in form.get_data(as_text=True)
    assert client.post("/api/streams/some-job/cancel", json={}, headers={"X-CSRF-Token": token}).status_code == 404
