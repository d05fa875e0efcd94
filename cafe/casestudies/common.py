"""What every part of the case-study feature shares: its errors and the UK clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cafe.clock import utcnow

try:
    UK = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a system without time-zone data: UTC is at most an hour out
    UK = ZoneInfo("UTC")


class CaseStudyError(ValueError):
    """A change that cannot be made; the message is for the person who tried."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def local_now() -> datetime:
    """Now, in UK time (naive), for what people read."""
    return utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(UK).replace(tzinfo=None)


def today() -> date:
    """Today's date in the UK: the event day rule and deadlines follow it."""
    return local_now().date()


def uk_time(value: datetime | None) -> datetime | None:
    """A stored UTC time in UK time, for display."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(UK).replace(tzinfo=None)
