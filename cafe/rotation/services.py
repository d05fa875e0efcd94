"""Rotation plans: the plan in force, planning rules, hand edits checked against the hard rules,
figures in words, and what changed between two plans.

Planning itself runs as a background job (`jobs`). Services add and flush; callers commit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafe.auth.models import Organiser
from cafe.casestudies.models import CafeTable
from cafe.clock import utcnow
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.rotation import adapter
from cafe.rotation.adapter import Roster
from cafe.rotation.models import Plan, PlanningRule, PlanSeat
from cafe.scheduling import Violation, check_plan


class RotationError(ValueError):
    """An expected problem with a request, said in words; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- The plan in force ---------------------------------------------------------------------


def current_plan(event: Event) -> Plan | None:
    """The event's plan in force (the latest), its seats loaded; None before the first plan."""
    return db.session.scalars(
        select(Plan).where(Plan.event_id == event.id).order_by(Plan.number.desc()).limit(1)
        .options(selectinload(Plan.seats))).first()


def plan_before(plan: Plan) -> Plan | None:
    """The plan that was in force before `plan`, if any."""
    return db.session.scalars(
        select(Plan).where(Plan.event_id == plan.event_id, Plan.number < plan.number)
        .order_by(Plan.number.desc()).limit(1).options(selectinload(Plan.seats))).first()


def next_plan_number(event: Event) -> int:
    """The number the event's next plan takes."""
    return (db.session.scalar(select(func.max(Plan.number)).where(Plan.event_id == event.id))
            or 0) + 1


def store_plan(event: Event, seats: dict[int, list[int]], *, kind: str, status: str,
               held_rounds: int = 0, locks: dict[int, dict[int, int]] | None = None,
               organiser: Organiser | None = None, number: int | None = None) -> Plan:
    """A new plan in force with these seats (invitation id -> table id per round)."""
    locks = locks or {}
    plan = Plan(event_id=event.id, event=event, number=number or next_plan_number(event),
                kind=kind, status=status, held_rounds=held_rounds, metrics={},
                created_by=organiser)
    db.session.add(plan)
    for invitation_id, row in seats.items():
        for r, table_id in enumerate(row):
            if table_id is None:
                continue
            locked = locks.get(invitation_id, {}).get(r) == table_id
            plan.seats.append(PlanSeat(invitation_id=invitation_id, round_index=r,
                                       table_id=table_id, is_locked=locked))
    db.session.flush()
    refresh_metrics(plan)
    return plan


# --- Checking a plan -----------------------------------------------------------------------


@dataclass
class Problem:
    """A broken hard rule of a plan, in words, with the guests and rounds it concerns."""

    message: str
    invitation_ids: tuple[int, ...] = ()
    round_index: int | None = None
    table_id: int | None = None


@dataclass
class Checked:
    """A plan checked against the event as it is now."""

    problems: list[Problem] = field(default_factory=list)
    metrics: dict[str, Any] | None = None


def _guest_name(roster: Roster, key: str | None) -> str:
    if key is None:
        return "someone"
    if key.startswith("h"):
        table = roster.table(int(key[1:]))
        return table.host.name if table and table.host else "the host"
    guest = roster.guest(int(key[1:]))
    return guest.contact.name if guest else "a guest"


def _table_label(roster: Roster, key: str | None) -> str:
    if key is None:
        return "a table"
    table = roster.table(adapter.table_from_key(key))
    return f"table {table.number}" if table else "a table that no longer exists"


def _in_words(v: Violation, roster: Roster, held: int) -> Problem:
    """A solver violation said for the organiser (names, table numbers, rounds from 1)."""
    who = _guest_name(roster, v.person)
    where = _table_label(roster, v.table)
    when = f"round {v.round + held + 1}" if v.round is not None else ""
    messages = {
        "seat": f"{who} has no seat in {when}",
        "host": f"{who} hosts a table and must stay at it",
        "capacity": f"{where.capitalize()} has more guests than seats in {when}",
        "repeat_table": f"{who} would hear the case study of {where} twice",
        "stays": f"{who} stays at one table all day, but the plan moves them",
        "pinned": f"{who}'s seat is locked to another table in {when}",
        "fixed": f"{who}'s seat in {when} was already held",
        "avoid_table": f"{who} must not sit at {where} ({when})",
        "avoid_person": f"{who} and {_guest_name(roster, v.other)} must not share a table, "
                        f"but both sit at {where} in {when}",
    }
    ids = tuple(int(k[1:]) for k in (v.person, v.other) if k and k.startswith("g"))
    table_id = adapter.table_from_key(v.table) if v.table else None
    round_index = v.round + held if v.round is not None else None
    return Problem(messages.get(v.rule, v.message), ids, round_index, table_id)


