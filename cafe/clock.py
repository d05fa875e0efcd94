"""The current time, in one place, so services and tests agree on it."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC now: the database columns hold UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)
