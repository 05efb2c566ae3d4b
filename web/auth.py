"""Sign-in (throttled), sign-out, the account page (own password), user management (admins) and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from web import throttle
from web.config import DEFAULTS
from web.i18n import english, translate
from web.models import ROLES, ApiToken, User
from web.security import (
    current_session_id,
    current_user,
    db,
    end_session,
    end_user_sessions,
    hash_token,
    new_token_secret,
    require,
    signed_in_user,
    start_session,
    wants_json,
)

bp = Blueprint("auth", __name__)

MIN_PASSWORD_LENGTH = 8


@bp.record_once
def _cookie_lifetime(state) -> None:
    """The session cookie lives as long as a session may idle (Flask's default would be 31 days)."""
    config = state.app.config
    lifetime = min(float(config["SESSION_IDLE_TIMEOUT_S"]), float(config["SESSION_MAX_AGE_S"]))
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=lifetime)


class AccountError(ValueError):
    """Bad account input; ``key`` and ``values`` name the message in :data:`web.i18n.MESSAGES`.

    ``str()`` gives the English text (command line); :meth:`translated` the page's language.
    """

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(english(key, **values))
        self.key = key
        self.values = values

    def translated(self) -> str:
        return translate(self.key, **self.values)


def _method(method: str | None) -> str:
    return method or DEFAULTS["PASSWORD_HASH_METHOD"]


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("err_password_short", count=MIN_PASSWORD_LENGTH)


def create_user(session: Session, username: str, password: str, role: str = "viewer",
                method: str | None = None) -> User:
    """Add a user with a hashed password (werkzeug ``method``, default the config default).

    Raises:
        AccountError: a taken name or bad input (a ValueError; ``str()`` is one English line).
    """
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("err_username")
    if role not in ROLES:
        raise AccountError("err_role", roles=", ".join(ROLES))
    _check_password_rules(password)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AccountError("err_user_exists", name=username)
    user = User(username=username, password_hash=generate_password_hash(password, _method(method)), role=role)
    session.add(user)
    session.commit()
    return user


def set_password(session: Session, user: User, password: str, method: str | None = None) -> None:
    """Give ``user`` a new password, end all their sessions and clear their sign-in throttle; commits.

    Raises:
        AccountError: the password breaks the rules (nothing is changed then).
    """
    _check_password_rules(password)
    user.password_hash = generate_password_hash(password, _method(method))
    end_user_sessions(session, user.id)
    throttle.forget(session, throttle.account_key(user.username))
    session.commit()


