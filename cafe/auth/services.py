"""Organiser accounts: creation, password checks and login throttling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from cafe.auth.models import LoginAttempt, Organiser
from cafe.clock import utcnow
from cafe.extensions import db

# A real hash to compare against when the email is unknown, so a wrong email takes as long as a
# wrong password and timing does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-for-timing-only")


class AccountError(ValueError):
    """An account could not be created or changed; the message is for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LoginThrottled(Exception):
    """Too many failed logins recently."""

    def __init__(self, minutes: int):
        super().__init__(f"Too many failed attempts. Try again in {minutes} minutes.")
        self.minutes = minutes


@dataclass(frozen=True)
class Throttle:
    """How many failures are allowed in which window."""

    per_email: int
    per_address: int
    window: timedelta


def normalise_email(email: str) -> str:
    """Emails compare without case or surrounding spaces."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Hash with werkzeug's default, scrypt: a memory-hard, modern scheme."""
    return generate_password_hash(password)


def check_password_strength(password: str, min_length: int) -> None:
    """Raise AccountError if the password is too short or too obvious."""
    if len(password) < min_length:
        raise AccountError(f"Password must be {min_length} characters or more", "password")
    if len(set(password)) < 4:
        raise AccountError("Password is too easy to guess: use a mix of characters", "password")


def find_organiser(email: str) -> Organiser | None:
    """The organiser with this email, if any."""
    return db.session.scalar(select(Organiser).where(Organiser.email == normalise_email(email)))


def create_organiser(email: str, name: str, password: str, *, min_length: int = 12) -> Organiser:
    """Add an organiser account; raises AccountError for a taken email or a weak password."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError("Enter an email address in the correct format", "email")
    if not name.strip():
        raise AccountError("Enter a name", "name")
    check_password_strength(password, min_length)
    if find_organiser(email) is not None:
        raise AccountError("An organiser with this email address already exists", "email")
    organiser = Organiser(email=email, name=name.strip(), password_hash=hash_password(password))
    db.session.add(organiser)
    db.session.flush()
    return organiser


def set_password(organiser: Organiser, password: str, *, min_length: int = 12) -> None:
    """Replace an organiser's password."""
    check_password_strength(password, min_length)
    organiser.password_hash = hash_password(password)


def _recent_failures(column, value: str, since: datetime) -> tuple[int, datetime | None]:
    row = db.session.execute(
        select(func.count(), func.min(LoginAttempt.created_at)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since
        )
    ).one()
    return row[0], row[1]


def authenticate(
    email: str, password: str, address: str, throttle: Throttle, *, now: datetime | None = None
) -> Organiser | None:
    """Check a login; records the attempt. Returns the organiser, None on a bad login.

    Raises LoginThrottled when the email or the client address has failed too often lately;
    then the password is not even checked, so guessing gains nothing.
    """
    now = now or utcnow()
    email = normalise_email(email)
    since = now - throttle.window
    for column, value, limit in (
        (LoginAttempt.email, email, throttle.per_email),
        (LoginAttempt.address, address, throttle.per_address),
    ):
        failures, oldest = _recent_failures(column, value, since)
        if failures >= limit:
            wait = (oldest + throttle.window - now).total_seconds() if oldest else 60
            raise LoginThrottled(max(1, math.ceil(wait / 60)))

    organiser = find_organiser(email)
    if organiser is None:
        check_password_hash(_DUMMY_HASH, password)
        ok = False
    else:
        ok = check_password_hash(organiser.password_hash, password) and organiser.is_enabled
    db.session.add(
        LoginAttempt(email=email[:254], address=address[:64], succeeded=ok, created_at=now)
    )
    if ok:
        organiser.last_login_at = now
        # A success clears this email's failures, so a user who finally remembers is not locked out.
        db.session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.email == email, LoginAttempt.succeeded.is_(False)
            )
        )
        return organiser
    return None


def prune_login_attempts(older_than: timedelta, *, now: datetime | None = None) -> int:
    """Delete old login attempts (they hold addresses); returns how many went."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < cutoff))
    return result.rowcount or 0
