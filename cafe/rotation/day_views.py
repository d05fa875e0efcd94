"""The day's pages: check-in, walk-ins, re-planning the rounds still to come, the room display
and its remote control."""

from __future__ import annotations

from cafe.rotation.views import bp  # noqa: F401
