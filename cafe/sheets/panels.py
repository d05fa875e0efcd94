"""Other features' parts of a guest's own page (/me/<token>), such as actions after the event.

A feature registers a section here (from its views module), so the page grows without this
package knowing that feature: imports keep flowing one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cafe.invitations.models import Invitation


@dataclass(frozen=True)
class Section:
    """A part of the guest's page: a template fed by a loader (None hides it). The loader gets
    the invitation and the link's token, to build links and forms of its own."""

    order: int
    template: str
    load: Callable[[Invitation, str], dict[str, Any] | None]


_sections: list[Section] = []


def register_section(order: int, template: str,
                     load: Callable[[Invitation, str], dict[str, Any] | None]) -> None:
    """Add a section below the itinerary on every guest's page (idempotent)."""
    if all(s.template != template for s in _sections):
        _sections.append(Section(order, template, load))
        _sections.sort(key=lambda s: s.order)


def sections_for(invitation: Invitation, token: str) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) for each section with something to show this guest."""
    shown = []
    for section in _sections:
        context = section.load(invitation, token)
        if context is not None:
            shown.append((section.template, context))
    return shown
