"""The harvest report: titles and summaries (never stories), intervention points, actions with
owners named only by consent, and the figures, as a page and as a PDF."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import event as sqlalchemy_event

from cafe.actions import ladder, report
from cafe.actions.models import Action, Feedback, LadderAnswer
from cafe.capture.models import InterventionPoint
from cafe.casestudies import common, services
from cafe.casestudies.models import CaseStudy
from cafe.clock import utcnow
from cafe.contacts.models import Contact, Organisation
from cafe.extensions import db as _db
from cafe.invitations.models import Invitation
from cafe.rotation.models import Attendance
from cafe.tokens import new_link_key
from tests import factories
from tests.casestudies_fixtures import approved, ctx, story  # noqa: F401 (ctx: fixture)
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("ctx")

# Planted in the approved case studies' stories: none of it may reach the report.
STORY_PHRASE = "kept the marmalade tin under the loose floorboard"
THEME_PHRASE = "tessellated kettle"
WARNING_PHRASE = "porcelain owls"
UNLISTED_NAME = "Umberto Unlisted"
UNLISTED_EMAIL = "umberto.unlisted@example.org"
UNLISTED_PHONE = "01632 960 123"
LISTED_EMAIL = "lena.listed@example.org"


def text(response) -> str:
    """The page's words, without tags."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html_lib.unescape(words))


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "harvest.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return re.sub(r"\s+", " ", out)


def pdf_pages(data: bytes, tmp_path) -> int:
    path = tmp_path / "harvest-info.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                          text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


def _organisation(name: str, kind: str) -> Organisation:
    organisation = Organisation(name=name, kind=kind)
    _db.session.add(organisation)
    return organisation


def _guest(event, name: str, organisation: Organisation, side: str, *, listed: bool,
           email: str | None = None, phone: str = "") -> Invitation:
    contact = Contact(name=name, email=email or name.lower().replace(" ", ".") + "@example.org",
                      job_title="Officer", organisation=organisation, side=side, phone=phone)
    invitation = Invitation(event=event, contact=contact, state="accepted",
                            link_key=new_link_key(), is_listed=listed)
    _db.session.add(invitation)
    _db.session.flush()
    return invitation


def _point(event, case_study: CaseStudy, round_index: int, **values) -> InterventionPoint:
    point = InterventionPoint(event_id=event.id, table_id=case_study.table.id,
                              round_index=round_index, client_id=f"c-{utcnow().timestamp()}-"
                              f"{round_index}-{values.get('life_stage', '')}", **values)
    _db.session.add(point)
    _db.session.flush()
    return point


