"""The OpenAPI document: valid OpenAPI 3.1, served without sign-in, and listing exactly the app's /api routes."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from tests.web_support import make_app

AUTOMATIC = {"HEAD", "OPTIONS"}  # Flask adds these to every route; documented only where implemented on purpose


def test_document_is_valid_and_matches_the_routes(tmp_path):
    app = make_app(tmp_path / "storage")
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json
    validate(doc)

    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        explicit = {m for m in rule.methods if m not in AUTOMATIC}
        explicit |= {m for m in ("HEAD", "OPTIONS") if m in rule.methods and rule.endpoint.startswith("uploads.")
                     and (m == "OPTIONS") == (path == "/api/uploads")}
        routes.setdefault(path, set()).update(explicit)
    documented = {path: {m.upper() for m in item if m != "parameters"} for path, item in doc["paths"].items()}
    assert documented == routes


def test_every_operation_documents_its_auth_failures():
    from web.openapi import openapi_document

    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            if path in ("/api/openapi.json",) or method == "options":
                continue
            assert "401" in operation["responses"], (method, path)
            assert "operationId" in operation