def stays_at(roster: Roster, seats: dict[int, list[int | None]]) -> dict[int, int]:
    """invitation id -> the table a `stays` guest sits at in `seats` (their first seat)."""
    stays = {r.invitation_id for r in roster.rules if r.kind == "stays"}
    out = {}
    for i in stays:
        first = next((t for t in seats.get(i, []) if t is not None), None)
        if first is not None:
            out[i] = first
    return out


def remaining_problem(roster: Roster, seats: dict[int, list[int | None]], held: int,
                      locks: dict[int, dict[int, int]] | None = None, *,
                      previous: dict[int, list[int | None]] | None = None,
                      keep_stays: bool = False) -> dict[str, Any]:
    """The solver problem for the rounds from `held` on, as the day stands.

    Rounds already held are history: the tables a guest visited then count as avoided (the
    distinct-tables rule), locked seats are pinned, and round numbers start again at 0.
    `keep_stays` pins each `stays` guest to the table they have been at.
    """
    stays = stays_at(roster, seats)
    pins = {i: {r - held: t for r, t in rows.items() if r >= held}
            for i, rows in (locks or {}).items()}
    visited = {i: {t for t in row[:held] if t is not None} for i, row in seats.items()
               if i not in stays}
    return adapter.problem_from_roster(
        roster, rounds=roster.event.rounds - held, pinned=pins, avoid_extra=visited,
        previous=previous, stays_at=stays if keep_stays else None)


def check_seats(roster: Roster, seats: dict[int, list[int | None]], held: int = 0,
                locks: dict[int, dict[int, int]] | None = None) -> Checked:
    """The hard rules and figures of `seats` for the rounds from `held` on.

    Rounds already held are history: the tables a guest visited then count as visited (the
    distinct-tables rule), and figures cover the rounds still to come.
    """
    rounds = roster.event.rounds - held
    if rounds <= 0:
        return Checked()
    problem = remaining_problem(roster, seats, held, locks)
    later = {i: row[held:] for i, row in seats.items()}
    result = check_plan(problem, adapter.assignments_from_seats(roster, later, rounds))
    return Checked([_in_words(v, roster, held) for v in result.violations], result.metrics)


def check_plan_now(plan: Plan, roster: Roster | None = None) -> Checked:
    """The plan checked against the event as it is now (rules or guests may have changed)."""
    roster = roster or adapter.load_roster(plan.event)
    return check_seats(roster, adapter.seats_of(plan), plan.held_rounds, adapter.locks_of(plan))


def refresh_metrics(plan: Plan, roster: Roster | None = None) -> Checked:
    """Recount the plan's figures after a change; returns the check."""
    checked = check_plan_now(plan, roster)
    plan.metrics = dict(checked.metrics or {})
    return checked


# --- Hand edits ----------------------------------------------------------------------------


def _seat(plan: Plan, invitation_id: int, round_index: int) -> PlanSeat | None:
    return next((s for s in plan.seats
                 if s.invitation_id == invitation_id and s.round_index == round_index), None)


def _editable(plan: Plan, round_index: int) -> None:
    if not 0 <= round_index < plan.event.rounds:
        raise RotationError("Choose a round of the event", "round_index")
    if round_index < plan.held_rounds:
        raise RotationError(f"Round {round_index + 1} has already been held; its seats stay as "
                            "they were", "round_index")


def _apply_checked(plan: Plan, change, roster: Roster | None) -> Checked:
    """Make a change, check the plan; undo it and raise if it breaks a hard rule it did not
    break before."""
    roster = roster or adapter.load_roster(plan.event)
    before = {p.message for p in check_plan_now(plan, roster).problems}
    undo = change()
    db.session.flush()
    checked = check_plan_now(plan, roster)
    new = [p for p in checked.problems if p.message not in before]
    if new:
        undo()
        db.session.flush()
        raise RotationError("That change breaks a rule: " + "; ".join(p.message for p in new))
    plan.metrics = dict(checked.metrics or {})
    plan.edited_at = utcnow()
    return checked


