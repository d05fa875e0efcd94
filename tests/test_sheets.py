"""The plan's printable sheets as pages (facilitator sheets, itinerary cards, badges, master
grid, table signs, large print), their filters, and each guest's own itinerary page."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from cafe.casestudies.models import CafeTable, TimelineEntry
from cafe.events.models import Event
from cafe.invitations import services as invitations
from cafe.invitations.models import Invitation
from cafe.rotation.models import Plan
from cafe.rotation.services import store_plan
from cafe.sheets import panels, services
from cafe.tokens import make_link_token
from tests import factories
from tests.conftest import sign_in
from tests.rotation_fixtures import cafe, guest, table

STORY = "left the refuge after the third missed health visit"
THEME = "Unheard disclosures at the school gate"
SHEETS = ["facilitators", "itineraries", "badges", "grid", "signs", "large-print"]


@dataclass
class Seated:
    """An event with a plan in force: guest i sits at table (i + round) of the tables."""

    event: Event
    tables: list[CafeTable]
    guests: list[Invitation]  # in the order they were made
    plan: Plan

    def by_name(self) -> list[Invitation]:
        return sorted(self.guests, key=lambda g: (g.contact.name.casefold(), g.id))


def seated(organiser, db, *, tables: int = 3, guests: int = 9, rounds: int = 3,
           capacity: int = 6) -> Seated:
    """A café with a simple rotation stored as its plan, and a story behind every table."""
    made = cafe(organiser, tables=tables, guests=guests, rounds=rounds, capacity=capacity)
    for t in made.tables:
        t.case_study.entries.append(TimelineEntry(position=0, stage="14",
                                                  what_happened=f"J {STORY}.",
                                                  services="School, health visiting"))
        t.case_study.themes = THEME
        t.case_study.content_warnings = "Domestic abuse"
    seats = {g.id: [made.tables[(i + r) % tables].id for r in range(rounds)]
             for i, g in enumerate(made.guests)}
    plan = store_plan(made.event, seats, kind="solver", status="feasible", organiser=organiser)
    db.session.commit()
    return Seated(made.event, made.tables, made.guests, plan)


def text(response) -> str:
    """The page's text, tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def url(event: Event, sheet: str, query: str = "") -> str:
    return f"/events/{event.id}/sheets/{sheet}" + (f"?{query}" if query else "")


def personal_path(invitation: Invitation) -> str:
    return "/me/" + services.personal_token(invitation)


@pytest.fixture
def other_client(app, db):
    """A client signed in as an organiser of nothing here."""
    factories.make_organiser(email="someone.else@example.org", name="Someone Else")
    db.session.commit()
    client = app.test_client()
    sign_in(client, "someone.else@example.org")
    return client


@pytest.fixture
def planned_cafe(db, organiser) -> Seated:
    return seated(organiser, db)


# --- Access ----------------------------------------------------------------------------------


def test_sheets_need_an_organiser_signed_in(client, planned_cafe):
    for sheet in ["", *SHEETS]:
        response = client.get(url(planned_cafe.event, sheet))
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]


def test_sheets_of_someone_elses_event_are_not_found(other_client, planned_cafe):
    for sheet in ["", *SHEETS, "itineraries/pdf"]:
        assert other_client.get(url(planned_cafe.event, sheet)).status_code == 404
    assert other_client.get(url(planned_cafe.event, "badges", "format=pdf")).status_code == 404
    assert other_client.get("/events/999/sheets/").status_code == 404


# --- The Sheets tab --------------------------------------------------------------------------


