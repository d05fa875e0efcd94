"""Case-study pages: organiser access and review, the author's link, the host's day, guests'
choices, the audit trail and printing."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
from datetime import timedelta

import pytest

from cafe.casestudies import common, retention, services
from cafe.casestudies.models import AuditEntry, CaseStudy, CaseStudyPreference
from cafe.tokens import make_link_token
from tests import factories
from tests.casestudies_fixtures import (
    STORY_TEXT,
    approved,
    author_path,
    choose_path,
    commission,
    ctx,  # noqa: F401 (fixture)
    make_contact,
    make_invitation,
    submitted,
    valid_nhs_number,
    written,
)
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("ctx")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def audit_rows(db) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.detail) for e in db.session.query(AuditEntry).order_by(
        AuditEntry.id)]


@pytest.fixture
def event(db, organiser):
    return factories.make_event(organiser)


@pytest.fixture
def other_client(app, db):
    """A client signed in as an organiser of nothing here."""
    factories.make_organiser(email="someone.else@example.org", name="Someone Else")
    db.session.commit()
    client = app.test_client()
    sign_in(client, "someone.else@example.org")
    return client


def story_form(**overrides) -> dict:
    data = {
        "title": "Falling between school and youth justice",
        "summary": "A teenager whose exclusion came just as help was withdrawn.",
        "entries-stage": ["14", ""],
        "entries-what_happened": [f"J was {STORY_TEXT}.", ""],
        "entries-services": ["School, CAMHS", ""],
        "themes": "School exclusion",
        "content_warnings": "Violence",
        "sensitive_terms": "",
    }
    data.update(overrides)
    return data


# --- Organisers ------------------------------------------------------------------------------


def test_list_shows_states_deadlines_tables_and_findings(signed_in, db, event, organiser):
    approved(event, organiser)
    flagged = written(event, summary="Seen at B12 3QJ.")
    commission(event, make_contact("Noor Notstarted"))
    db.session.commit()
    page = text(signed_in.get(f"/events/{event.id}/case-studies/"))
    assert "3 case studies" in page
    assert "Approved" in page and "Draft" in page and "Not started" in page
    assert "Table 1" in page and "1 to deal with" in page
    assert "Untitled: not started" in page and "Noor Notstarted" in page
    assert flagged.deadline.strftime("%B %Y") in page
    assert STORY_TEXT not in page


def test_another_organiser_gets_404_everywhere(other_client, db, event, organiser):
    case_study = approved(event, organiser)
    db.session.commit()
    base = f"/events/{event.id}"
    for path in (f"{base}/case-studies/", f"{base}/case-studies/{case_study.id}/",
                 f"{base}/case-studies/{case_study.id}/handout",
                 f"{base}/case-studies/{case_study.id}/handout.pdf",
                 f"{base}/case-studies/{case_study.id}/export.txt",
                 f"{base}/case-studies/audit", f"{base}/tables/",
                 f"{base}/tables/{case_study.table.id}/sign"):
        assert other_client.get(path).status_code == 404, path
    assert other_client.post(f"{base}/case-studies/{case_study.id}/withdraw").status_code == 404
    assert db.session.query(AuditEntry).count() == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, db, event, organiser):
    case_study = approved(event, organiser)
    db.session.commit()
    response = client.get(f"/events/{event.id}/case-studies/{case_study.id}/")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_commission_through_the_form_emails_the_author(signed_in, db, event, mail_to):
    author = make_contact("Dana Worker")
    make_contact("Sam Strategy", side="strategy")
    db.session.commit()
    form_page = text(signed_in.get(f"/events/{event.id}/case-studies/commission"))
    assert "Dana Worker – Youth worker, Riverside Youth Service (Frontline)" in form_page
    assert form_page.index("Dana Worker") < form_page.index("Sam Strategy")  # frontline first
    deadline = common.today() + timedelta(days=14)
    response = signed_in.post(f"/events/{event.id}/case-studies/commission", data={
        "author": str(author.id), "brief": "A young person excluded from school",
        "structure": "Timeline please", "deadline": [str(deadline.day), str(deadline.month),
                                                     str(deadline.year)]})
    assert response.location == f"/events/{event.id}/case-studies/"
    assert "Case study commissioned from Dana Worker." in text(signed_in.get(response.location))
    case_study = db.session.query(CaseStudy).one()
    assert (case_study.brief, case_study.structure) == ("A young person excluded from school",
                                                        "Timeline please")
    (message,) = mail_to.parsed()
    assert message["To"] == f"Dana Worker <{author.email}>"
    assert message["Subject"].startswith("Action required: write a case study")


def test_commission_errors_are_summarised_and_values_kept(signed_in, db, event):
    make_contact()
    db.session.commit()
    past = common.today() - timedelta(days=1)
    response = signed_in.post(f"/events/{event.id}/case-studies/commission", data={
        "author": "", "brief": "Kept brief",
        "deadline": [str(past.day), str(past.month), str(past.year)]})
    page = text(response)
    assert response.status_code == 400
    assert "There is a problem" in page and "Choose who will write the case study" in page
    assert "Kept brief" in page
    assert db.session.query(CaseStudy).count() == 0


def test_reading_printing_downloading_and_exporting_are_audited(signed_in, db, event, organiser):
    case_study = approved(event, organiser)
    db.session.commit()
    base = f"/events/{event.id}/case-studies/{case_study.id}"
    page = text(signed_in.get(f"{base}/"))
    assert STORY_TEXT in page and "OFFICIAL-SENSITIVE" in page
    assert f"Story deleted on {retention.purge_date(event).day}" not in page  # shown as a date
    handout = text(signed_in.get(f"{base}/handout"))
    assert "Collect at the end of the session" in handout and STORY_TEXT in handout
    pdf = signed_in.get(f"{base}/handout.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    export = signed_in.get(f"{base}/export.txt")
    assert export.get_data(as_text=True).startswith("OFFICIAL-SENSITIVE\n\nTitle: Falling")
    signed_in.get(f"/events/{event.id}/tables/{case_study.table.id}/sign")
    assert audit_rows(db) == [
        ("Olivia Organiser", "view", "Case study page"),
        ("Olivia Organiser", "print", "Table handout"),
        ("Olivia Organiser", "download", "Table handout (PDF)"),
        ("Olivia Organiser", "export", "Plain text"),
        ("Olivia Organiser", "print", "Table sign"),
    ]
    log = text(signed_in.get(f"/events/{event.id}/case-studies/audit"))
    assert "5 records, newest first" in log
    assert "Downloaded: Table handout (PDF)" in log and "Exported: Plain text" in log


def test_organiser_approves_and_the_table_appears(signed_in, db, event, organiser, mail_to):
    case_study = submitted(event)
    db.session.commit()
    base = f"/events/{event.id}/case-studies/{case_study.id}"
    response = signed_in.post(f"{base}/approve")
    assert response.location == f"{base}/"
    page = text(signed_in.get(response.location))
    assert f"Approved. It is table 1, hosted by {case_study.author.name}." in page
    tables = text(signed_in.get(f"/events/{event.id}/tables/"))
    assert "Falling between school and youth justice" in tables
    assert "1 table, 8 seats for guests" in tables
    assert mail_to.parsed()[-1]["Subject"] == "Your case study for Test café is approved"


def test_asking_for_changes_needs_comments_then_the_author_sees_them(signed_in, client, db,
                                                                      event, mail_to):
    case_study = submitted(event)
    db.session.commit()
    base = f"/events/{event.id}/case-studies/{case_study.id}"
    empty = signed_in.post(f"{base}/request-changes", data={"comments": " "})
    assert empty.status_code == 400
    assert "Enter what the author should change" in text(empty)
    signed_in.post(f"{base}/request-changes",
                   data={"comments": "Say what the school did after the fight."})
    assert case_study.state == "changes_requested"
    author_page = text(client.get(author_path(case_study)))
    assert "Changes requested" in author_page
    assert "Say what the school did after the fight." in author_page
    body = mail_to.parsed()[-1].get_body(("plain",)).get_content()
    assert "after the fight" not in body and STORY_TEXT not in body


def test_versions_can_be_compared(signed_in, db, event, organiser):
    case_study = submitted(event)
    services.request_changes(case_study, organiser, "Shorter title")
    services.save_draft(case_study, services.StoryDraft(
        title="Between school and youth justice", summary=case_study.summary,
        entries=[services.EntryDraft(e.stage, e.what_happened, e.services)
                 for e in case_study.entries], themes=case_study.themes,
        content_warnings=case_study.content_warnings))
    services.submit_case_study(case_study)
    db.session.commit()
    page = text(signed_in.get(
        f"/events/{event.id}/case-studies/{case_study.id}/versions/compare?old=2&new=3"))
    assert "Differences between version 2 and version 3" in page
    assert "1 line removed and 1 line added" in page
    assert "Removed: </span><del>Title: Falling between school and youth justice</del>" in page
    assert "Added: </span><ins>Title: Between school and youth justice</ins>" in page
    assert audit_rows(db)[-1] == ("Olivia Organiser", "view", "Versions 2 and 3 compared")


def test_table_can_be_marked_unhosted_and_it_shows_everywhere(signed_in, db, event, organiser):
    case_study = approved(event, organiser)
    db.session.commit()
    table_id = case_study.table.id
    bad = signed_in.post(f"/events/{event.id}/tables/{table_id}/edit",
                         data={"capacity": "none", "author_attends": "yes"})
    assert bad.status_code == 400 and "Capacity must be a whole number, like 8" in text(bad)
    response = signed_in.post(f"/events/{event.id}/tables/{table_id}/edit", data={
        "capacity": "6", "co_facilitator": "Sam Lee", "author_attends": "no"})
    assert response.location == f"/events/{event.id}/tables/"
    tables = text(signed_in.get(response.location))
    assert "Table 1 saved: unhosted." in tables
    assert "1 table is unhosted: table 1." in tables and "Sam Lee" in tables
    assert "Unhosted" in text(signed_in.get(f"/events/{event.id}/case-studies/"))
    dashboard = text(signed_in.get(f"/events/{event.id}/"))
    assert "1 table, <strong>1 unhosted</strong>" in dashboard
    assert f"Stories are deleted on <strong>{retention.purge_date(event):%A} " in dashboard


def test_replacing_the_link_revokes_the_old_one(signed_in, client, db, event):
    case_study = written(event)
    db.session.commit()
    old = author_path(case_study)
    signed_in.post(f"/events/{event.id}/case-studies/{case_study.id}/replace-link")
    response = client.get(old)
    assert response.status_code == 410
    assert "This link no longer works" in text(response)
    assert client.get(author_path(case_study)).status_code == 200


# --- The author's private link ---------------------------------------------------------------


def test_author_link_opens_only_its_own_case_study(client, db, event):
    mine = written(event, title="Mine")
    theirs = written(event, title="Theirs")
    db.session.commit()
    page = text(client.get(author_path(mine)))
    assert 'value="Mine"' in page and "Theirs" not in page
    forged = make_link_token("author", theirs.id, mine.link_key)
    assert client.get(f"/case-study/{forged}/").status_code == 410
    other_scope = make_link_token("invitation", mine.id, mine.link_key)
    response = client.get(f"/case-study/{other_scope}/")
    assert response.status_code == 404 and "This link is not valid" in text(response)
    assert client.post(f"/case-study/{forged}/autosave", data={"title": "x"}).status_code == 410
    assert theirs.title == "Theirs"


def test_author_page_views_are_audited_as_the_author_link(client, db, event):
    case_study = written(event)
    db.session.commit()
    client.get(author_path(case_study))
    assert audit_rows(db) == [("author link", "view", "Author page")]


def test_plain_save_without_script_keeps_the_draft(client, db, event):
    case_study = commission(event)
    db.session.commit()
    response = client.post(author_path(case_study), data=story_form(action="save"))
    assert response.location == author_path(case_study)
    page = text(client.get(response.location))
    assert "Draft saved." in page and STORY_TEXT not in page.split("Draft saved.")[0]
    assert case_study.state == "draft" and [e.stage for e in case_study.entries] == ["14"]


def test_add_and_remove_rows_without_script(client, db, event):
    case_study = commission(event)
    db.session.commit()
    added = client.post(author_path(case_study), data=story_form(action="add_entry"))
    assert added.location == author_path(case_study) + "?blank=2#entries"
    page = text(client.get(added.location))
    assert 'id="entries-2-stage"' in page and 'id="entries-3-stage"' not in page
    data = story_form(**{"entries-stage": ["14", "15"],
                         "entries-what_happened": ["First.", "Second."],
                         "entries-services": ["", ""]})
    data["remove_entry"] = "0"
    client.post(author_path(case_study), data=data)
    assert [e.what_happened for e in case_study.entries] == ["Second."]


def test_autosave_answers_json_with_findings_highlighted(client, db, event):
    case_study = commission(event)
    db.session.commit()
    nhs = valid_nhs_number()
    response = client.post(author_path(case_study, "autosave"),
                           data=story_form(summary=f"Her NHS number {nhs} was shared."))
    data = response.get_json()
    assert data["saved"] is True and data["open_findings"] == 1
    assert f"<mark>{nhs}</mark>" in data["findings_html"]
    assert "Her NHS number " in data["findings_html"]
    assert "Fix or mark as not identifying the 1 highlighted detail" in data["ready_html"]
    assert case_study.revision == 1


def test_autosave_with_an_expired_session_says_so_and_a_fresh_token_works(app, client, db,
                                                                           event):
    app.config["WTF_CSRF_ENABLED"] = True
    case_study = commission(event)
    db.session.commit()
    stale = client.post(author_path(case_study, "autosave"), data=story_form(),
                        headers={"X-CSRFToken": "expired"})
    assert stale.status_code == 400
    assert stale.get_json() == {"saved": False, "error": "csrf",
                                "message": "Your session has expired."}
    assert case_study.revision == 0
    token = client.get(author_path(case_study, "csrf-token")).get_json()["csrf_token"]
    fresh = client.post(author_path(case_study, "autosave"), data=story_form(),
                        headers={"X-CSRFToken": token})
    assert fresh.get_json()["saved"] is True and case_study.title.startswith("Falling")


def test_plain_save_with_an_expired_session_keeps_the_text_on_the_page(app, client, db, event):
    app.config["WTF_CSRF_ENABLED"] = True
    case_study = commission(event)
    db.session.commit()
    response = client.post(author_path(case_study),
                           data=story_form(csrf_token="stale", action="save"))
    page = text(response)
    assert response.status_code == 400
    assert "Your session had expired" in page and STORY_TEXT in page


def test_submit_is_blocked_by_a_planted_nhs_number_until_marked(client, db, event):
    case_study = commission(event)
    db.session.commit()
    nhs = valid_nhs_number()
    form = story_form(summary=f"Referred with NHS number {nhs}.", action="submit")
    blocked = client.post(author_path(case_study), data=form)
    page = text(blocked)
    assert blocked.status_code == 400 and "You cannot submit yet" in page
    assert f"<mark>{nhs}</mark>" in page and case_study.state == "draft"

    no_reason = client.post(author_path(case_study, "decisions"),
                            data={"kind": "nhs_number", "text": nhs, "reason": ""})
    assert no_reason.status_code == 400
    assert "Enter why this detail does not identify anyone" in text(no_reason)
    client.post(author_path(case_study, "decisions"),
                data={"kind": "nhs_number", "text": nhs, "reason": "A made-up training number"})
    assert "Marked as not identifying: “A made-up training number”" in text(
        client.get(author_path(case_study)))
    done = client.post(author_path(case_study), data=form)
    assert done.location == author_path(case_study)
    assert case_study.state == "submitted"
    page = text(client.get(done.location))
    assert "submitted for review" in page and "Take it back to make changes" in page


def test_submitted_story_can_be_taken_back(client, db, event):
    case_study = submitted(event)
    db.session.commit()
    client.post(author_path(case_study, "reopen"))
    assert case_study.state == "draft"


def test_approved_story_is_read_only_for_its_author_before_the_day(client, db, event,
                                                                   organiser):
    case_study = approved(event, organiser)
    db.session.commit()
    page = text(client.get(author_path(case_study)))
    assert "you will host table 1" in page and STORY_TEXT in page
    assert 'name="title"' not in page
    client.post(author_path(case_study), data=story_form(title="Changed"))
    assert case_study.title == "Falling between school and youth justice"


def test_on_the_day_only_the_host_sees_the_story(client, db, organiser):
    event = factories.make_event(organiser, date=common.today())
    hosted = approved(event, organiser)
    unhosted = approved(event, organiser)
    unhosted.table.host_contact_id = None
    draft = written(event)
    db.session.commit()
    host_page = text(client.get(author_path(hosted)))
    assert "Host's view for today: table 1" in host_page and STORY_TEXT in host_page
    not_host = text(client.get(author_path(unhosted)))
    assert STORY_TEXT not in not_host and "Your table is unhosted today" in not_host
    assert STORY_TEXT not in text(client.get(author_path(draft)))
    assert audit_rows(db) == [("host link", "view", "Author page")]


def test_after_the_event_the_link_shows_no_story(client, db, organiser):
    event = factories.make_event(organiser, date=common.today() - timedelta(days=1))
    case_study = approved(event, organiser)
    db.session.commit()
    page = text(client.get(author_path(case_study)))
    assert "The event is over" in page and STORY_TEXT not in page
    retention.purge_expired_stories(common.today() + timedelta(days=60))
    db.session.commit()
    assert "this story has been deleted" in text(client.get(author_path(case_study)))


# --- Guests choose ---------------------------------------------------------------------------


def test_accepted_guest_sees_titles_and_summaries_only_and_ranks_three(client, db, event,
                                                                       organiser):
    studies = [approved(event, organiser, title=f"Story {n}") for n in range(1, 5)]
    written(event, title="Still a draft")
    invitation = make_invitation(event)
    db.session.commit()
    path = choose_path(invitation)
    page = text(client.get(path))
    assert "Table 1: Story 1" in page and "Table 4: Story 4" in page
    assert studies[0].summary in page and "Content warnings: Violence" in page
    assert STORY_TEXT not in page and "Still a draft" not in page
    response = client.post(path, data={"first": str(studies[3].id), "second": "",
                                       "third": str(studies[0].id)})
    assert response.location == path
    assert [(p.rank, p.case_study_id) for p in db.session.query(CaseStudyPreference)
            .order_by(CaseStudyPreference.rank)] == [(1, studies[3].id), (2, studies[0].id)]
    again = text(client.get(path))
    assert "Your choices have been saved." in again
    assert f'<option value="{studies[3].id}" selected>' in again
    twice = client.post(path, data={"first": str(studies[1].id), "second": str(studies[1].id)})
    assert twice.status_code == 400
    assert "Choose a different case study for each choice" in text(twice)


def test_guests_who_have_not_accepted_get_a_clear_page(client, db, event, organiser):
    approved(event, organiser)
    invitation = make_invitation(event, state="declined")
    db.session.commit()
    page = text(client.get(choose_path(invitation)))
    assert "Choosing case studies is for people who have accepted their invitation" in page
    assert "you told us you cannot come" in page
    assert "Falling between" not in page


def test_bad_and_replaced_invitation_links_are_explained(client, db, event):
    invitation = make_invitation(event)
    db.session.commit()
    old = choose_path(invitation)
    assert client.get("/rsvp/not-a-token/case-studies").status_code == 404
    invitation.link_key = "rotated"
    db.session.commit()
    response = client.get(old)
    assert response.status_code == 410 and "This link no longer works" in text(response)


# --- The printed handout ---------------------------------------------------------------------


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "handout.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [page for page in out.split("\f") if page.strip()]


def test_pdf_handout_is_marked_on_every_page_of_a_long_story(signed_in, db, event, organiser,
                                                             tmp_path):
    entries = [services.EntryDraft(f"Age {n}", "Another year of moves between services. " * 25,
                                   "School, CAMHS") for n in range(1, 25)]
    case_study = approved(event, organiser, entries=entries)
    db.session.commit()
    response = signed_in.get(f"/events/{event.id}/case-studies/{case_study.id}/handout.pdf")
    pages = pdf_pages(response.data, tmp_path)
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page
        assert "Collect at the end of the session" in page
        assert f"Page {number} of {len(pages)}" in page
    assert "Falling between school and youth justice" in pages[0]


# --- Every bad input: a message next to the field and a summary at the top -------------------


def summary_links(response) -> list[tuple[str, str]]:
    """(href, text) of each link in the error summary."""
    html = response.get_data(as_text=True)
    box = html.split('govuk-error-summary__list', 1)[1].split("</ul>", 1)[0]
    return [(href, html_lib.unescape(re.sub(r"\s+", " ", label).strip()))
            for href, label in re.findall(r'<a href="([^"]+)">(.*?)</a>', box, re.S)]


def inline_errors(response) -> list[str]:
    """The text of each error message shown next to a field."""
    html = response.get_data(as_text=True)
    messages = re.findall(r'<p [^>]*class="govuk-error-message"[^>]*>(.*?)</p>', html, re.S)
    return [html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m)))
            .replace("Error:", "").strip() for m in messages]


def test_table_capacity_out_of_range_is_explained_not_a_crash(signed_in, db, event, organiser):
    case_study = approved(event, organiser)
    db.session.commit()
    path = f"/events/{event.id}/tables/{case_study.table.id}/edit"
    for capacity in ("0", "-3", "99999999999999999999"):
        response = signed_in.post(path, data={"capacity": capacity, "author_attends": "yes"})
        assert response.status_code == 400, capacity
        assert summary_links(response) == [("#capacity", "Capacity must be between 1 and 30")]
        assert inline_errors(response) == ["Capacity must be between 1 and 30"]
    long_name = signed_in.post(path, data={"capacity": "6", "author_attends": "maybe",
                                           "co_facilitator": "x" * 201})
    assert [message for _, message in summary_links(long_name)] == [
        "Co-facilitator must be 200 characters or fewer",
        "Say whether the author can host the table"]
    assert case_study.table.capacity == 8


def test_commission_from_a_contact_no_longer_listed_says_choose_from_the_list(signed_in, db,
                                                                               event):
    make_contact()
    db.session.commit()
    deadline = common.today() + timedelta(days=7)
    response = signed_in.post(f"/events/{event.id}/case-studies/commission", data={
        "author": "99999", "brief": "b" * 2001,
        "deadline": [str(deadline.day), str(deadline.month), str(deadline.year)]})
    assert response.status_code == 400
    assert summary_links(response) == [
        ("#author", "Choose who will write the case study from the list"),
        ("#brief", "Brief must be 2000 characters or fewer")]


def test_blocked_submit_shows_each_problem_next_to_its_field(client, db, event):
    case_study = commission(event)
    db.session.commit()
    nhs = valid_nhs_number()
    response = client.post(author_path(case_study), data=story_form(**{
        "title": "", "summary": f"Her NHS number {nhs} was on every letter.",
        "entries-stage": ["14", "15"],
        "entries-what_happened": ["Jessica Hartley moved to 14 Eastfield Road.", ""],
        "entries-services": ["School", "Police"], "action": "submit"}))
    assert response.status_code == 400
    page = text(response)
    assert "<title>Error: Your case study" in page and "You cannot submit yet" in page
    assert summary_links(response) == [
        ("#title", "Enter a title"),
        ("#entries-1-what_happened", "Say what happened in life event 2"),
        ("#summary-finding-1",
         "Fix or mark as not identifying the 1 highlighted detail in the one-line summary"),
        ("#entries-0-what_happened-finding-1",
         "Fix or mark as not identifying the 2 highlighted details in life event 1: what "
         "happened")]
    assert inline_errors(response) == [
        "Enter a title",
        "1 likely identifying detail is highlighted under 'Check for identifying details': "
        "change the text, or mark it as not identifying",
        "2 likely identifying details are highlighted under 'Check for identifying details': "
        "change the text, or mark them as not identifying",
        "Say what happened in life event 2"]
    # Each link lands on the highlighted detail, whose reason box is right there.
    assert 'id="summary-finding-1"' in page and f"<mark>{nhs}</mark>" in page
    assert 'id="entries-0-what_happened-finding-1"' in page
    assert "<mark>Jessica Hartley</mark>" in page and "<mark>14 Eastfield Road</mark>" in page
    assert case_study.state == "draft" and case_study.summary.startswith("Her NHS number")


def test_too_long_fields_are_named_next_to_the_field_and_nothing_is_lost(client, db, event):
    case_study = commission(event)
    db.session.commit()
    response = client.post(author_path(case_study), data=story_form(**{
        "title": "T" * 201, "entries-what_happened": ["W" * 5001, ""], "action": "save"}))
    assert response.status_code == 400
    assert summary_links(response) == [
        ("#title", "Title must be 200 characters or fewer"),
        ("#entries-0-what_happened", "Life event 1: what happened must be 5000 characters or "
                                     "fewer")]
    assert inline_errors(response) == [m for _, m in summary_links(response)]
    assert "W" * 5001 in text(response) and case_study.revision == 0


def test_reason_errors_are_summarised_next_to_the_detail_and_keep_the_reason(app, client, db,
                                                                              event):
    nhs = valid_nhs_number()
    case_study = written(event, summary=f"Referred with NHS number {nhs}.")
    db.session.commit()
    path = author_path(case_study, "decisions")
    too_long = client.post(path, data={"kind": "nhs_number", "text": nhs, "reason": "r" * 501})
    assert too_long.status_code == 400
    assert summary_links(too_long) == [("#summary-finding-1-reason",
                                        "The reason must be 500 characters or fewer")]
    assert inline_errors(too_long) == ["The reason must be 500 characters or fewer"]
    assert "r" * 501 + "</textarea>" in too_long.get_data(as_text=True)

    gone = client.post(path, data={"kind": "name", "text": "Nobody Here", "reason": "Invented"})
    assert summary_links(gone) == [("#identifying-details",
                                    "This detail is no longer flagged: the text has changed")]
    assert inline_errors(gone) == ["This detail is no longer flagged: the text has changed"]

    app.config["WTF_CSRF_ENABLED"] = True
    stale = client.post(path, data={"kind": "nhs_number", "text": nhs,
                                    "reason": "A made-up number", "csrf_token": "expired"})
    assert stale.status_code == 400
    assert summary_links(stale)[0][1].startswith("Your session had expired")
    assert "A made-up number</textarea>" in stale.get_data(as_text=True)
    assert case_study.decisions == []


def test_autosave_of_too_many_life_events_says_so(client, db, event):
    case_study = commission(event)
    db.session.commit()
    response = client.post(author_path(case_study, "autosave"), data=story_form(**{
        "entries-stage": [str(n) for n in range(61)],
        "entries-what_happened": ["Moved again."] * 61, "entries-services": [""] * 61}))
    assert response.status_code == 422
    assert response.get_json() == {"saved": False, "error": "invalid",
                                   "message": "A timeline can have up to 60 life events"}


def test_choosing_a_withdrawn_case_study_says_choose_from_the_list(client, db, event,
                                                                   organiser):
    kept, dropped = approved(event, organiser), approved(event, organiser)
    invitation = make_invitation(event)
    db.session.commit()
    services.withdraw_case_study(dropped)
    db.session.commit()
    response = client.post(choose_path(invitation), data={"first": str(kept.id),
                                                          "second": str(dropped.id)})
    assert response.status_code == 400
    assert summary_links(response) == [("#second",
                                        "Choose a case study from the list, or no choice")]
    assert inline_errors(response) == ["Choose a case study from the list, or no choice"]


# --- CSRF on every form -----------------------------------------------------------------------


def test_every_form_refuses_a_post_without_its_csrf_token(app, signed_in, client, db, event,
                                                          organiser):
    case_study = approved(event, organiser)
    other = submitted(event)
    draft = written(event)
    invitation = make_invitation(event)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    base = f"/events/{event.id}/case-studies"
    organiser_posts = [
        (f"{base}/commission", {"author": str(draft.author_id), "brief": "b"}),
        (f"{base}/reminders", {}),
        (f"{base}/{other.id}/approve", {}),
        (f"{base}/{other.id}/request-changes", {"comments": "Shorter"}),
        (f"{base}/{case_study.id}/withdraw", {}),
        (f"{base}/{case_study.id}/send-link", {}),
        (f"{base}/{case_study.id}/replace-link", {}),
        (f"/events/{event.id}/tables/{case_study.table.id}/edit",
         {"capacity": "5", "author_attends": "no"}),
    ]
    key = case_study.link_key
    for path, data in organiser_posts:
        response = signed_in.post(path, data=data)
        assert response.status_code == 400, path
        assert "Your form has expired" in text(response), path
    link_posts = [
        (author_path(draft), story_form(title="Changed", action="save")),
        (author_path(draft, "autosave"), story_form(title="Changed")),
        (author_path(draft, "decisions"), {"kind": "name", "text": "J", "reason": "r"}),
        (author_path(other, "reopen"), {}),
        (author_path(case_study, "hosting"), {"author_attends": "no"}),
        (choose_path(invitation), {"first": str(case_study.id)}),
    ]
    for path, data in link_posts:
        assert client.post(path, data=data).status_code == 400, path
    db.session.expire_all()
    assert (case_study.state, case_study.link_key, case_study.table.capacity) == (
        "approved", key, 8)
    assert (other.state, draft.title, draft.revision) == (
        "submitted", "Falling between school and youth justice", 1)
    assert not case_study.table.is_unhosted
    assert db.session.query(CaseStudy).count() == 3
    assert db.session.query(CaseStudyPreference).count() == 0


# --- Tables: the author says they cannot attend; the sign -------------------------------------


def test_author_who_cannot_attend_says_so_through_their_link(signed_in, client, db, organiser,
                                                             mail_to):
    event = factories.make_event(organiser, date=common.today() + timedelta(days=20))
    case_study = approved(event, organiser)
    db.session.commit()
    page = text(client.get(author_path(case_study)))
    assert "you will host table 1" in page and "Can you host table 1 on" in page

    empty = client.post(author_path(case_study, "hosting"), data={})
    assert empty.status_code == 400
    assert summary_links(empty) == [("#author_attends",
                                     "Say whether you can host the table on the day")]
    assert inline_errors(empty) == ["Say whether you can host the table on the day"]

    response = client.post(author_path(case_study, "hosting"), data={"author_attends": "no"})
    assert response.location == author_path(case_study)
    page = text(client.get(response.location))
    assert "Table 1 will be unhosted; the organisers have been told." in page
    assert "table 1 is <strong>unhosted</strong>, as you cannot attend" in page
    assert case_study.table.is_unhosted
    tables = text(signed_in.get(f"/events/{event.id}/tables/"))
    assert "1 table is unhosted: table 1." in tables
    (message,) = [m for m in mail_to.parsed() if "unhosted" in m["Subject"]]
    assert message["Subject"] == "Action required: table 1 at Test café is unhosted"
    assert message["To"] == f"Olivia Organiser <{organiser.email}>"
    body = message.get_body(("plain",)).get_content()
    assert "cannot attend" in body and STORY_TEXT not in body

    client.post(author_path(case_study, "hosting"), data={"author_attends": "yes"})
    assert case_study.table.host_contact_id == case_study.author_id
    assert "Thank you: you will host table 1." in text(client.get(author_path(case_study)))


def test_table_sign_shows_the_number_and_title_large(signed_in, db, event, organiser):
    first = approved(event, organiser)
    second = approved(event, organiser, title="Missing from care")
    second.table.host_contact_id = None
    db.session.commit()
    one = text(signed_in.get(f"/events/{event.id}/tables/{first.table.id}/sign"))
    assert '<p class="cafe-sign__number">Table 1</p>' in one
    assert '<h1 class="cafe-sign__title">Falling between school and youth justice</h1>' in one
    assert STORY_TEXT not in one
    every = text(signed_in.get(f"/events/{event.id}/tables/signs"))
    assert every.count('class="cafe-sign"') == 2
    assert "Unhosted table: read the handout together" in every


def test_too_many_life_events_is_said_at_the_timeline(client, db, event):
    case_study = commission(event)
    db.session.commit()
    response = client.post(author_path(case_study), data=story_form(**{
        "entries-stage": [str(n) for n in range(61)],
        "entries-what_happened": ["Moved again."] * 61, "entries-services": [""] * 61,
        "action": "save"}))
    assert response.status_code == 400
    assert summary_links(response) == [("#entries", "A timeline can have up to 60 life events")]
    assert inline_errors(response) == ["A timeline can have up to 60 life events"]
    assert case_study.revision == 0
