"""Organiser accounts: sign in, sign out, throttling, account commands."""

from datetime import timedelta

import pytest

from cafe.auth import services
from cafe.auth.models import LoginAttempt
from tests.conftest import sign_in
from tests.factories import PASSWORD


def test_sign_in_with_correct_password_goes_to_events(client, organiser):
    response = sign_in(client, organiser.email)
    assert response.status_code == 302
    assert response.location == "/events/"
    page = client.get("/events/").get_data(as_text=True)
    assert "Signed in as Olivia Organiser." in page


def test_sign_in_ignores_email_case_and_spaces(client, organiser):
    response = sign_in(client, "  OLIVIA.Organiser@Example.org ")
    assert response.location == "/events/"


@pytest.mark.parametrize(
    "email,password",
    [
        ("olivia.organiser@example.org", "wrong password entirely"),
        ("nobody@example.org", PASSWORD),
    ],
)
def test_sign_in_failure_gives_one_message_for_wrong_email_or_password(
    client, organiser, email, password
):
    response = client.post("/sign-in", data={"email": email, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "There is a problem" in page
    assert page.count("Enter a correct email address and password") == 2  # summary + inline
    assert 'value="' + email + '"' in page  # what was typed is kept


def test_sign_in_with_empty_fields_says_what_is_missing(client):
    page = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    assert 'href="#email">Enter your email address</a>' in page
    assert 'href="#password">Enter your password</a>' in page


def test_sign_in_is_throttled_after_repeated_failures(client, organiser):
    for _ in range(5):
        client.post("/sign-in", data={"email": organiser.email, "password": "not the password"})
    response = sign_in(client, organiser.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in response.get_data(as_text=True)


def test_throttle_window_expires(db, organiser):
    throttle = services.Throttle(per_email=2, per_address=100, window=timedelta(minutes=15))
    start = services.utcnow()
    for _ in range(2):
        assert (
            services.authenticate(organiser.email, "bad", "10.0.0.1", throttle, now=start) is None
        )
    with pytest.raises(services.LoginThrottled):
        services.authenticate(organiser.email, PASSWORD, "10.0.0.1", throttle, now=start)
    later = start + timedelta(minutes=16)
    assert (
        services.authenticate(organiser.email, PASSWORD, "10.0.0.1", throttle, now=later)
        == organiser
    )


def test_throttle_per_address_covers_many_emails(db, organiser):
    throttle = services.Throttle(per_email=100, per_address=3, window=timedelta(minutes=15))
    for n in range(3):
        services.authenticate(f"guess{n}@example.org", "bad", "10.9.9.9", throttle)
    with pytest.raises(services.LoginThrottled):
        services.authenticate(organiser.email, PASSWORD, "10.9.9.9", throttle)
    # another address is not affected
    assert services.authenticate(organiser.email, PASSWORD, "10.1.1.1", throttle) == organiser


def test_successful_sign_in_clears_failures(db, organiser):
    throttle = services.Throttle(per_email=3, per_address=100, window=timedelta(minutes=15))
    for _ in range(2):
        services.authenticate(organiser.email, "bad", "10.0.0.2", throttle)
    services.authenticate(organiser.email, PASSWORD, "10.0.0.2", throttle)
    failures = (
        db.session.query(LoginAttempt).filter_by(email=organiser.email, succeeded=False).count()
    )
    assert failures == 0


def test_passwords_are_hashed_with_scrypt(organiser):
    assert organiser.password_hash.startswith("scrypt:")
    assert PASSWORD not in organiser.password_hash


def test_disabled_organiser_cannot_sign_in(client, db, organiser):
    organiser.is_enabled = False
    db.session.commit()
    assert sign_in(client, organiser.email).status_code == 401


def test_organiser_pages_need_sign_in(client):
    response = client.get("/events/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")


def test_sign_in_returns_to_the_page_asked_for(client, organiser):
    response = client.post(
        "/sign-in?next=/events/new", data={"email": organiser.email, "password": PASSWORD}
    )
    assert response.location == "/events/new"


@pytest.mark.parametrize(
    "target", ["https://evil.example.com/", "//evil.example.com/", "javascript:x"]
)
def test_sign_in_never_redirects_off_site(client, organiser, target):
    response = client.post(
        f"/sign-in?next={target}", data={"email": organiser.email, "password": PASSWORD}
    )
    assert response.location == "/events/"


def test_sign_out_needs_post_and_ends_the_session(signed_in):
    assert signed_in.get("/sign-out").status_code == 405
    response = signed_in.post("/sign-out")
    assert response.location == "/sign-in"
    assert signed_in.get("/events/").status_code == 302


def test_create_organiser_command(runner, db):
    result = runner.invoke(
        args=["create-organiser", "--email", "Pat.Lead@Example.org", "--name", "Pat Lead"],
        input="a long enough passphrase\na long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created organiser Pat Lead <pat.lead@example.org>" in result.output
    assert services.find_organiser("pat.lead@example.org").name == "Pat Lead"


def test_create_organiser_refuses_short_password(runner, db):
    result = runner.invoke(
        args=["create-organiser", "--email", "pat@example.org", "--name", "Pat"],
        input="short\nshort\n",
    )
    assert result.exit_code == 1
    assert "Password must be 12 characters or more" in result.output


def test_create_organiser_refuses_existing_email(runner, organiser):
    result = runner.invoke(
        args=["create-organiser", "--email", organiser.email, "--name", "X"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 1
    assert "An organiser with this email address already exists" in result.output


def test_set_password_command(runner, client, organiser):
    result = runner.invoke(
        args=["set-password", organiser.email],
        input="another good passphrase\nanother good passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert sign_in(client, organiser.email, "another good passphrase").status_code == 302
