"""Invented test data: small builders that add and flush, with plain defaults."""

from __future__ import annotations

from datetime import date, time

from cafe.auth.models import Organiser
from cafe.auth.services import create_organiser
from cafe.events import services as events
from cafe.events.models import Event

PASSWORD = "correct horse battery staple"


def make_organiser(**overrides) -> Organiser:
    values = {"email": "organiser@example.org", "name": "Test Organiser", "password": PASSWORD}
    values.update(overrides)
    return create_organiser(values["email"], values["name"], values["password"])


def event_details(**overrides) -> events.EventDetails:
    values = dict(
        title="Test café",
        date=date(2027, 5, 20),
        venue="Civic Centre",
        address="1 Test Street",
        start_time=time(9, 30),
        end_time=time(15, 30),
        seats=60,
        rounds=4,
        round_minutes=30,
        move_minutes=5,
        description="An invented event for tests.",
    )
    values.update(overrides)
    return events.EventDetails(**values)


def make_event(organiser: Organiser, **overrides) -> Event:
    return events.create_event(event_details(**overrides), organiser)


def event_form(**overrides) -> dict[str, str]:
    """Form data for the event form, as a browser would send it."""
    data = {
        "title": "Test café",
        "date": ["20", "5", "2027"],
        "venue": "Civic Centre",
        "address": "1 Test Street",
        "start_time": "09:30",
        "end_time": "15:30",
        "seats": "60",
        "rounds": "4",
        "round_minutes": "30",
        "move_minutes": "5",
        "description": "",
    }
    data.update(overrides)
    return data
