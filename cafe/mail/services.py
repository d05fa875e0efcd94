"""Queue emails, then deliver them: SMTP when configured, else .eml files in instance/outbox/.

Queueing and delivering are separate steps so a crash between them loses nothing: a queued row
is delivered by the next `deliver_queued` call (a page's progress poll or `flask --app cafe
mail send`). A row is claimed before it is sent, so two workers never send one message twice.
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from blinker import Namespace
from flask import current_app
from sqlalchemy import or_, select, update

from cafe.clock import utcnow
from cafe.extensions import db
from cafe.mail.models import OutgoingEmail

signals = Namespace()
#: Sent after a delivery run with `keys`, the keys of the messages it delivered; receivers may
#: write (the run commits after them), so every way of delivering (a page, `flask mail send`)
#: updates what the emails were about.
emails_delivered = signals.signal("emails-delivered")

MAX_ATTEMPTS = 5
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                timedelta(hours=2)]


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email."""

    filename: str
    content: bytes
    maintype: str
    subtype: str


def build_message(recipient: str, subject: str, text: str, *, html: str | None = None,
                  attachments: Iterable[Attachment] = (), reply_to: str | None = None,
                  recipient_name: str = "") -> EmailMessage:
    """A MIME message from Café's configured sender."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = formataddr((config.get("MAIL_SENDER_NAME", "Café"),
                                  config.get("MAIL_DEFAULT_SENDER", "cafe@example.org")))
    message["To"] = formataddr((recipient_name, recipient)) if recipient_name else recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="cafe.invalid")
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        message.add_attachment(attachment.content, maintype=attachment.maintype,
                               subtype=attachment.subtype, filename=attachment.filename)
    return message


def queue_email(key: str, message: EmailMessage) -> OutgoingEmail:
    """Record a message to send. The same key again returns the first row: never two sends."""
    existing = db.session.scalar(select(OutgoingEmail).where(OutgoingEmail.key == key))
    if existing is not None:
        return existing
    # CRLF line ends (the SMTP policy): smtplib sends stored bytes unchanged, and a strict
    # server reads a message with bare line feeds as one over-long line and refuses it.
    row = OutgoingEmail(key=key, recipient=_address_only(message["To"]),
                        subject=str(message["Subject"])[:300],
                        message=message.as_bytes(policy=email.policy.SMTP),
                        state="queued", attempts=0, last_error="")
    db.session.add(row)
    db.session.flush()
    return row


def _address_only(header: str) -> str:
    from email.utils import parseaddr

    return parseaddr(str(header))[1]


class Transport:
    """Where messages go: an SMTP server, or a folder of .eml files."""

    def __init__(self, config):
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                pass
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        host, port = cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT") or 25)
        timeout = float(cfg.get("MAIL_TIMEOUT", 30))
        if cfg.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if cfg.get("MAIL_USE_TLS") and not cfg.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD", ""))
        except BaseException:
            smtp.close()  # a refused STARTTLS or login must not leave the socket open
            raise
        return smtp

    def _reconnect(self) -> smtplib.SMTP:
        """A fresh connection; ServerUnavailable if the server cannot be reached or refuses us."""
        try:
            self._smtp = self._connect()
        except (OSError, smtplib.SMTPException) as err:
            self._smtp = None
            raise ServerUnavailable(err) from err
        return self._smtp

    def send(self, row: OutgoingEmail) -> None:
        """Deliver one message; raises on failure (ServerUnavailable: nothing can go now)."""
        if not self.config.get("MAIL_SERVER"):
            outbox = Path(self.config.get("MAIL_OUTBOX") or
                          Path(current_app.instance_path) / "outbox")
            outbox.mkdir(parents=True, exist_ok=True)
            (outbox / f"{row.id:06d}-{_safe(row.key)}.eml").write_bytes(row.message)
            return
        smtp = self._smtp or self._reconnect()
        sender = self.config.get("MAIL_DEFAULT_SENDER", "cafe@example.org")
        try:
            smtp.sendmail(sender, [row.recipient], row.message)
        except smtplib.SMTPServerDisconnected:
            self._reconnect().sendmail(sender, [row.recipient], row.message)


class ServerUnavailable(Exception):
    """The mail server cannot be reached, or refused the connection, TLS or the credentials."""

    def __init__(self, cause: BaseException):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


def _safe(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in key)[:80]


#: Rows claimed per commit. Small, so a claimed row is sent well within recover_stalled's
#: ten minutes even if each send waits for the full MAIL_TIMEOUT.
CLAIM_BATCH = 10


def _claim(row_ids: list[int]) -> list[int]:
    """Take queued, due rows for sending, in one commit; the ids this worker got, in order.

    The UPDATE only takes rows still queued, so of two workers claiming at once each row goes
    to exactly one of them; RETURNING says which.
    """
    now = utcnow()
    taken = set(db.session.scalars(
        update(OutgoingEmail)
        .where(OutgoingEmail.id.in_(row_ids), OutgoingEmail.state == "queued",
               or_(OutgoingEmail.next_attempt_at.is_(None), OutgoingEmail.next_attempt_at <= now))
        # next_attempt_at doubles as "claimed at" while sending, for recover_stalled
        .values(state="sending", attempts=OutgoingEmail.attempts + 1, next_attempt_at=now)
        .returning(OutgoingEmail.id)
        .execution_options(synchronize_session=False)))
    db.session.commit()
    return [row_id for row_id in row_ids if row_id in taken]


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0


def deliver_queued(
    *, limit: int | None = None, keys: Iterable[str] | None = None
) -> DeliveryReport:
    """Send queued messages that are due, committing after each so progress is never lost."""
    now = utcnow()
    query = select(OutgoingEmail.id).where(
        OutgoingEmail.state == "queued",
        or_(OutgoingEmail.next_attempt_at.is_(None), OutgoingEmail.next_attempt_at <= now),
    ).order_by(OutgoingEmail.id)
    if keys is not None:
        query = query.where(OutgoingEmail.key.in_(list(keys)))
    if limit:
        query = query.limit(limit)
    ids = list(db.session.scalars(query))
    db.session.commit()
    report = DeliveryReport()
    delivered: list[str] = []
    with Transport(current_app.config) as transport:
        for start in range(0, len(ids), CLAIM_BATCH):
            claimed = _claim(ids[start:start + CLAIM_BATCH])
            try:
                _send_claimed(transport, claimed, report, delivered)
            except ServerUnavailable as err:
                # Trying the rest now would only wait for the same timeout once per message
                # (a page's request could hang for minutes): they all wait for the next attempt.
                _postpone(ids[start + CLAIM_BATCH:], str(err), report)
                db.session.commit()
                break
    if delivered:
        emails_delivered.send(current_app._get_current_object(), keys=delivered)
        db.session.commit()
    return report


def _send_claimed(transport: Transport, claimed: list[int], report: DeliveryReport,
                  delivered: list[str]) -> None:
    """Send claimed rows one by one, committing each result (so a crash resends at most one).

    Raises ServerUnavailable when the server cannot be reached, after marking every claimed row
    not yet sent to be tried again.
    """
    for position, row_id in enumerate(claimed):
        row = db.session.get(OutgoingEmail, row_id)
        try:
            transport.send(row)
        except ServerUnavailable as err:
            for waiting_id in claimed[position:]:
                _note_failure(db.session.get(OutgoingEmail, waiting_id), str(err), report)
            db.session.commit()
            raise
        except (OSError, smtplib.SMTPException) as err:
            transport.__exit__()  # drop a broken connection; the next send reconnects
            _note_failure(row, f"{type(err).__name__}: {err}", report)
        else:
            row.state, row.sent_at, row.last_error = "sent", utcnow(), ""
            report.sent += 1
            delivered.append(row.key)
        db.session.commit()


def _retry_at(attempts: int) -> datetime:
    """When to try a message again after `attempts` failed attempts."""
    return utcnow() + RETRY_DELAYS[min(attempts - 1, len(RETRY_DELAYS) - 1)]


def _note_failure(row: OutgoingEmail, error: str, report: DeliveryReport) -> None:
    """A failed attempt: try again later, or give up after MAX_ATTEMPTS."""
    row.last_error = error[:1000]
    if row.attempts >= MAX_ATTEMPTS:
        row.state = "failed"
        report.failed += 1
    else:
        row.state, row.next_attempt_at = "queued", _retry_at(row.attempts)
        report.retrying += 1


def _postpone(ids: list[int], error: str, report: DeliveryReport) -> None:
    """Count an attempt for due messages the unreachable server kept from being sent."""
    now = utcnow()
    for row_id, attempts in db.session.execute(
            select(OutgoingEmail.id, OutgoingEmail.attempts).where(
                OutgoingEmail.id.in_(ids), OutgoingEmail.state == "queued",
                or_(OutgoingEmail.next_attempt_at.is_(None),
                    OutgoingEmail.next_attempt_at <= now))).all():
        failed = attempts + 1 >= MAX_ATTEMPTS
        changed = db.session.execute(
            update(OutgoingEmail)
            # Only if no other worker claimed it meanwhile.
            .where(OutgoingEmail.id == row_id, OutgoingEmail.state == "queued",
                   OutgoingEmail.attempts == attempts)
            .values(attempts=attempts + 1, last_error=error[:1000],
                    state="failed" if failed else "queued",
                    next_attempt_at=None if failed else _retry_at(attempts + 1))).rowcount
        if changed and failed:
            report.failed += 1
        elif changed:
            report.retrying += 1


def retry_failed(keys: Iterable[str] | None = None) -> int:
    """Put failed messages back in the queue, due now; returns how many."""
    query = update(OutgoingEmail).where(OutgoingEmail.state == "failed")
    if keys is not None:
        query = query.where(OutgoingEmail.key.in_(list(keys)))
    result = db.session.execute(query.values(state="queued", next_attempt_at=None, attempts=0))
    return result.rowcount or 0


def recover_stalled(older_than: timedelta = timedelta(minutes=10)) -> int:
    """Rows left 'sending' by a crashed worker go back to the queue.

    A crash after the server accepted a message but before the row was marked sent can, rarely,
    send that message again; losing it silently would be worse.
    """
    cutoff = utcnow() - older_than
    result = db.session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.state == "sending",
               OutgoingEmail.next_attempt_at < cutoff)
        .values(state="queued", next_attempt_at=None))
    return result.rowcount or 0