@pytest.fixture
def event(db, organiser):
    """A café held last week: two tables, points, actions, ladder answers and feedback."""
    event = factories.make_event(organiser, title="Harvest test café",
                                 date=common.today() - timedelta(days=7))
    first = approved(event, organiser, entries=[
        services.EntryDraft("Birth", "Born into a family known to children's services.",
                            "Health visiting"),
        services.EntryDraft("9", "J " + STORY_PHRASE + ".", "School"),
    ], themes=THEME_PHRASE, content_warnings=WARNING_PHRASE)
    second = approved(event, organiser, title="Housed but not at home",
                      summary="A care leaver moved between temporary flats far from support.")
    housing = _organisation("Riverside Housing", "local_authority")
    police = _organisation("Northshire Constabulary", "police")
    office = _organisation("Department for Testing", "central_government")
    lena = _guest(event, "Lena Listed", housing, "frontline", listed=True, email=LISTED_EMAIL)
    umberto = _guest(event, UNLISTED_NAME, police, "frontline", listed=False,
                     email=UNLISTED_EMAIL, phone=UNLISTED_PHONE)
    sam = _guest(event, "Sam Strategy", office, "strategy", listed=True)
    quiet = _guest(event, "Quinn Quiet", office, "strategy", listed=False)
    declined = _guest(event, "Dana Declined", office, "strategy", listed=True)
    declined.state = "declined"
    db.session.add(Attendance(invitation_id=lena.id, event_id=event.id, status="arrived"))
    db.session.add(Attendance(invitation_id=sam.id, event_id=event.id, status="arrived"))
    db.session.add(Attendance(invitation_id=quiet.id, event_id=event.id, status="no_show"))

    point = _point(event, first, 0, life_stage="Age 9",
                   what_happened="Moved school three times in one year",
                   agencies=["School", "Children's social care"],
                   intervention="A single education plan that followed the child",
                   barrier="information_sharing", strength=4)
    _point(event, first, 1, life_stage="Age 14", what_happened="Referral closed after one visit",
           agencies=["CAMHS", " school "], intervention="Keep the referral open for a call back",
           barrier="capacity", strength=2)
    _point(event, second, 0, life_stage="Age 18", what_happened="Left care with no tenancy",
           agencies=["Housing", "Leaving care team"],
           intervention="A tenancy agreed six months before the eighteenth birthday",
           barrier="information_sharing", strength=5)
    _point(event, second, 1, life_stage="Deleted stage", what_happened="Removed by the host",
           agencies=["Nobody"], intervention="Nothing", deleted_at=utcnow())

    db.session.add_all([
        Action(event_id=event.id, invitation_id=lena.id, what="Share school moves with housing",
               partner="Education welfare", due_on=date(2027, 6, 30), status="on_track",
               case_study_id=first.id, intervention_point_id=point.id),
        Action(event_id=event.id, invitation_id=umberto.id,
               what="Flag care leavers at custody", partner="Leaving care team",
               due_on=date(2027, 5, 31), status="done", case_study_id=second.id),
        Action(event_id=event.id, invitation_id=sam.id, what="Brief the policy team",
               due_on=date(2027, 7, 15), status="open"),
    ])
    for invitation, before, after in [(lena, 3, 5), (umberto, 4, 4), (sam, 5, 7),
                                      (quiet, 2, None), (declined, 1, 9)]:
        db.session.add(LadderAnswer(invitation_id=invitation.id, stage="before", rung=before))
        if after:
            db.session.add(LadderAnswer(invitation_id=invitation.id, stage="after", rung=after))
    db.session.add_all([
        Feedback(invitation_id=lena.id, words=["Eye-opening", "Practical"], next_time=""),
        Feedback(invitation_id=umberto.id, words=["Eye-opening", "Humbling"],
                 next_time="Longer rounds"),
        Feedback(invitation_id=sam.id, words=["humbling", "Too long"], next_time=""),
        Feedback(invitation_id=declined.id, words=["Frustrating"], next_time=""),
    ])
    db.session.commit()
    return event


@pytest.fixture
def other_client(app, db):
    """A client signed in as an organiser of nothing here."""
    factories.make_organiser(email="someone.else@example.org", name="Someone Else")
    db.session.commit()
    client = app.test_client()
    sign_in(client, "someone.else@example.org")
    return client


def assert_no_story(page: str) -> None:
    assert STORY_PHRASE not in page
    assert "marmalade" not in page
    assert THEME_PHRASE not in page and WARNING_PHRASE not in page
    assert "Born into a family known" not in page


def assert_no_private_details(page: str) -> None:
    assert UNLISTED_NAME not in page and "Umberto" not in page
    assert "Quinn Quiet" not in page
    assert UNLISTED_EMAIL not in page and LISTED_EMAIL not in page and "@" not in page
    assert UNLISTED_PHONE not in page and "01632" not in page


# --- The page ---------------------------------------------------------------------------------


