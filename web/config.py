"""Web settings: Flask config keys, their defaults, and how they are read from the environment.

The web adapter (unlike the library) may read environment variables; it does so here only, once, in
:func:`config_from_env`. Everything else reads ``app.config``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

GIB = 1024**3

#: every key create_app() understands, with its default (documented in README "Web UI and API").
DEFAULTS: dict[str, Any] = {
    "MAX_UPLOAD_BYTES": 20 * GIB,  # largest recording (or any one file) accepted, by tus or multipart
    "UPLOAD_EXPIRY_S": 24 * 3600,  # unfinished or unused uploads older than this are deleted
    "ALLOWED_PATH_ROOTS": (),  # server-side folders a job may read recordings from (API "path" jobs)
    "SESSION_COOKIE_SECURE": False,  # set True behind HTTPS (MEDIAOPS_SECURE_COOKIES=1)
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "DEFAULT_LANGUAGE": "zh",
    "PASSWORD_HASH_METHOD": "scrypt",  # werkzeug.security method for new passwords (older hashes upgrade at sign-in)
    "SESSION_IDLE_TIMEOUT_S": 12 * 3600,  # a sign-in ends after this long without a request (also the cookie's age)
    "SESSION_MAX_AGE_S": 7 * 86400,  # and this long after signing in, however active
    "LOGIN_FREE_FAILURES": 5,  # failed sign-ins per account before each further try must wait 1, 2, 4 … s
    "LOGIN_FREE_FAILURES_PER_ADDRESS": 20,  # the same per client address (IPv6: per /64), across all accounts
    "LOGIN_MAX_DELAY_S": 900,  # the longest wait between tries
    "LOGIN_FAILURE_MEMORY_S": 24 * 3600,  # counts are forgotten after this long without an attempt
    "TRUSTED_PROXY_HOPS": 0,  # reverse proxies in front that append X-Forwarded-For (client address for throttling)
    "UPLOAD_CHUNK_BYTES": 8 * 1024 * 1024,  # chunk size the page's uploader sends per PATCH
}


#: (environment variable, config key, type) of the plain numeric settings.
_NUMBERS: tuple[tuple[str, str, type], ...] = (
    ("MEDIAOPS_SESSION_IDLE_S", "SESSION_IDLE_TIMEOUT_S", float),
    ("MEDIAOPS_SESSION_MAX_AGE_S", "SESSION_MAX_AGE_S", float),
    ("MEDIAOPS_LOGIN_FREE_FAILURES", "LOGIN_FREE_FAILURES", int),
    ("MEDIAOPS_LOGIN_FREE_FAILURES_PER_ADDRESS", "LOGIN_FREE_FAILURES_PER_ADDRESS", int),
    ("MEDIAOPS_LOGIN_MAX_DELAY_S", "LOGIN_MAX_DELAY_S", float),
    ("MEDIAOPS_TRUSTED_PROXY_HOPS", "TRUSTED_PROXY_HOPS", int),
)


def config_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Flask config values named by ``MEDIAOPS_*`` environment variables (only those that are set)."""
    env = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    if env.get("MEDIAOPS_MAX_UPLOAD_BYTES"):
        config["MAX_UPLOAD_BYTES"] = int(env["MEDIAOPS_MAX_UPLOAD_BYTES"])
    if env.get("MEDIAOPS_UPLOAD_EXPIRY_S"):
        config["UPLOAD_EXPIRY_S"] = float(env["MEDIAOPS_UPLOAD_EXPIRY_S"])
    if env.get("MEDIAOPS_ALLOWED_ROOTS"):
        config["ALLOWED_PATH_ROOTS"] = tuple(p for p in env["MEDIAOPS_ALLOWED_ROOTS"].split(os.pathsep) if p)
    if env.get("MEDIAOPS_SECURE_COOKIES"):
        config["SESSION_COOKIE_SECURE"] = env["MEDIAOPS_SECURE_COOKIES"].lower() in ("1", "true", "yes")
    if env.get("MEDIAOPS_SECRET_KEY"):
        config["SECRET_KEY"] = env["MEDIAOPS_SECRET_KEY"]
    for name, key, kind in _NUMBERS:
        if env.get(name):
            config[key] = kind(env[name])
    return config


def load_or_create_secret(storage_root: Path) -> str:
    """The session-signing key kept in ``<storage>/secret_key`` (created once, mode 0600).

    Keeping it on disk lets several gunicorn workers and restarts share sessions without configuration.
    """
    path = storage_root / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    storage_root.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_name(f".secret_key.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    try:
        os.link(tmp, path)  # first writer wins; a concurrent one reads the winner's key
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()
