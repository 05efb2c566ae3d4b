"""Sign-in, sign-out, user management (admins) and personal API tokens."""

from __future__ import annotations

import functools
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from web.models import ROLES, ApiToken, User
from web.security import current_user, db, hash_token, new_token_secret, require

bp = Blueprint("auth", __name__)

MIN_PASSWORD_LENGTH = 8
DEFAULT_HASH_METHOD = "scrypt"


def create_user(session: Session, username: str, password: str, role: str = "viewer",
                method: str = DEFAULT_HASH_METHOD) -> User:
    """Add a user with a hashed password (werkzeug ``method``); raises ValueError for a taken name or bad input."""
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise ValueError("user names are 1–64 characters without spaces")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ValueError(f"user {username!r} exists already; pick another name")
    user = User(username=username, password_hash=generate_password_hash(password, method), role=role)
    session.add(user)
    session.commit()
    return user


def ensure_admin(session: Session, password: str | None) -> str | None:
    """Create the first admin (user ``admin``) when no admin exists.

    Returns the password that was set when one had to be generated (to print once), else None.
    """
    if session.scalar(select(User).where(User.role == "admin")) is not None:
        return None
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    create_user(session, "admin", password, "admin")
    return generated


@functools.cache
def _unknown_user_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16), current_app.config["PASSWORD_HASH_METHOD"])


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("streams.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        user = db().scalar(select(User).where(User.username == request.form.get("username", "").strip()))
        # hash even for unknown names, so that response times do not tell which accounts exist
        stored = user.password_hash if user is not None else _unknown_user_hash()
        if check_password_hash(stored, request.form.get("password", "")) and user is not None and user.active:
            csrf = session.get("csrf_token")
            session.clear()  # a new session id on sign-in
            session["uid"] = user.id
            session["pw"] = user.password_hash[-12:]
            if csrf:
                session["csrf_token"] = csrf
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        error = "bad_login"
    return render_template("login.html", error=error), 401 if error else 200


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/admin/users", methods=["GET", "POST"])
@require("admin")
def users():
    if request.method == "POST":
        action = request.form.get("action", "add")
        try:
            if action == "add":
                create_user(db(), request.form.get("username", ""), request.form.get("password", ""),
                            request.form.get("role", "viewer"), current_app.config["PASSWORD_HASH_METHOD"])
            else:
                user = db().get(User, int(request.form.get("user_id", "0")))
                if user is None:
                    abort(404)
                if user.id == current_user().id:
                    raise ValueError("you cannot change your own role or access; ask another admin")
                role = request.form.get("role", user.role)
                if role not in ROLES:
                    raise ValueError(f"role must be one of {', '.join(ROLES)}")
                user.role = role
                user.active = request.form.get("active") == "on"
                if request.form.get("password"):
                    if len(request.form["password"]) < MIN_PASSWORD_LENGTH:
                        raise ValueError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
                    user.password_hash = generate_password_hash(request.form["password"],
                                                                current_app.config["PASSWORD_HASH_METHOD"])
                db().commit()
        except ValueError as exc:
            db().rollback()
            flash(str(exc), "error")
        return redirect(url_for("auth.users"))
    everyone = db().scalars(select(User).order_by(User.username)).all()
    return render_template("users.html", users=everyone, roles=ROLES)


@bp.route("/account/tokens", methods=["GET", "POST"])
@require("viewer")
def tokens():
    user = current_user()
    secret = None
    if request.method == "POST":
        if request.form.get("revoke"):
            token = db().get(ApiToken, int(request.form["revoke"]))
            if token is None or token.user_id != user.id:
                abort(404)
            db().delete(token)
            db().commit()
            return redirect(url_for("auth.tokens"))
        name = request.form.get("name", "").strip()[:100] or "script"
        secret = new_token_secret()
        db().add(ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret), prefix=secret[:10]))
        db().commit()
    mine = db().scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)).all()
    return render_template("tokens.html", tokens=mine, secret=secret)
