"""The harvest report: titles and summaries (never stories), intervention points, actions with
owners named only by consent, and the figures, as a page and as a PDF; sending it to everyone
who came; and the organisers-only "what would help next time" list."""

from __future__ import annotations

import email
import email.policy
import html as html_lib
import re
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select, update

from cafe.actions import harvest_mailing, ladder, report
from cafe.actions.models import Action, Feedback, LadderAnswer
from cafe.capture.models import InterventionPoint
from cafe.casestudies import common, services
from cafe.casestudies.models import CaseStudy
from cafe.clock import utcnow
from cafe.contacts.models import Contact, Organisation
from cafe.extensions import db as _db
from cafe.formatting import format_date as report_day
from cafe.invitations.models import Invitation
from cafe.mail.models import OutgoingEmail
from cafe.rotation.models import Attendance
from cafe.sheets.services import personal_token
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
ORGANISERS_ONLY = "Only organisers see this; it is not in the report sent to attendees"


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
    # "What would help next time" is only in the organisers' part, below the report.
    assert "Longer rounds" not in page.split(ORGANISERS_ONLY)[0]


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


# --- Sending the report to everyone who came --------------------------------------------------

CAME = ["lena.listed@example.org", UNLISTED_EMAIL, "sam.strategy@example.org"]
NEXT_TIME_PHRASE = "a quieter room with fewer pillars"


def report_emails(event) -> list[OutgoingEmail]:
    """The report's emails for the event, oldest first."""
    return list(_db.session.scalars(
        select(OutgoingEmail).where(OutgoingEmail.key.like(f"harvest-report:event:{event.id}:%"))
        .order_by(OutgoingEmail.id)))


def parsed(row: OutgoingEmail) -> email.message.EmailMessage:
    return email.message_from_bytes(row.message, policy=email.policy.default)


def invitation_of(name: str) -> Invitation:
    return _db.session.scalars(select(Invitation).join(Contact).where(Contact.name == name)).one()


def send(client, event, **data):
    return client.post(f"/events/{event.id}/harvest/send", data=data, follow_redirects=True)


@pytest.fixture
def waiting(db, event):
    """Someone on the waiting list and someone who never answered: neither came."""
    office = db.session.scalars(select(Organisation).where(
        Organisation.name == "Department for Testing")).one()
    wendy = _guest(event, "Wendy Waiting", office, "strategy", listed=True)
    wendy.state, wendy.waiting_position = "waiting", 1
    silent = _guest(event, "Nico Noreply", office, "frontline", listed=True)
    silent.state = "sent"
    db.session.commit()
    return event


def test_send_report_queues_one_email_per_attendee_who_came(signed_in, waiting):
    event = waiting
    page = text(send(signed_in, event))
    rows = report_emails(event)
    # Not the no-show, the declined guest, the waiting list or the one who never answered.
    assert sorted(row.recipient for row in rows) == sorted(CAME)
    assert {row.key for row in rows} == {
        f"harvest-report:event:{event.id}:edition:1:invitation:{invitation_of(name).id}"
        for name in ("Lena Listed", UNLISTED_NAME, "Sam Strategy")}
    assert {row.state for row in rows} == {"queued"}
    assert "Queued 3 emails with edition 1 of the harvest report attached." in page
    assert "Edition 1 was queued for 3 people" in page and "0 sent, 3 waiting to go" in page


def test_report_email_has_the_pdf_and_the_personal_link_but_no_story(signed_in, event,
                                                                     tmp_path):
    send(signed_in, event)
    row = next(r for r in report_emails(event) if r.recipient == LISTED_EMAIL)
    message = parsed(row)
    assert message["Subject"] == "Harvest report: Harvest test café"
    assert message["To"] == f"Lena Listed <{LISTED_EMAIL}>"
    body = message.get_body(("plain",)).get_content()
    token = personal_token(invitation_of("Lena Listed"))
    assert f"http://localhost/me/{token}\n" in body.replace("\r\n", "\n")
    assert "Dear Lena Listed," in body and "actions and a short form for your feedback" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"harvest-report-{event.id}.pdf"
    data = attachment.get_payload(decode=True)
    assert data.startswith(b"%PDF")
    content = pdf_text(data, tmp_path)
    assert "Harvest report: Harvest test café" in content
    assert "Falling between school and youth justice" in content
    for words in (body, content):
        assert_no_story(words)
        assert "Longer rounds" not in words and ORGANISERS_ONLY not in words
    assert "Table 1" not in body and "Falling between" not in body  # no case study at all


