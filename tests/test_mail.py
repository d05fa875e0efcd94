"""Outgoing email: queue once per key, deliver over real SMTP, retry failures, outbox files."""

from email import message_from_bytes, policy

import pytest

from cafe.clock import utcnow
from cafe.mail import services as mail
from cafe.mail.models import OutgoingEmail


def _queue(key="test:1", to="guest@example.org"):
    message = mail.build_message(to, "Your invitation", "Hello", recipient_name="Gale Guest")
    return mail.queue_email(key, message)


def test_queue_is_idempotent_by_key(db):
    first = _queue()
    second = _queue()
    assert first.id == second.id
    assert db.session.query(OutgoingEmail).count() == 1


def test_a_long_message_is_stored_with_crlf_line_ends_so_strict_servers_take_it(db, mail_to):
    text = "\n".join(f"Line {n} of a long message about the café." for n in range(200))
    mail.queue_email("test:long", mail.build_message("guest@example.org", "Long", text))
    db.session.commit()

    stored = db.session.query(OutgoingEmail).one().message
    report = mail.deliver_queued()

    assert b"\r\n" in stored and b"\n" not in stored.replace(b"\r\n", b"")
    assert report.sent == 1
    assert "Line 199 of a long message" in mail_to.parsed()[0].get_content()


def test_deliver_sends_over_smtp_and_marks_sent(db, mail_to):
    _queue()
    db.session.commit()
    report = mail.deliver_queued()
    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    [received] = mail_to.parsed()
    assert received["To"] == "Gale Guest <guest@example.org>"
    assert received["Subject"] == "Your invitation"
    assert db.session.query(OutgoingEmail).one().state == "sent"
    assert mail.deliver_queued().sent == 0  # nothing is sent twice


def test_refused_message_is_retried_later(db, mail_to):
    mail_to.refuse = 1
    row = _queue()
    db.session.commit()
    report = mail.deliver_queued()
    assert report.retrying == 1 and mail_to.messages == []
    db.session.refresh(row)
    assert row.state == "queued" and "451" in row.last_error
    row.next_attempt_at = utcnow()  # as if the retry delay had passed
    db.session.commit()
    assert mail.deliver_queued().sent == 1
    assert len(mail_to.messages) == 1


def test_message_fails_after_max_attempts_and_can_be_retried(db, mail_to):
    mail_to.refuse = mail.MAX_ATTEMPTS
    row = _queue()
    db.session.commit()
    for _ in range(mail.MAX_ATTEMPTS):
        mail.deliver_queued()
        db.session.refresh(row)
        row.next_attempt_at = None
        db.session.commit()
    assert row.state == "failed"
    assert mail.retry_failed() == 1
    db.session.commit()
    assert mail.deliver_queued().sent == 1


def test_unreachable_server_keeps_message_queued(db, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    row = _queue()
    db.session.commit()
    assert mail.deliver_queued().retrying == 1
    db.session.refresh(row)
    assert row.state == "queued" and row.attempts == 1


def test_stalled_sends_are_recovered(db):
    row = _queue()
    row.state, row.next_attempt_at = "sending", utcnow().replace(year=2000)
    db.session.commit()
    assert mail.recover_stalled() == 1
    assert row.state == "queued"


def test_without_smtp_server_messages_go_to_the_outbox(db, app, tmp_path):
    app.config["MAIL_OUTBOX"] = str(tmp_path)
    _queue(key="invite:7")
    db.session.commit()
    assert mail.deliver_queued().sent == 1
    [path] = tmp_path.glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Your invitation" and path.name.endswith("invite-7.eml")


def test_mail_send_command(runner, db, mail_to):
    _queue()
    db.session.commit()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Sent 1, will retry 0, failed 0."


def test_unreachable_server_postpones_the_rest_without_trying_each(db, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    rows = [_queue(key=f"test:{n}", to=f"guest{n}@example.org") for n in range(3)]
    db.session.commit()
    report = mail.deliver_queued()
    assert (report.sent, report.retrying, report.failed) == (0, 3, 0)
    for row in rows:
        db.session.refresh(row)
        assert (row.state, row.attempts) == ("queued", 1)
        assert row.next_attempt_at > utcnow() and "ConnectionRefusedError" in row.last_error
    assert mail.deliver_queued().retrying == 0  # nothing is due again until the delay passes


def _self_signed_certificate(folder):
    """A certificate for 127.0.0.1 made with the openssl tool (the test skips without it)."""
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_starttls_and_credentials_come_from_the_configuration(db, app, tmp_path, monkeypatch):
    import socket
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.conftest import Inbox

    cert, key = _self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password, session.ssl is not None))
        return AuthResult(success=auth_data.password == b"right-password", handled=False)

    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_tls,
                            require_starttls=True, auth_required=True,
                            authenticator=authenticator)
    controller.start()
    # Café checks the server's certificate against the system's authorities; trust ours here.
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(mail.ssl, "create_default_context", lambda *a, **k: trusting)
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=True,
                          MAIL_USERNAME="cafe-mailer", MAIL_PASSWORD="wrong-password")
        row = _queue()
        db.session.commit()
        assert mail.deliver_queued().retrying == 1
        db.session.refresh(row)
        assert "SMTPAuthenticationError" in row.last_error and inbox.messages == []

        app.config["MAIL_PASSWORD"] = "right-password"
        row.next_attempt_at = None
        db.session.commit()
        assert mail.deliver_queued().sent == 1
    finally:
        controller.stop()
    # smtplib tries each mechanism the server offers before giving up on a password.
    assert {login for login, _, _ in logins} == {b"cafe-mailer"}
    assert {password for _, password, _ in logins[:-1]} == {b"wrong-password"}
    assert logins[-1][1] == b"right-password"
    assert all(over_tls for _, _, over_tls in logins)
    [received] = inbox.messages
    assert received.rcpt_tos == ["guest@example.org"]


def _deliver_from_two_workers_at_once(app, inbox, count=30):
    """Queue `count` messages, then run two deliveries at the same moment."""
    import threading

    from cafe.extensions import db as _db

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    with app.app_context():
        _db.create_all()
        for n in range(count):
            _queue(key=f"test:{n}", to=f"guest{n}@example.org")
        _db.session.commit()
    barrier, reports = threading.Barrier(2), []

    def work():
        with app.app_context():
            barrier.wait()
            reports.append(mail.deliver_queued())
            _db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        states = [row.state for row in _db.session.query(OutgoingEmail)]
        _db.session.remove()
        _db.engine.dispose()
    return reports, states


def test_two_workers_at_once_send_each_message_once_on_sqlite(tmp_path, smtp_server):
    from tests.conftest import make_test_app

    app = make_test_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'cafe.sqlite'}")
    reports, states = _deliver_from_two_workers_at_once(app, smtp_server)
    assert sum(report.sent for report in reports) == 30 and states == ["sent"] * 30
    recipients = [envelope.rcpt_tos[0] for envelope in smtp_server.messages]
    assert len(recipients) == len(set(recipients)) == 30


@pytest.mark.postgres
def test_two_workers_at_once_send_each_message_once_on_postgresql(pg_database, smtp_server):
    from tests.conftest import make_test_app

    app = make_test_app(SQLALCHEMY_DATABASE_URI=pg_database)
    reports, states = _deliver_from_two_workers_at_once(app, smtp_server)
    assert sum(report.sent for report in reports) == 30 and states == ["sent"] * 30
    recipients = [envelope.rcpt_tos[0] for envelope in smtp_server.messages]
    assert len(recipients) == len(set(recipients)) == 30