def test_sheets_tab_lists_every_sheet_with_print_and_pdf_links(signed_in, planned_cafe):
    event = planned_cafe.event
    response = signed_in.get(url(event, ""))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-current="page"' in page and ">Sheets</strong>" in page
    for sheet in ["Facilitator sheets", "Itinerary cards", "Name badges", "Master grid",
                  "Table signs", "Large-print itineraries"]:
        assert f'<th scope="row" class="govuk-table__header">{sheet}</th>' in page
    for path in ["facilitators", "itineraries", "badges", "grid", "signs", "large-print"]:
        assert f'href="/events/{event.id}/sheets/{path}"' in page
        assert f'href="/events/{event.id}/sheets/{path}?format=pdf"' in page
    first = planned_cafe.tables[0]
    assert f'href="/events/{event.id}/sheets/facilitators?tables={first.id}"' in page
    assert "9 guests at 3 tables over 3 rounds" in text(response)


def test_sheets_tab_appears_in_the_event_navigation(signed_in, planned_cafe):
    page = signed_in.get(f"/events/{planned_cafe.event.id}/").get_data(as_text=True)
    assert f'href="/events/{planned_cafe.event.id}/sheets/"' in page


def test_without_a_plan_every_sheet_says_to_make_one_first(signed_in, db, organiser):
    event = cafe(organiser, tables=2, guests=4).event
    index = signed_in.get(url(event, ""))
    assert index.status_code == 200
    assert "There is no plan yet, so there is nothing to print. Make a plan first" in text(index)
    for sheet in SHEETS:
        for query in ("", "format=pdf"):
            response = signed_in.get(url(event, sheet, query))
            assert response.status_code == 409
            assert response.mimetype == "text/html"
            assert "Make a plan first" in text(response)


def test_tab_warns_of_guests_without_a_seat(signed_in, db, organiser, planned_cafe):
    late = guest(planned_cafe.event, name="Lola Latecomer")
    db.session.commit()
    page = text(signed_in.get(url(planned_cafe.event, "")))
    assert "1 guest has no table in some rounds: Lola Latecomer. Plan again before you print." \
        in page
    cards = text(signed_in.get(url(planned_cafe.event, "itineraries", f"only={late.id}")))
    assert cards.count("No table yet: ask at the welcome desk") == 3


# --- Facilitator sheets ----------------------------------------------------------------------


def test_facilitator_sheet_has_the_table_its_rounds_guests_prompts_and_notes(
        signed_in, db, planned_cafe):
    first = planned_cafe.tables[0]
    first.co_facilitator = "Cara Cofacilitator"
    db.session.commit()
    response = signed_in.get(url(planned_cafe.event, "facilitators"))
    page = text(response)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<section class="cafe-facilitator"') == 3
    assert f"Table 1 Case study 1 Host: {first.host.name} · Co-facilitator: Cara Cofacilitator" \
        in page
    assert ("Round 1: 10:30am to 11am · Round 2: 11:15am to 11:45am · "
            "Round 3: 11:50am to 12:20pm") in page
    assert "Where could a service have acted sooner?" in page
    assert html.count('class="cafe-facilitator__notes"') == 9  # one for every round of every table
    # Round 1 at table 1: guests 0, 3 and 6 of the rotation, by name, with their side.
    at_first = sorted((planned_cafe.guests[i] for i in (0, 3, 6)),
                      key=lambda g: g.contact.name)
    section = page.split("Round 1, 10:30am to 11am")[1].split("Round 2, ")[0]
    assert "3 guests: 1 strategy, 2 frontline" in section
    rows = [f"{g.contact.name} {g.contact.organisation.name} {g.contact.side_label}"
            for g in at_first]
    assert " ".join(rows) in section


def test_facilitator_sheets_for_chosen_tables_only(signed_in, planned_cafe):
    first, _, third = planned_cafe.tables
    html = signed_in.get(url(planned_cafe.event, "facilitators",
                             f"tables={third.id},{first.id}")).get_data(as_text=True)
    assert html.count('<section class="cafe-facilitator"') == 2
    assert "Case study 2" not in html
    assert html.index("Case study 1") < html.index("Case study 3")  # in table order


