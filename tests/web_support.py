"""Helpers for the web tests: an app on a temporary storage root, users, tokens, and a signed-in client.

The fixtures built on them (``op``, ``admin``: signed-in clients of the test module's ``app``; ``browser``: Debian's
chromium) are in ``conftest.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from web import create_app
from web.auth import create_user
from web.models import ApiToken, User
from web.security import hash_token, new_token_secret
from workers.config import Settings

PASSWORD = "s3cret-pass"
FAST_HASH = "pbkdf2:sha256:1000"


def make_app(storage: Path, model: str | None = None, **config) -> Flask:
    settings = Settings.from_env({}, storage_root=storage, model=model)
    # a cheap hash keeps the many sign-ins of the tests fast; production uses scrypt (config default)
    return create_app({"MEDIAOPS_SETTINGS": settings, "TESTING": True, "PASSWORD_HASH_METHOD": FAST_HASH, **config})


def add_user(app: Flask, username: str, role: str) -> User:
    with app.extensions["mediaops_db"]() as session:
        return create_user(session, username, PASSWORD, role, app.config["PASSWORD_HASH_METHOD"])


def add_token(app: Flask, username: str, role: str) -> str:
    """A new user with ``role`` and an API token; returns the token's secret."""
    user = add_user(app, username, role)
    secret = new_token_secret()
    with app.extensions["mediaops_db"]() as session:
        session.add(ApiToken(user_id=user.id, name="test", token_hash=hash_token(secret), prefix=secret[:10]))
        session.commit()
    return secret


def csrf_of(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in through the form; returns the session's CSRF token."""
    token = csrf_of(client)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return token


def signed_in_client(app: Flask, username: str) -> FlaskClient:
    """A test client of ``app`` signed in as ``username`` that sends its CSRF token with every request."""
    client = app.test_client()
    client.environ_base["HTTP_X_CSRF_TOKEN"] = login(client, username)
    return client