def test_report_pdf_is_rendered_once_per_send(signed_in, event, monkeypatch):
    calls = []
    real = harvest_mailing.harvest_pdf

    def counted(built):
        calls.append(built)
        return real(built)

    monkeypatch.setattr(harvest_mailing, "harvest_pdf", counted)
    send(signed_in, event)
    assert len(calls) == 1 and len(report_emails(event)) == 3
    send(signed_in, event)
    assert len(calls) == 1  # nothing to queue: not even rendered
    # Everyone got the very same file.
    [pdf] = {attachment.get_payload(decode=True) for row in report_emails(event)
             for attachment in parsed(row).iter_attachments()}
    assert pdf.startswith(b"%PDF")


def test_second_press_queues_nothing_and_says_so(signed_in, event):
    send(signed_in, event)
    before = [(row.id, row.key) for row in report_emails(event)]
    page = text(send(signed_in, event))
    assert [(row.id, row.key) for row in report_emails(event)] == before
    assert ("Nothing new was queued: everyone who came already has edition 1 of the report."
            in page)


def test_send_again_with_confirmation_queues_a_new_edition(signed_in, db, event, tmp_path):
    send(signed_in, event)
    db.session.add(Action(event_id=event.id, invitation_id=invitation_of("Sam Strategy").id,
                          what="Write to every head teacher", due_on=date(2027, 9, 1)))
    db.session.commit()
    page = text(send(signed_in, event, again="y"))
    assert "Queued 3 emails with edition 2 of the harvest report attached." in page
    second = [row for row in report_emails(event) if ":edition:2:" in row.key]
    assert sorted(row.recipient for row in second) == sorted(CAME)
    message = parsed(second[0])
    assert message["Subject"] == "Updated harvest report: Harvest test café"
    assert "It replaces the one we sent before." in message.get_body(("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert "Write to every head teacher" in pdf_text(attachment.get_payload(decode=True), tmp_path)
    assert len(report_emails(event)) == 6
    # Without the box ticked, a third press completes edition 2: nothing new.
    page = text(send(signed_in, event))
    assert "everyone who came already has edition 2" in page
    assert len(report_emails(event)) == 6


def test_send_without_confirmation_reaches_only_who_has_not_had_it(signed_in, db, event):
    send(signed_in, event)
    quinn = invitation_of("Quinn Quiet")
    db.session.get(Attendance, quinn.id).status = "arrived"  # the no-show mark was a mistake
    db.session.commit()
    page = text(send(signed_in, event))
    assert "Queued 1 email with edition 1 of the harvest report attached." in page
    assert "3 people already had this edition." in page
    assert report_emails(event)[-1].key.endswith(f":edition:1:invitation:{quinn.id}")


@pytest.mark.parametrize("days", [0, 3])
def test_send_is_refused_until_the_event_is_over(signed_in, db, organiser, days):
    event = factories.make_event(organiser, title="Coming café",
                                 date=common.today() + timedelta(days=days))
    _guest(event, "Early Bird", _organisation("Early Org", "nhs"), "frontline", listed=True)
    db.session.commit()
    response = signed_in.get(f"/events/{event.id}/harvest")
    button = re.search(r"<button[^>]*>\s*Send the report to everyone who came",
                       response.get_data(as_text=True))[0]
    assert "disabled" in button and 'aria-describedby="send-explanation"' in button
    day_after = report_day(event.date + timedelta(days=1))
    assert (f"You can send the report once the event is over, from {day_after}."
            in text(response))
    page = text(send(signed_in, event))
    assert f"The report can be sent once the event is over, from {day_after}." in page
    assert report_emails(event) == []


def test_send_button_is_enabled_after_the_event(signed_in, event):
    page = signed_in.get(f"/events/{event.id}/harvest").get_data(as_text=True)
    button = re.search(r"<button[^>]*>\s*Send the report to everyone who came", page)[0]
    assert "disabled" not in button
    assert f'action="/events/{event.id}/harvest/send"' in page
    assert "You can send the report once the event is over" not in page
    assert "Send a new edition to everyone" not in page  # only once an edition exists
    send(signed_in, event)
    assert "Send a new edition to everyone" in signed_in.get(
        f"/events/{event.id}/harvest").get_data(as_text=True)


def test_send_needs_a_csrf_token(app, signed_in, event):
    app.config["WTF_CSRF_ENABLED"] = True
    page = signed_in.get(f"/events/{event.id}/harvest").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    refused = signed_in.post(f"/events/{event.id}/harvest/send")
    assert refused.status_code == 400 and report_emails(event) == []
    response = signed_in.post(f"/events/{event.id}/harvest/send", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith(
        f"/events/{event.id}/harvest#send")
    assert len(report_emails(event)) == 3


def test_send_needs_a_signed_in_organiser(client, event):
    response = client.post(f"/events/{event.id}/harvest/send")
    assert response.status_code == 302 and "/sign-in" in response.location
    assert report_emails(event) == []


def test_send_for_someone_elses_or_a_missing_event_is_not_found(other_client, signed_in, event):
    assert other_client.post(f"/events/{event.id}/harvest/send").status_code == 404
    assert report_emails(event) == []
    assert signed_in.post("/events/9999/harvest/send").status_code == 404


def test_send_service_refuses_an_event_nobody_came_to(db, organiser):
    empty = factories.make_event(organiser, title="Empty café",
                                 date=common.today() - timedelta(days=2))
    db.session.commit()
    with pytest.raises(harvest_mailing.HarvestSendError, match="nobody to send the report"):
        harvest_mailing.send_harvest_report(empty)
    assert harvest_mailing.latest_edition(empty) == 0


def test_report_emails_are_delivered_with_the_pdf(signed_in, db, event, runner, mail_to,
                                                  tmp_path):
    db.session.execute(update(OutgoingEmail).values(state="sent"))  # the authors' emails
    db.session.commit()
    send(signed_in, event)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 3," in result.output
    assert sorted(r for m in mail_to.messages for r in m.rcpt_tos) == sorted(CAME)
    for message in mail_to.parsed():
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert "Harvest report: Harvest test café" in pdf_text(
            attachment.get_payload(decode=True), tmp_path)
    assert {row.state for row in report_emails(event)} == {"sent"}
    page = text(signed_in.get(f"/events/{event.id}/harvest"))
    assert "3 sent, 0 waiting to go" in page


# --- What would help next time: organisers only -----------------------------------------------


@pytest.fixture
def next_time(db, event):
    """Two more answers to "What would help next time?", the newest last."""
    lena = db.session.get(Feedback, invitation_of("Lena Listed").id)
    lena.next_time, lena.answered_at = NEXT_TIME_PHRASE, utcnow()
    umberto = db.session.get(Feedback, invitation_of(UNLISTED_NAME).id)
    umberto.answered_at = utcnow() - timedelta(days=2)
    sam = db.session.get(Feedback, invitation_of("Sam Strategy").id)
    sam.next_time, sam.answered_at = "More time with the frontline", utcnow() - timedelta(days=1)
    declined = db.session.get(Feedback, invitation_of("Dana Declined").id)
    declined.next_time = "Not for the declined guest"
    db.session.commit()
    return event


def test_next_time_list_is_on_the_page_for_organisers_only(signed_in, next_time):
    page = text(signed_in.get(f"/events/{next_time.id}/harvest"))
    organisers_part = page.split(ORGANISERS_ONLY)[1]
    assert "What would help next time" in organisers_part
    answers = [NEXT_TIME_PHRASE, "More time with the frontline", "Longer rounds"]
    positions = [organisers_part.index(answer) for answer in answers]
    assert positions == sorted(positions)  # newest first
    assert "Not for the declined guest" not in page
    assert "Eye-opening: 2 Humbling: 2 Practical: 1 Too long: 1" in organisers_part
    assert "Positive:" not in organisers_part  # only words someone chose
    for name in ("Lena", "Umberto", "Sam Strategy"):
        assert name not in organisers_part.split("Support links")[0]
    assert NEXT_TIME_PHRASE not in page.split(ORGANISERS_ONLY)[0]


def test_next_time_answers_have_no_names(next_time):
    built = report.harvest_report(next_time)
    answers = report.organiser_feedback(built).answers
    assert [a.text for a in answers] == [NEXT_TIME_PHRASE, "More time with the frontline",
                                         "Longer rounds"]
    assert set(vars(answers[0])) == {"text", "answered_on"}
    assert not hasattr(built, "answers") and "next_time" not in vars(built)


def test_next_time_list_is_not_in_the_pdf_or_the_email(signed_in, next_time, tmp_path):
    content = pdf_text(signed_in.get(f"/events/{next_time.id}/harvest.pdf").data, tmp_path)
    assert "Harvest report: Harvest test café" in content
    send(signed_in, next_time)
    [row, *_] = report_emails(next_time)
    message = parsed(row)
    [attachment] = list(message.iter_attachments())
    attached = pdf_text(attachment.get_payload(decode=True), tmp_path)
    body = message.get_body(("plain",)).get_content()
    for words in (content, attached, body):
        for answer in (NEXT_TIME_PHRASE, "More time with the frontline", "Longer rounds"):
            assert answer not in words
        assert ORGANISERS_ONLY not in words and "What would help next time" not in words


def test_next_time_list_when_nobody_answered(signed_in, db, organiser):
    empty = factories.make_event(organiser, title="Quiet café")
    db.session.commit()
    page = text(signed_in.get(f"/events/{empty.id}/harvest"))
    assert f"{ORGANISERS_ONLY} What would help next time Nobody has given feedback yet." in page