@pytest.mark.parametrize("query, message", [
    ("tables=abc", "List the table ids as numbers separated by commas, for example 12,14"),
    ("tables=1,,2", "List the table ids as numbers separated by commas, for example 12,14"),
    ("tables=", "List the table ids as numbers separated by commas, for example 12,14"),
    ("tables=-3", "List the table ids as numbers separated by commas, for example 12,14"),
    ("tables=99999", "Not tables of this plan: 99999"),
    ("format=docx", "Ask for format=pdf to download a PDF"),
])
def test_bad_facilitator_filters_get_a_clear_400(signed_in, planned_cafe, query, message):
    response = signed_in.get(url(planned_cafe.event, "facilitators", query))
    assert response.status_code == 400
    page = text(response)
    assert "This sheet cannot be printed" in page and message in page
    assert "Traceback" not in page


# --- Itinerary cards, badges, grid, signs, large print ---------------------------------------


def test_itinerary_cards_four_to_a_sheet_with_rounds_tables_titles_times_and_a_qr(
        signed_in, planned_cafe):
    response = signed_in.get(url(planned_cafe.event, "itineraries"))
    html = response.get_data(as_text=True)
    assert html.count('<div class="cafe-itinerary-page">') == 3
    assert html.count('<section class="cafe-itinerary') == 9
    assert html.count('<svg class="cafe-sheet-qr"') == 9
    first = planned_cafe.guests[0]  # tables 1, 2, 3
    card = text(response).split(first.contact.name)[1].split("Your itinerary on your phone")[0]
    assert card.strip() == (
        f"{first.contact.organisation.name} "
        "Round 1 · 10:30am to 11am Table 1: Case study 1 "
        "Round 2 · 11:15am to 11:45am Table 2: Case study 2 "
        "Round 3 · 11:50am to 12:20pm Table 3: Case study 3")
    names = [g.contact.name for g in planned_cafe.by_name()]
    positions = [html.index(f'<h2 class="cafe-itinerary__name">{n}</h2>') for n in names]
    assert positions == sorted(positions)


def test_itinerary_cards_for_chosen_guests_only(signed_in, planned_cafe):
    a, b = planned_cafe.guests[1], planned_cafe.guests[4]
    html = signed_in.get(url(planned_cafe.event, "itineraries",
                             f"only={b.id}, {a.id}")).get_data(as_text=True)
    assert html.count('<section class="cafe-itinerary') == 2
    shown = set(re.findall(r'<h2 class="cafe-itinerary__name">(.*?)</h2>', html))
    assert shown == {a.contact.name, b.contact.name}


@pytest.mark.parametrize("sheet", ["itineraries", "badges", "large-print"])
@pytest.mark.parametrize("query, message", [
    ("only=x", "List the invitation ids as numbers separated by commas"),
    ("only=1;2", "List the invitation ids as numbers separated by commas"),
    ("only=123456", "Not guests of this plan: 123456"),
])
def test_bad_guest_filters_get_a_clear_400(signed_in, planned_cafe, sheet, query, message):
    response = signed_in.get(url(planned_cafe.event, sheet, query))
    assert response.status_code == 400
    assert message in text(response)


def test_a_guest_of_another_event_cannot_be_printed_here(signed_in, db, organiser,
                                                         planned_cafe):
    elsewhere = seated(organiser, db, tables=2, guests=2, rounds=2)
    response = signed_in.get(url(planned_cafe.event, "itineraries",
                                 f"only={elsewhere.guests[0].id}"))
    assert response.status_code == 400
    assert elsewhere.guests[0].contact.name not in text(response)


def test_badges_eight_to_a_sheet_with_the_table_sequence(signed_in, planned_cafe):
    response = signed_in.get(url(planned_cafe.event, "badges"))
    html = response.get_data(as_text=True)
    assert html.count('<div class="cafe-badge-page">') == 2
    assert html.count('<section class="cafe-badge">') == 9
    second = planned_cafe.guests[1]  # tables 2, 3, 1
    badge = text(response).split(second.contact.name)[1].split("Test café")[0]
    assert badge.strip() == f"{second.contact.organisation.name} Tables 2 → 3 → 1"


