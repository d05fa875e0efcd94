"""Security headers on every response, and the friendly error pages."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, abort, current_app, g, make_response, render_template, request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from cafe.tokens import BadLink, LinkRevoked

Record = TypeVar("Record")


def csp_nonce() -> str:
    """A fresh nonce for this request's inline script (the GOV.UK template's js-enabled line)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def csrf_token_ok() -> bool:
    """Check a private-link page's CSRF token in the view rather than globally, so a stale token
    (an expired session) can be answered with the form as typed instead of an error page."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    token = request.headers.get("X-CSRFToken") or request.form.get("csrf_token", "")
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def opened_or_abort(opener: Callable[[str], Record], token: str, template: str) -> Record:
    """The record a personal link opens, or `template` as a clear page: 404 for a link that is
    not valid, 410 for one that has been replaced."""
    try:
        return opener(token)
    except BadLink:
        abort(make_response(render_template(template, reason="invalid"), 404))
    except LinkRevoked:
        abort(make_response(render_template(template, reason="replaced"), 410))


def _set_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce")
    script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        f"script-src {script_src}; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Personal links carry tokens in their path: never pass them on to other sites.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Register the header hook, the nonce helper and the error handlers."""
    app.after_request(_set_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.errorhandler(403)
    def forbidden(error):  # noqa: ANN001, ARG001
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error):  # noqa: ANN001, ARG001
        return render_template("errors/404.html"), 404

    @app.errorhandler(CSRFError)
    def csrf_failed(error):  # noqa: ANN001, ARG001
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(500)
    def server_error(error):  # noqa: ANN001, ARG001
        return render_template("errors/500.html"), 500