def test_harvest_page_shows_titles_summaries_and_points_by_table(signed_in, event):
    page = text(signed_in.get(f"/events/{event.id}/harvest"))
    assert "Harvest report: Harvest test café" in page
    assert "Table 1: Falling between school and youth justice" in page
    assert story().summary in page
    assert "Table 2: Housed but not at home" in page
    assert "A care leaver moved between temporary flats far from support." in page
    first = page.index("Table 1: Falling between", page.index("Intervention points "))
    second = page.index("Table 2: Housed but not at home", first)
    assert first < page.index("Moved school three times in one year") < second
    assert first < page.index("Referral closed after one visit") < second
    assert second < page.index("Left care with no tenancy")
    assert "A single education plan that followed the child" in page
    assert "School, Children's social care" in page
    assert "Information sharing Strongly agreed" in page
    assert "Capacity Some agreed" in page
    assert "Round 2" in page
    assert "Removed by the host" not in page and "Deleted stage" not in page


def test_harvest_page_never_shows_a_story(signed_in, event):
    page = signed_in.get(f"/events/{event.id}/harvest").get_data(as_text=True)
    assert_no_story(html_lib.unescape(page))


def test_harvest_names_only_owners_who_agreed_to_be_listed(signed_in, event):
    response = signed_in.get(f"/events/{event.id}/harvest")
    page = text(response)
    assert "Share school moves with housing With Education welfare" in page
    assert "Lena Listed, Riverside Housing" in page
    assert "Flag care leavers at custody" in page
    assert "An attendee from the police" in page
    assert "Northshire Constabulary" not in page
    assert "Sam Strategy, Department for Testing" in page
    assert "From Table 1: Falling between school and youth justice" in page
    assert_no_private_details(html_lib.unescape(response.get_data(as_text=True)))


def test_harvest_page_figures(signed_in, event):
    page = text(signed_in.get(f"/events/{event.id}/harvest"))
    assert "With a seat 2 2 4" in page  # strategy, frontline, total (declined not counted)
    assert "Checked in on the day 1 1 2" in page
    assert "2 tables (2 hosted by the case study's author)" in page
    assert "3 intervention points named" in page
    assert "3 actions agreed" in page
    # By barrier, most first; by agency, spelling and case merged.
    assert re.search(r"Barrier Count Information sharing 2 Capacity 1 Consent 0", page)
    assert re.search(r"Agency Count School 2 CAMHS 1 Children's social care 1", page)
    assert re.search(r"Status Count Not started 1 On track 1 At risk 0 Done 1", page)


def test_harvest_page_ladder_shift_and_feedback_words(signed_in, event):
    page = text(signed_in.get(f"/events/{event.id}/harvest"))
    # Accepted attendees only: the declined guest's 1 -> 9 is left out.
    assert "Before the event: 4 answers, average rung 3.5 (Compliance)" in page
    assert "After the event: 3 answers, average rung 5.3 (Co-operation)" in page
    assert ("Of the 3 who answered both times, 2 moved up, 1 stayed on the same rung and 0 "
            "moved down") in page
    assert "9. Full partnership 0 0 8. Co-ownership 0 0 7. Collaboration 0 1" in page
    assert "5. Co-operation 1 1 4. Compliance 1 1 3. Co-existence 1 0 2. Competition 1 0" in page
    assert "3 attendees gave feedback" in page
    assert re.search(r"Word Count Eye-opening 2 Humbling 2 Practical 1 Too long 1 Positive 0",
                     page)
    assert "Frustrating 0" in page
    assert "Longer rounds" not in page


def test_harvest_report_rows_are_ready_for_the_template(event):
    built = report.harvest_report(event)
    assert [c.table_number for c in built.case_studies] == [1, 2]
    assert [c.point_count for c in built.case_studies] == [2, 1]
    assert [len(g.points) for g in built.point_groups] == [2, 1]
    assert built.ladder.before_average == 3.5 and built.ladder.after_average == 5.3
    assert (built.ladder.paired, built.ladder.moved_up) == (3, 2)
    owners = {a.what: (a.owner, a.is_owner_named) for a in built.actions}
    assert owners["Flag care leavers at custody"] == ("An attendee from the police", False)
    # Ordered by table, then due date; an action from no table comes last.
    assert [a.what for a in built.actions] == ["Share school moves with housing",
                                               "Flag care leavers at custody",
                                               "Brief the policy team"]


