"""The MediaOps web UI and JSON API: ``create_app()`` and its blueprints.

Views are thin: they check who asks and what they sent, call :mod:`workers.jobs`, and render or return JSON.
Run it with ``mediaops serve`` (web + embedded worker) or ``gunicorn "web:create_app()"`` plus ``mediaops worker``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException

from web import config as web_config

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "media-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app.

    Args:
        config: Flask config overrides. ``MEDIAOPS_SETTINGS`` may hold a :class:`workers.config.Settings`
            (default: ``Settings.from_env()``); other keys are listed in :data:`web.config.DEFAULTS`.
    """
    from web import api, auth, files, streams, uploads
    from web.i18n import language, translate
    from web.models import make_session_factory
    from web.security import check_csrf, csrf_token, current_user
    from workers.config import Settings

    app = Flask(__name__)
    app.config.update(web_config.DEFAULTS)
    app.config.update(web_config.config_from_env())
    app.config.update(config or {})
    settings = app.config.get("MEDIAOPS_SETTINGS") or Settings.from_env()
    app.config["MEDIAOPS_SETTINGS"] = settings
    settings.storage_root.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = web_config.load_or_create_secret(settings.storage_root)
    # a guard on whole request bodies; each file is held to MAX_UPLOAD_BYTES (tus PATCH and multipart alike)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + 256 * 1024 * 1024
    app.request_class = uploads.StreamingRequest

    engine, session_factory = make_session_factory(settings.database_url)
    app.extensions["mediaops_settings"] = settings
    app.extensions["mediaops_db"] = session_factory
    app.extensions["mediaops_engine"] = engine

    for blueprint in (auth.bp, streams.bp, api.bp, uploads.bp, files.bp):
        app.register_blueprint(blueprint)

    app.before_request(check_csrf)

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"_": translate, "lang": language(), "current_user": current_user(), "csrf_token": csrf_token}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html" and not request.path.startswith("/files/"):
            # our pages load only our own scripts; job outputs (the self-contained report) are served as they are
            response.headers.setdefault("Content-Security-Policy", CSP)
        if request.args.get("lang") in ("zh", "en"):
            response.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax",
                                httponly=True, secure=app.config["SESSION_COOKIE_SECURE"])
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.response is not None:
            return exc.response
        wants_json = request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"
        if wants_json:
            from flask import jsonify

            return jsonify({"error": exc.description, "status": exc.code}), exc.code
        return render_template("error.html", code=exc.code, message=exc.description), exc.code

    return app
