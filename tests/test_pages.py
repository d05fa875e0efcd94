"""Pages every visitor can reach, error pages and the security headers."""

from tests.conftest import make_test_app, sign_in


def test_start_page_explains_the_service(client):
    page = client.get("/").get_data(as_text=True)
    assert "Plan case-study world-café events" in page
    assert 'href="#main-content"' in page  # skip link
    assert "govuk-crown" not in page and "GDS Transport" not in page


def test_accessibility_statement(client):
    page = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG" in page and "2.2" in page and "320 pixels" in page


def test_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_friendly_500(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_friendly_403(app, client):
    from flask import abort

    @app.route("/forbidden")
    def forbidden():
        abort(403)

    response = client.get("/forbidden")
    assert response.status_code == 403
    assert "You cannot see this page" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_inline_script_carries_the_nonce(client):
    response = client.get("/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)


def test_forms_without_csrf_token_are_refused():
    app = make_test_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from cafe.extensions import db

        db.create_all()
        response = app.test_client().post("/sign-in", data={"email": "a@example.org",
                                                             "password": "x" * 12})
        assert response.status_code == 400
        assert "Your form has expired" in response.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_session_cookie_is_http_only(client, organiser):
    response = sign_in(client, organiser.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_stylesheet_and_scripts_are_served_locally(client):
    page = client.get("/").get_data(as_text=True)
    assert "/static/build/cafe.css" in page and "/static/build/govuk-frontend.min.js" in page
    assert "http://" not in page.split("<body")[0] and "https://" not in page.split("<body")[0]
    with client.get("/static/build/cafe.css") as response:
        assert response.status_code == 200 and response.mimetype == "text/css"