def test_harvest_report_never_queries_a_story_and_does_not_grow_with_rows(db, event):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.expire_all()
        report.harvest_report(db.session.get(type(event), event.id))
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", record)
    sql = " ".join(statements)
    assert "timeline_entries" not in sql and "case_study_versions" not in sql
    assert "themes" not in sql and "content_warnings" not in sql
    assert "email" not in sql and "phone" not in sql
    assert len(statements) <= 16


def test_unlisted_owner_from_an_unknown_kind_is_from_a_partner_agency(db, event):
    invitation = db.session.query(Invitation).join(Contact).filter(
        Contact.name == UNLISTED_NAME).one()
    invitation.contact.organisation.kind = "other"
    assert report.owner_description(invitation) == ("An attendee from a partner agency", False)


def test_harvest_page_for_an_event_with_nothing_yet(signed_in, db, organiser):
    empty = factories.make_event(organiser, title="Quiet café")
    db.session.commit()
    page = text(signed_in.get(f"/events/{empty.id}/harvest"))
    assert "There were no case-study tables." in page
    assert "No intervention points were recorded." in page
    assert "No actions have been recorded yet." in page
    assert "No one has placed their partnership on the ladder yet." in page
    assert "No feedback has been given yet." in page


def test_harvest_report_tab_and_print_stylesheet(signed_in, event):
    dashboard = signed_in.get(f"/events/{event.id}/").get_data(as_text=True)
    assert f'href="/events/{event.id}/harvest"' in dashboard and "Harvest report" in dashboard
    page = signed_in.get(f"/events/{event.id}/harvest").get_data(as_text=True)
    assert 'href="/static/harvest/harvest.css"' in page
    assert f'href="/events/{event.id}/harvest.pdf"' in page
    assert f'href="/events/{event.id}/harvest" aria-current="page"' in page
    with signed_in.get("/static/harvest/harvest.css") as stylesheet:
        assert "size: A4" in stylesheet.get_data(as_text=True)


# --- The PDF ----------------------------------------------------------------------------------


def test_harvest_pdf_renders_the_report_without_stories(signed_in, event, tmp_path):
    response = signed_in.get(f"/events/{event.id}/harvest.pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="harvest-report-{event.id}.pdf"')
    assert pdf_pages(response.data, tmp_path) >= 1
    content = pdf_text(response.data, tmp_path)
    assert "Harvest report: Harvest test café" in content
    assert "Falling between school and youth justice" in content
    assert "Left care with no tenancy" in content
    assert "Lena Listed, Riverside Housing" in content
    assert "An attendee from the police" in content
    assert "average rung 3.5 (Compliance)" in content
    assert "Page 1 of" in content
    assert_no_story(content)
    assert_no_private_details(content)


# --- Who may see it ---------------------------------------------------------------------------


def test_harvest_needs_a_signed_in_organiser(client, event):
    for path in (f"/events/{event.id}/harvest", f"/events/{event.id}/harvest.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.location


def test_harvest_of_someone_elses_or_a_missing_event_is_not_found(other_client, signed_in,
                                                                 event):
    for path in (f"/events/{event.id}/harvest", f"/events/{event.id}/harvest.pdf"):
        response = other_client.get(path)
        assert response.status_code == 404 and "Harvest test café" not in text(response)
    assert signed_in.get("/events/9999/harvest").status_code == 404
    assert signed_in.get("/events/9999/harvest.pdf").status_code == 404


def test_attendee_token_opens_the_feedback_page_of_the_harvest_event(client, db, event):
    invitation = db.session.query(Invitation).join(Contact).filter(
        Contact.name == "Lena Listed").one()
    response = client.get(f"/me/{ladder.attendee_token(invitation)}/feedback")
    assert "Which words describe the day?" in text(response)
