"""Other features' parts of an event's pages: dashboard panels and navigation tabs.

Features register here (from their views module) instead of the events package importing them,
so imports keep flowing one way: features know events, events know no feature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cafe.events.models import Event


@dataclass(frozen=True)
class Panel:
    """A dashboard panel: a template fed by a loader that returns its context (None hides it)."""

    order: int
    template: str
    load: Callable[[Event], dict[str, Any] | None]


@dataclass(frozen=True)
class Tab:
    """A tab in the event's navigation."""

    order: int
    endpoint: str
    label: str


_panels: list[Panel] = []
_tabs: list[Tab] = [Tab(0, "events.dashboard", "Overview"), Tab(10, "events.agenda", "Agenda"),
                    Tab(90, "events.organisers", "Organisers"),
                    Tab(95, "events.edit", "Event details")]


def register_panel(
    order: int, template: str, load: Callable[[Event], dict[str, Any] | None]
) -> None:
    """Add a panel to every event's dashboard (idempotent, as apps may be created many times)."""
    if all(p.template != template for p in _panels):
        _panels.append(Panel(order, template, load))
        _panels.sort(key=lambda p: p.order)


def register_tab(order: int, endpoint: str, label: str) -> None:
    """Add a tab to every event's navigation."""
    if all(t.endpoint != endpoint for t in _tabs):
        _tabs.append(Tab(order, endpoint, label))
        _tabs.sort(key=lambda t: t.order)


def dashboard_panels(event: Event) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) for each panel that has something to show for this event."""
    shown = []
    for panel in _panels:
        context = panel.load(event)
        if context is not None:
            shown.append((panel.template, context))
    return shown


def tabs() -> list[Tab]:
    """The event navigation, in order."""
    return list(_tabs)