def test_master_grid_has_everyone_by_name_in_every_round(signed_in, planned_cafe):
    page = text(signed_in.get(url(planned_cafe.event, "grid")))
    assert ("Name Organisation Round 1 10:30am Round 2 11:15am Round 3 11:50am") in page
    rows = []
    for g in planned_cafe.by_name():
        i = planned_cafe.guests.index(g)
        sequence = " ".join(str((i + r) % 3 + 1) for r in range(3))
        rows.append(f"{g.contact.name} {g.contact.organisation.name} {sequence}")
    assert " ".join(rows) in page
    t1 = planned_cafe.tables[0]
    assert f"Table Case study Host 1 Case study 1 {t1.host.name}" in page


def test_table_signs_show_number_title_and_host(signed_in, planned_cafe):
    response = signed_in.get(url(planned_cafe.event, "signs"))
    html = response.get_data(as_text=True)
    assert html.count('<section class="cafe-table-sign"') == 3
    host = planned_cafe.tables[1].host.name
    assert f"Table 2 Case study 2 Host: {host}" in text(response)
    only = signed_in.get(url(planned_cafe.event, "signs", f"tables={planned_cafe.tables[1].id}"))
    assert only.get_data(as_text=True).count('<section class="cafe-table-sign"') == 1


def test_large_print_has_one_guest_a_page(signed_in, planned_cafe):
    response = signed_in.get(url(planned_cafe.event, "large-print"))
    html = response.get_data(as_text=True)
    assert html.count('<section class="cafe-large-print"') == 9
    third = planned_cafe.guests[2]  # tables 3, 1, 2
    person = text(response).split(third.contact.name)[1].split("Round 3")[0]
    assert ("Thursday 20 May 2027, 9:30am to 3:30pm Civic Centre "
            "Round 1: 10:30am to 11am Table 3: Case study 3 "
            "Round 2: 11:15am to 11:45am Table 1: Case study 1") in person


def test_pdf_download_from_either_address(signed_in, planned_cafe):
    for path in (url(planned_cafe.event, "badges", "format=pdf"),
                 url(planned_cafe.event, "badges/pdf")):
        response = signed_in.get(path)
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF-")
        assert response.headers["Content-Disposition"] == \
            'attachment; filename="test-cafe-badges.pdf"'


def test_sheets_never_show_the_story(signed_in, planned_cafe):
    for sheet in SHEETS:
        html = signed_in.get(url(planned_cafe.event, sheet)).get_data(as_text=True)
        assert "Case study 1" in html or sheet == "badges"
        for secret in (STORY, THEME, "Domestic abuse", "health visiting"):
            assert secret not in html, (sheet, secret)


# --- The guest's own page --------------------------------------------------------------------


def test_personal_page_shows_their_own_itinerary_only(client, planned_cafe):
    me, someone_else = planned_cafe.guests[0], planned_cafe.guests[1]
    response = client.get(personal_path(me))
    page = text(response)
    assert response.status_code == 200
    assert f"{me.contact.name} Your day at Test café" in page
    assert "When Thursday 20 May 2027, 9:30am to 3:30pm Where Civic Centre 1 Test Street" in page
    assert ("Round Time Table Case study "
            "1 10:30am to 11am 1 Case study 1 The life of person 1, told by their practitioner. "
            "2 11:15am to 11:45am 2 Case study 2") in page
    assert someone_else.contact.name not in page
    assert planned_cafe.tables[0].host.name not in page
    assert STORY not in page and THEME not in page
    assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_personal_page_before_the_plan_says_the_tables_come_later(client, db, organiser):
    made = cafe(organiser, tables=2, guests=2)
    page = text(client.get(personal_path(made.guests[0])))
    assert "Your tables will appear here once the organisers have planned who sits where" in page


def test_personal_page_of_a_host_names_their_table(client, db, planned_cafe):
    second = planned_cafe.tables[1]
    host = Invitation(event=planned_cafe.event, contact=second.host, state="accepted",
                      link_key="host-key-for-the-test")
    db.session.add(host)
    db.session.commit()
    page = text(client.get(personal_path(host)))
    assert "You host table 2 , Case study 2, all day" in page