def find_user(session: Session, username: str) -> User:
    """The user called ``username``; raises AccountError if there is none."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise AccountError("err_no_user", name=username.strip())
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


def _hash_params(password_hash: str) -> str:
    """The method and cost part of a werkzeug hash (``scrypt:32768:8:1``), without salt and digest."""
    return password_hash.split("$", 1)[0]


def _unknown_user_hash(method: str) -> str:
    """A hash of a random password made with ``method``, the one unknown names are checked against.

    Kept per app and per method (not per process): it must cost what a real user's hash costs under this
    app's configuration.
    """
    cache = current_app.extensions.setdefault("mediaops_unknown_user_hashes", {})
    if method not in cache:
        cache[method] = generate_password_hash(secrets.token_urlsafe(16), method)
    return cache[method]


def verify_password(session: Session, username: str, password: str) -> User | None:
    """The active user ``username`` if ``password`` is theirs, else None, with the same work either way.

    An unknown name is checked against a stand-in hash of the configured method and cost, so the time taken does
    not tell which accounts exist; a correct password of a hash made another way is re-hashed the configured way.
    """
    method = current_app.config["PASSWORD_HASH_METHOD"]
    stand_in = _unknown_user_hash(method)
    user = session.scalar(select(User).where(User.username == username))
    matches = check_password_hash(user.password_hash if user is not None else stand_in, password)
    if not matches or user is None or not user.active:
        return None
    if _hash_params(user.password_hash) != _hash_params(stand_in):
        user.password_hash = generate_password_hash(password, method)
        session.commit()
    return user


def _client_key() -> str:
    address = throttle.client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                      int(current_app.config["TRUSTED_PROXY_HOPS"]))
    return throttle.address_key(address)


def _charge_attempt(username: str) -> float:
    """Count a password attempt for ``username`` and this client; 0.0 if it may go ahead, else seconds to wait."""
    limits = throttle.ThrottleLimits.from_config(current_app.config)
    keys = {throttle.account_key(username): limits.free_per_account, _client_key(): limits.free_per_address}
    return throttle.charge(db(), keys, limits)


def _attempt_succeeded(username: str) -> None:
    throttle.succeeded(db(), throttle.account_key(username), _client_key(),
                       int(current_app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"]))


def _too_many(wait_s: float, template: str, **context):
    """429 with ``Retry-After``: JSON for API clients, else the page with a message in the user's language."""
    seconds = int(wait_s)
    headers = {"Retry-After": str(seconds)}
    if wants_json():
        body = {"error": english("too_many_logins", seconds=seconds), "status": 429, "retry_after_s": seconds}
        return jsonify(body), 429, headers
    return render_template(template, error=translate("too_many_logins", seconds=seconds), **context), 429, headers


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("streams.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", error=None)
    username = request.form.get("username", "").strip()
    wait_s = _charge_attempt(username)
    if wait_s:
        return _too_many(wait_s, "login.html")
    user = verify_password(db(), username, request.form.get("password", ""))
    if user is None:
        if wants_json():
            return jsonify({"error": english("bad_login"), "status": 401}), 401
        return render_template("login.html", error=translate("bad_login")), 401
    _attempt_succeeded(username)
    start_session(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    end_session()
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@require("viewer")
def account():
    """Every user's own page: change the password (needs the current one), sign out other browsers."""
    user = signed_in_user()
    if request.method == "POST":
        if request.form.get("action") == "sign_out_others":
            count = end_user_sessions(db(), user.id, keep=current_session_id())
            db().commit()
            flash(translate("others_signed_out", count=count), "ok")
            return redirect(url_for("auth.account"))
        wait_s = _charge_attempt(user.username)
        if wait_s:
            return _too_many(wait_s, "account.html", **_account_context())
        if not check_password_hash(user.password_hash, request.form.get("current_password", "")):
            return render_template("account.html", error=translate("err_wrong_password"), **_account_context()), 400
        _attempt_succeeded(user.username)
        new = request.form.get("new_password", "")
        try:
            if new != request.form.get("new_password_again", ""):
                raise AccountError("err_passwords_differ")
            set_password(db(), user, new, current_app.config["PASSWORD_HASH_METHOD"])
        except AccountError as exc:
            db().rollback()
            return render_template("account.html", error=exc.translated(), **_account_context()), 400
        start_session(user)  # set_password ended every session, this one too: a copied cookie is now worthless
        flash(translate("password_changed"), "ok")
        return redirect(url_for("auth.account"))
    return render_template("account.html", error=None, **_account_context())


def _account_context() -> dict[str, object]:
    config = current_app.config
    return {"min_length": MIN_PASSWORD_LENGTH,
            "idle_h": round(float(config["SESSION_IDLE_TIMEOUT_S"]) / 3600, 1),
            "max_days": round(float(config["SESSION_MAX_AGE_S"]) / 86400, 1)}


@bp.route("/admin/users", methods=["GET", "POST"])
@require("admin")
def users():
    if request.method == "POST":
        try:
            if request.form.get("action", "add") == "add":
                create_user(db(), request.form.get("username", ""), request.form.get("password", ""),
                            request.form.get("role", "viewer"), current_app.config["PASSWORD_HASH_METHOD"])
            else:
                _update_user()
        except AccountError as exc:
            db().rollback()
            flash(exc.translated(), "error")
        return redirect(url_for("auth.users"))
    everyone = db().scalars(select(User).order_by(User.username)).all()
    return render_template("users.html", users=everyone, roles=ROLES, me=current_user())


def _update_user() -> None:
    """An admin changes another user's role, access or password; any change signs that user out everywhere."""
    user_id = request.form.get("user_id", "")
    user = db().get(User, int(user_id)) if user_id.isdigit() else None
    if user is None:
        abort(404)
    if user.id == signed_in_user().id:
        raise AccountError("err_own_account")
    role = request.form.get("role", user.role)
    if role not in ROLES:
        raise AccountError("err_role", roles=", ".join(ROLES))
    active = request.form.get("active") == "on"
    changed = (role, active) != (user.role, user.active)
    user.role, user.active = role, active
    if request.form.get("password"):
        set_password(db(), user, request.form["password"], current_app.config["PASSWORD_HASH_METHOD"])
    elif changed:
        end_user_sessions(db(), user.id)
    db().commit()
    flash(translate("user_saved", name=user.username), "ok")


@bp.route("/account/tokens", methods=["GET", "POST"])
@require("viewer")
def tokens():
    user = signed_in_user()
    secret = None
    if request.method == "POST":
        if request.form.get("revoke"):
            token = db().get(ApiToken, int(request.form["revoke"])) if request.form["revoke"].isdigit() else None
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
