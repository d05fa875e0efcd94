"""Dates, times and durations in the GOV.UK style, for templates, emails and sheets."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Flask


def format_date(value: date | datetime | None) -> str:
    """'Saturday 14 March 2027'."""
    if value is None:
        return ""
    return f"{value:%A} {value.day} {value:%B %Y}"


def format_short_date(value: date | datetime | None) -> str:
    """'14 March 2027'."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def format_time(value: time | datetime | None) -> str:
    """'9:30am', '2pm', 'midday' as GOV.UK writes times."""
    if value is None:
        return ""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def format_clock(value: time | datetime | None) -> str:
    """'09:30', for form fields and compact tables."""
    return "" if value is None else f"{value:%H:%M}"


def format_minutes(minutes: int | None) -> str:
    """'1 hour 55 minutes', '25 minutes', '2 hours'."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if rest or not hours:
        parts.append(f"{rest} minute" + ("s" if rest != 1 else ""))
    return " ".join(parts)


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_short_date, "short_date")
    app.add_template_filter(format_time, "time")
    app.add_template_filter(format_clock, "clock")
    app.add_template_filter(format_minutes, "minutes")
