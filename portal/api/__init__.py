"""JSON API v1, FHIR R4 endpoints, OAuth 2 token endpoint, OpenAPI document.

``init_app`` configures the OAuth server and registers every API blueprint; none of them
uses CSRF tokens (they take bearer tokens, never cookies).
"""

from __future__ import annotations

from flask import Flask

from portal.extensions import csrf


def init_app(app: Flask) -> None:
    from portal.api import ai_use, batch, changes, decisions, disputes, fhir, fhir_metadata, oauth, openapi, problems

    problems.init_app(app)
    oauth.init_app(app)
    decisions.init_app(app)
    for module in (decisions, batch, changes, ai_use, openapi, fhir, fhir_metadata, disputes):
        csrf.exempt(module.bp)
        app.register_blueprint(module.bp)
