"""The Flask application: ``create_app()``, its security headers, error handlers and blueprints.

Views are thin: they check who asks and what they sent, call :mod:`workers.jobs`, and render or return JSON.
Run it with ``mediaops serve`` (web + embedded worker) or ``gunicorn "web:create_app()"`` plus ``mediaops worker``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler

from web import config as web_config

#: our pages: scripts and styles only from our own /static files (no inline script, no style attributes)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: anything else that is not one of our pages (JSON, downloads) and names no policy of its own
NON_PAGE_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def _json_error_paths(path: str) -> bool:
    """Where errors are JSON whatever the client accepts: the API, including the tus upload endpoint."""
    return path == "/api" or path.startswith("/api/")


class JSONErrorRequestHandler(WSGIRequestHandler):
    """The development server's request handler, answering the errors it raises itself under /api/ as JSON.

    Some requests never reach the app: a header line over 64 KiB (a huge tus ``Upload-Metadata``) or more than
    100 headers get 431, a request line over 64 KiB 414. The standard library answers those with an HTML page;
    API clients and the upload page read ``{"error", "status"}`` instead.
    """

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        raw = getattr(self, "raw_requestline", b"") or b""
        parts = raw.split(b" ", 2)
        target = parts[1].decode("latin-1") if len(parts) > 1 else ""
        if not _json_error_paths(target.split("?", 1)[0]):
            super().send_error(code, message, explain)
            return
        short, long = self.responses.get(code, ("Error", "Error"))
        text = f"{message or short}: {explain or long}"
        if code == 431:
            text = ("request headers too large (a header over 64 KiB or over 100 headers); Upload-Metadata may "
                    "hold a few KiB: filename, kind and sha256")
        body = json.dumps({"error": text, "status": code}).encode()
        self.log_error("code %d, message %s", code, message)
        self.send_response(code, message)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if target.startswith("/api/uploads"):
            self.send_header("Tus-Resumable", "1.0.0")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)


class MediaOpsFlask(Flask):
    """Flask whose development server (``mediaops serve``) answers its own errors under /api/ as JSON."""

    def run(self, *args: Any, **options: Any) -> None:
        options.setdefault("request_handler", JSONErrorRequestHandler)
        super().run(*args, **options)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app.

    Args:
        config: Flask config overrides. ``MEDIAOPS_SETTINGS`` may hold a :class:`workers.config.Settings`
            (default: ``Settings.from_env()``); other keys are listed in :data:`web.config.DEFAULTS`.
    """
    from web import api, auth, files, inspect_view, live, streams, uploads
    from web.i18n import MESSAGES, clip_reasons, language, translate
    from web.models import make_session_factory
    from web.security import check_csrf, csrf_token, current_user
    from workers.config import Settings

    app = MediaOpsFlask(__name__)
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

    for blueprint in (auth.bp, streams.bp, api.bp, uploads.bp, inspect_view.bp, files.bp, live.bp):
        app.register_blueprint(blueprint)

    app.before_request(check_csrf)

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"_": translate, "lang": language(), "current_user": current_user(), "csrf_token": csrf_token,
                "messages": MESSAGES}

    app.add_template_filter(clip_reasons)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # files (web.files) set their own sandbox policy; pages get ours, everything else a sandbox
        response.headers.setdefault("Content-Security-Policy",
                                    CSP if response.mimetype == "text/html" else NON_PAGE_CSP)
        if request.args.get("lang") in ("zh", "en"):
            response.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax",
                                httponly=True, secure=app.config["SESSION_COOKIE_SECURE"])
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.response is not None:
            return exc.response
        wants_json = _json_error_paths(request.path) or request.accept_mimetypes.best == "application/json"
        if wants_json:
            return jsonify({"error": exc.description, "status": exc.code}), exc.code
        return render_template("error.html", code=exc.code, message=exc.description), exc.code

    return app
