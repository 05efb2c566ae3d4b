"""Request security: who is asking (session or API token), role checks, CSRF, and safe file paths."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from sqlalchemy import select

from web.models import ApiToken, User, utcnow

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
TOKEN_PREFIX = "mo_"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def db():
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
    elif session.get("uid") is not None:
        user = db().get(User, session["uid"])
        if user is not None and session.get("pw") != user.password_hash[-12:]:
            user = None  # password changed since this session was made
    g.user = user if user is not None and user.active else None
    return g.user


def _wants_json() -> bool:
    return request.path.startswith("/api/") or "Authorization" in request.headers


def error_json(status: int, message: str):
    return jsonify({"error": message, "status": status}), status


def abort_json(status: int, message: str, headers: dict[str, str] | None = None):
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
                if _wants_json():
                    return error_json(401, "sign in or send 'Authorization: Bearer <token>'")
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not user.may(role):
                if _wants_json():
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
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or (request.form.get(CSRF_FIELD) if request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data") else None)
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        if request.path.startswith("/api/"):
            abort_json(400, "missing or wrong CSRF token; reload the page and try again")
        abort(400, description="missing or wrong CSRF token; reload the page and try again")


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