def move_guest(plan: Plan, invitation: Invitation, round_index: int, table: CafeTable,
               roster: Roster | None = None) -> Checked:
    """Seat a guest at another table in one round, if every hard rule still holds."""
    _editable(plan, round_index)
    if table.event_id != plan.event_id:
        raise RotationError("Choose a table of this event", "table_id")
    seat = _seat(plan, invitation.id, round_index)
    if seat is None:
        raise RotationError("That guest has no seat in this plan", "invitation_id")
    if seat.is_locked:
        raise RotationError(f"{invitation.contact.name}'s seat in round {round_index + 1} is "
                            "locked; unlock it first", "invitation_id")
    if seat.table_id == table.id:
        raise RotationError(f"{invitation.contact.name} already sits at table {table.number} "
                            f"in round {round_index + 1}", "table_id")
    old = seat.table_id

    def change():
        seat.table_id = table.id
        return lambda: setattr(seat, "table_id", old)

    return _apply_checked(plan, change, roster)


def swap_guests(plan: Plan, first: Invitation, second: Invitation, round_index: int,
                roster: Roster | None = None) -> Checked:
    """Swap two guests' tables in one round, if every hard rule still holds."""
    _editable(plan, round_index)
    a, b = _seat(plan, first.id, round_index), _seat(plan, second.id, round_index)
    if a is None or b is None:
        raise RotationError("Both guests need a seat in this plan", "other_id")
    if first.id == second.id:
        raise RotationError("Choose two different guests", "other_id")
    if a.is_locked or b.is_locked:
        raise RotationError("A locked seat cannot be swapped; unlock it first", "other_id")
    if a.table_id == b.table_id:
        raise RotationError("They already sit at the same table in that round", "other_id")

    def change():
        old_a, old_b = a.table_id, b.table_id
        a.table_id, b.table_id = old_b, old_a

        def undo():
            # The tables from before the swap, not each other's (which are already swapped).
            a.table_id, b.table_id = old_a, old_b

        return undo

    return _apply_checked(plan, change, roster)


def set_locked(plan: Plan, invitation: Invitation, round_index: int | None, locked: bool) -> int:
    """Lock or unlock a guest's seat in one round (or all rounds when None); returns how many."""
    seats = [s for s in plan.seats if s.invitation_id == invitation.id
             and (round_index is None or s.round_index == round_index)]
    for seat in seats:
        seat.is_locked = locked
    db.session.flush()
    return len(seats)


# --- Planning rules ------------------------------------------------------------------------


def rules_for(event: Event) -> list[PlanningRule]:
    """The event's planning rules, with the people and tables they name."""
    return list(db.session.scalars(
        select(PlanningRule).where(PlanningRule.event_id == event.id)
        .options(selectinload(PlanningRule.invitation).selectinload(Invitation.contact),
                 selectinload(PlanningRule.other).selectinload(Invitation.contact),
                 selectinload(PlanningRule.table))
        .order_by(PlanningRule.id)))


def add_rule(event: Event, kind: str, invitation: Invitation, *, table: CafeTable | None = None,
             other: Invitation | None = None, note: str = "") -> PlanningRule:
    """A new planning rule; refuses one that makes no sense or repeats another."""
    if invitation.event_id != event.id or invitation.state != "accepted":
        raise RotationError("Choose a guest who has accepted", "invitation_id")
    if kind == "avoid_table":
        if table is None or table.event_id != event.id:
            raise RotationError("Choose the table they must not sit at", "table_id")
        other = None
    elif kind == "avoid_person":
        if other is None or other.event_id != event.id:
            raise RotationError("Choose the other guest", "other_id")
        if other.id == invitation.id:
            raise RotationError("Choose someone other than the guest themselves", "other_id")
        table = None
    elif kind == "stays":
        table = other = None
    else:
        raise RotationError("Choose a kind of rule", "kind")
    for rule in rules_for(event):
        pair = {rule.invitation_id, rule.other_invitation_id}
        same_pair = rule.kind == "avoid_person" and other is not None and pair == {invitation.id,
                                                                                  other.id}
        if same_pair or (rule.kind == kind and rule.invitation_id == invitation.id
                         and rule.table_id == (table.id if table else None)
                         and rule.other_invitation_id == (other.id if other else None)):
            raise RotationError("That rule is set already", "kind")
    rule = PlanningRule(event_id=event.id, kind=kind, invitation=invitation, table=table,
                        other=other, note=" ".join((note or "").split()))
    db.session.add(rule)
    db.session.flush()
    return rule


def remove_rule(rule: PlanningRule) -> None:
    """Delete a planning rule."""
    db.session.delete(rule)
    db.session.flush()


# --- Reading a plan ------------------------------------------------------------------------


