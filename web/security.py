"""Request security: who is asking (server-side session or API token), role checks, CSRF, and safe file paths.

A browser's session cookie (signed by Flask) carries only a random secret; the ``web_sessions`` row it names says
whose session it is. Deleting that row ends the session for every copy of the cookie, which a signed cookie alone
could not do.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from web.models import ApiToken, User, WebSession, utcnow

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
TOKEN_PREFIX = "mo_"
SESSION_KEY = "sid"
#: a session's last-seen time is written at most this often (not on every request, which would serialise them)
SESSION_TOUCH_S = 60


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def db() -> Session:
    """The request's database session (closed at teardown)."""
    if "db" not in g:
        g.db = current_app.extensions["mediaops_db"]()
    return g.db


def current_user() -> User | None:
    """The signed-in user: from ``Authorization: Bearer <token>`` or else the session cookie."""
    if "user" in g:
        return g.user
    user = None
    g.via_token = False
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = db().scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(header[7:].strip())))
        if token is not None:
            user = db().get(User, token.user_id)
            token.last_used_at = utcnow()
            db().commit()
            g.via_token = True
    elif session.get(SESSION_KEY):
        user = _session_user(session[SESSION_KEY])
    g.user = user if user is not None and user.active else None
    return g.user


def signed_in_user() -> User:
    """The user of a view behind :func:`require`, which has turned away everyone not signed in."""
    user = current_user()
    if user is None:  # a view without @require: refuse rather than act for nobody
        abort(401)
    return user


def _session_user(secret: str) -> User | None:
    """The user of a live session, or None (and the cookie forgets it) for an ended or expired one."""
    row = db().get(WebSession, hash_token(secret))
    now = utcnow()
    if row is not None and _expired(row, now):
        db().delete(row)
        db().commit()
        row = None
    if row is None:
        session.pop(SESSION_KEY, None)
        return None
    if (now - row.last_seen_at).total_seconds() >= SESSION_TOUCH_S:
        row.last_seen_at = now
        db().commit()
    return db().get(User, row.user_id)


def _expired(row: WebSession, now) -> bool:
    config = current_app.config
    idle = timedelta(seconds=float(config["SESSION_IDLE_TIMEOUT_S"]))
    return now - row.last_seen_at > idle or now - row.created_at > timedelta(seconds=float(config["SESSION_MAX_AGE_S"]))


def start_session(user: User) -> None:
    """Sign ``user`` in on this browser: a new server-side session (ending the one it had) and a new cookie.

    The CSRF token survives, so pages already open in other tabs keep working.
    """
    csrf = session.get(CSRF_FIELD)
    end_session()
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    db().add(WebSession(id=hash_token(secret), user_id=user.id, created_at=now, last_seen_at=now))
    db().commit()
    session[SESSION_KEY] = secret
    if csrf:
        session[CSRF_FIELD] = csrf
    session.permanent = True  # the cookie lives SESSION_IDLE_TIMEOUT_S, renewed with every response
    g.user = user


def end_session() -> None:
    """Sign this browser out: its server-side session is deleted and the cookie cleared."""
    secret = session.get(SESSION_KEY)
    if secret:
        db().execute(delete(WebSession).where(WebSession.id == hash_token(secret)))
        db().commit()
    session.clear()
    g.user = None


def current_session_id() -> str | None:
    """The ``web_sessions`` id of this browser's session, if it has one."""
    secret = session.get(SESSION_KEY)
    return hash_token(secret) if secret else None


def end_user_sessions(db_session, user_id: int, keep: str | None = None) -> int:
    """Sign ``user_id`` out everywhere (every browser, every copied cookie) but session ``keep``.

    Returns how many sessions ended; the caller commits.
    """
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep is not None:
        query = query.where(WebSession.id != keep)
    return db_session.execute(query).rowcount


def wants_json() -> bool:
    """Whether errors for this request should be JSON: API paths, token callers, and clients asking for JSON."""
    return (request.path.startswith("/api/") or "Authorization" in request.headers
            or request.accept_mimetypes.best == "application/json")


def error_json(status: int, message: str):
    return jsonify({"error": message, "status": status}), status


def abort_json(status: int, message: str, headers: dict[str, str] | None = None) -> NoReturn:
    """Stop the request with a JSON error body ``{"error", "status"}``."""
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    response.headers.update(headers or {})
    abort(response)


def require(role: str) -> Callable:
    """Decorator: the view needs a signed-in user holding ``role`` (or stronger); 401/403 otherwise."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            user = current_user()
            if user is None:
                if wants_json():
                    return error_json(401, "sign in or send 'Authorization: Bearer <token>'")
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not user.may(role):
                if wants_json():
                    return error_json(403, f"this needs the {role} role; ask an admin")
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def csrf_token() -> str:
    """This session's CSRF token (created on first use); forms embed it, page scripts send it as a header."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Reject a state-changing request made with the session cookie unless it carries the CSRF token.

    Requests authenticated by an API token carry no cookie and so cannot be forged cross-site; they are exempt.
    So are API requests from nobody signed in: with no session to ride on there is nothing to forge, and the
    view answers them with 401 (missing credentials), not a confusing CSRF error. Forms (the sign-in form
    among them) always need the token.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return
    if request.path.startswith("/api/") and current_user() is None:
        return
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or (request.form.get(CSRF_FIELD) if request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data") else None)
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        if request.path.startswith("/api/"):
            abort_json(400, "missing or wrong CSRF token; reload the page and try again")
        from web.i18n import translate

        abort(400, description=translate("csrf_failed"))


def inside(root: Path, candidate: Path) -> Path | None:
    """``candidate`` resolved (symlinks followed) if it lies inside ``root`` resolved, else None."""
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return resolved if resolved.is_relative_to(root.resolve()) else None


def safe_file(root: Path, relative: str) -> Path:
    """The regular file ``root/relative``, refusing absolute paths, ``..``, and links that leave ``root``.

    Aborts with 404 for anything else, so that probing for files outside gives nothing away.
    """
    parts = Path(relative).parts
    if not relative or Path(relative).is_absolute() or ".." in parts or "\\" in relative or "\x00" in relative:
        abort(404)
    found = inside(root, root / relative)
    if found is None or not found.is_file():
        abort(404)
    storage = current_app.extensions["mediaops_settings"].storage_root
    if inside(storage, found) is None:
        abort(404)
    return found