def test_personal_page_with_a_bad_link_is_a_clear_404(client, planned_cafe):
    me = planned_cafe.guests[0]
    rsvp_token = make_link_token("rsvp", me.id, me.link_key)
    for path in ("/me/nonsense", personal_path(me)[:-4] + "abcd", f"/me/{rsvp_token}",
                 "/me/" + make_link_token("attendee", 987654, "no-such-key")):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link does not work" in text(response)


def test_personal_page_with_a_revoked_link_is_a_clear_410(client, db, organiser,
                                                          planned_cafe):
    me = planned_cafe.guests[0]
    old = personal_path(me)
    invitations.revoke_link(me, organiser)
    db.session.commit()
    response = client.get(old)
    assert response.status_code == 410
    assert "This link has been replaced" in text(response)
    assert client.get(personal_path(me)).status_code == 200


def test_personal_page_of_a_withdrawn_guest_is_gone(client, db, planned_cafe):
    me = planned_cafe.guests[0]
    me.state = "declined"
    db.session.commit()
    response = client.get(personal_path(me))
    assert response.status_code == 410
    assert "There is no itinerary for this link" in text(response)
    assert "Case study" not in text(response)


def test_personal_url_is_absolute_and_opens_the_page(app, client, planned_cafe):
    me = planned_cafe.guests[0]
    app.config["BASE_URL"] = "https://cafe.example.org/"
    link = services.personal_url(me)
    assert link == "https://cafe.example.org/me/" + services.personal_token(me)
    assert client.get(link.removeprefix("https://cafe.example.org")).status_code == 200


def test_other_features_can_add_sections_to_the_personal_page(monkeypatch, planned_cafe):
    monkeypatch.setattr(panels, "_sections", [])
    panels.register_section(20, "later.html", lambda inv, token: None)
    panels.register_section(10, "actions.html", lambda inv, token: {"token": token})
    panels.register_section(10, "actions.html", lambda inv, token: {"twice": True})
    me = planned_cafe.guests[0]
    assert panels.sections_for(me, "tok") == [("actions.html", {"token": "tok"})]


# --- Rows ------------------------------------------------------------------------------------


def test_parse_ids():
    assert services.parse_ids(None, "ids") is None
    assert services.parse_ids(" 3, 1,3 ", "ids") == [3, 1]
    for bad in ("", " ", "1,", "a", "1.5", "²"):
        with pytest.raises(services.SheetError):
            services.parse_ids(bad, "ids")


def test_itineraries_sorted_by_name_whatever_the_case(db, organiser):
    made = cafe(organiser, tables=2, guests=0, rounds=2)
    people = [guest(made.event, name=n) for n in ("bea Lower", "Abe Upper", "Ábel Accent")]
    store_plan(made.event, {p.id: [made.tables[0].id, made.tables[1].id] for p in people},
               kind="solver", status="feasible")
    db.session.commit()
    sheets = services.load_sheets(made.event)
    assert [i.name for i in sheets.itineraries] == ["Abe Upper", "bea Lower", "Ábel Accent"]
    assert [i.sequence for i in sheets.itineraries] == ["1 → 2"] * 3
    assert services.load_sheets(cafe(organiser, tables=1, guests=1).event) is None


def test_file_names_are_plain_ascii(db, organiser):
    event = factories.make_event(organiser, title="Café: Housing & Health / 2027")
    assert services.file_stem(event, "badges") == "cafe-housing-health-2027-badges"
    event.title = "☕"
    assert services.file_stem(event, "grid") == f"event-{event.id}-grid"


def test_a_table_added_after_the_plan_gets_an_empty_facilitator_sheet(signed_in, db,
                                                                      planned_cafe):
    extra = table(planned_cafe.event, 4)
    db.session.commit()
    page = text(signed_in.get(url(planned_cafe.event, "facilitators", f"tables={extra.id}")))
    assert page.count("No guests at this table in this round.") == 3