@dataclass
class TableRound:
    """One table in one round: its guests and how they mix."""

    table: CafeTable
    round_index: int
    guests: list[Invitation]
    strategy: int = 0
    frontline: int = 0
    clashes: int = 0  # pairs from one organisation

    @property
    def size(self) -> int:
        """Guests seated (the host not counted)."""
        return len(self.guests)

    @property
    def mix(self) -> str:
        """'good', 'uneven' or 'one-sided', for the heat map."""
        if self.size == 0:
            return "empty"
        if self.strategy == 0 or self.frontline == 0:
            return "one-sided"
        return "good" if abs(self.strategy - self.frontline) <= max(1, self.size // 3) else "uneven"


def table_rounds(plan: Plan, roster: Roster) -> dict[tuple[int, int], TableRound]:
    """(table id, round index) -> the table in that round, for every table and round."""
    guests = {g.id: g for g in roster.guests}
    cells = {(t.id, r): TableRound(t, r, []) for t in roster.tables
             for r in range(plan.event.rounds)}
    for seat in plan.seats:
        cell = cells.get((seat.table_id, seat.round_index))
        guest = guests.get(seat.invitation_id)
        if cell is not None and guest is not None:
            cell.guests.append(guest)
    for cell in cells.values():
        cell.guests.sort(key=lambda g: g.contact.name)
        cell.strategy = sum(1 for g in cell.guests if g.contact.side == "strategy")
        cell.frontline = sum(1 for g in cell.guests if g.contact.side == "frontline")
        orgs = Counter(g.contact.organisation_id for g in cell.guests)
        cell.clashes = sum(n * (n - 1) // 2 for n in orgs.values())
    return cells


def figures_in_words(metrics: dict[str, Any] | None, table_round_count: int) -> list[str]:
    """The plan's figures as sentences a person understands."""
    if not metrics:
        return ["The figures cannot be counted until every guest has a seat in every round."]
    lines = []
    excess, bound = metrics.get("excess_meetings", 0), metrics.get("lower_bound_excess_meetings")
    if excess == 0:
        lines.append("Nobody meets the same person at more than one table.")
    else:
        pairs = metrics.get("repeat_pairs", 0)
        lines.append(f"{pairs} pair{'s' if pairs != 1 else ''} of guests meet more than once "
                     f"({excess} repeat meeting{'s' if excess != 1 else ''}"
                     + (f"; at least {bound} cannot be avoided" if bound else "") + ").")
    mix, missing = metrics.get("side_mix_violations", 0), metrics.get("side_missing", 0)
    if mix == 0:
        lines.append("Every table has a fair mix of strategy and frontline staff in every round.")
    else:
        lines.append(f"{mix} of {table_round_count} table-rounds have an uneven strategy/frontline"
                     f" mix" + (f", {missing} with one side missing altogether." if missing
                                else "."))
    clashes = metrics.get("organisation_clashes", 0)
    lines.append("No two people from one organisation share a table." if clashes == 0 else
                 f"{clashes} time{'s' if clashes != 1 else ''} two people from one organisation "
                 "share a table.")
    total = metrics.get("preferences_total", 0)
    if total:
        lines.append(f"{metrics.get('preferences_met', 0)} of {total} case-study choices are met.")
    if metrics.get("changed_seats"):
        lines.append(f"{metrics['changed_seats']} seats changed from the plan before.")
    return lines


@dataclass(frozen=True)
class Move:
    """A guest whose table changed in one round between two plans."""

    invitation_id: int
    round_index: int
    before: int | None
    after: int | None


def changes_between(before: Plan | None, after: Plan) -> list[Move]:
    """Every seat that differs between two plans (rounds of the later plan not yet held)."""
    if before is None:
        return []
    old, new = adapter.seats_of(before), adapter.seats_of(after)
    moves = []
    for invitation_id in sorted(set(old) | set(new)):
        a = old.get(invitation_id, [None] * after.event.rounds)
        b = new.get(invitation_id, [None] * after.event.rounds)
        for r in range(after.held_rounds, after.event.rounds):
            if a[r] != b[r]:
                moves.append(Move(invitation_id, r, a[r], b[r]))
    return moves


def reprint_scope(moves: list[Move]) -> tuple[set[int], set[int]]:
    """(guests whose itinerary changed, tables whose guest list changed) after a re-plan."""
    guests = {m.invitation_id for m in moves}
    tables = {t for m in moves for t in (m.before, m.after) if t is not None}
    return guests, tables


def seats_by_guest(plan: Plan) -> dict[int, dict[int, PlanSeat]]:
    """invitation id -> round index -> seat."""
    out: dict[int, dict[int, PlanSeat]] = defaultdict(dict)
    for seat in plan.seats:
        out[seat.invitation_id][seat.round_index] = seat
    return dict(out)
