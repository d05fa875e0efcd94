"""Outgoing email: queue once per key, deliver over real SMTP, retry failures, outbox files."""

from email import message_from_bytes, policy

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
