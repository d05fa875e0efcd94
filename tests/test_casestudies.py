"""Case studies: states, versions, the identifier gate, tables, choices, retention, emails, CLI."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from cafe.casestudies import common, mailing, retention, services, tables
from cafe.casestudies.models import (
    AuditEntry,
    CafeTable,
    CaseStudy,
    CaseStudyPreference,
    CaseStudyVersion,
    IdentifierDecision,
    ReviewComment,
    TimelineEntry,
)
from cafe.casestudies.story import check_story, render_text
from cafe.invitations.models import Invitation
from cafe.mail.models import OutgoingEmail
from cafe.mail.services import deliver_queued
from cafe.tokens import LinkRevoked
from tests import factories
from tests.casestudies_fixtures import (
    STORY_TEXT,
    approved,
    commission,
    ctx,  # noqa: F401 (fixture)
    make_contact,
    make_invitation,
    story,
    submitted,
    valid_nhs_number,
    written,
)

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def event(db, organiser):
    return factories.make_event(organiser)


def bodies(inbox) -> list[str]:
    return [m.get_body(("plain",)).get_content() for m in inbox.parsed()]


# --- Commissioning --------------------------------------------------------------------------


def test_commission_creates_a_case_study_and_queues_the_authors_link(db, event, organiser):
    author = make_contact("Dana Worker")
    case_study = services.commission_case_study(
        event, author, brief="A young person excluded from school",
        deadline=common.today() + timedelta(days=20), organiser=organiser)
    assert case_study.state == "commissioned"
    assert case_study.structure == services.DEFAULT_STRUCTURE
    email = db.session.query(OutgoingEmail).one()
    assert email.recipient == author.email
    assert email.subject.startswith("Action required: write a case study for Test café by ")
    body = message_from_bytes(email.message, policy=policy.default).get_body(("plain",))
    assert f"http://cafe.example.org/case-study/{services.author_token(case_study)}/" in (
        body.get_content())


@pytest.mark.parametrize("days, message", [
    (-1, "The deadline must be today or in the future"),
    (5000, "The deadline must be on or before the day of the event"),
])
def test_commission_refuses_impossible_deadlines(db, event, days, message):
    with pytest.raises(common.CaseStudyError, match=message):
        services.commission_case_study(event, make_contact(), brief="Brief",
                                       deadline=common.today() + timedelta(days=days))


# --- Writing, checking and submitting -------------------------------------------------------


def test_first_save_makes_a_draft_and_keeps_every_field(db, event):
    case_study = commission(event)
    check = services.save_draft(case_study, story())
    assert case_study.state == "draft" and case_study.revision == 1
    assert [e.stage for e in case_study.entries] == ["Birth", "14", "15"]
    assert case_study.theme_list == ["School exclusion", "Criminal exploitation"]
    assert check.open_count == 0


def test_saving_fewer_entries_removes_the_rest_and_blank_rows_are_ignored(db, event):
    case_study = written(event)
    services.save_draft(case_study, story(entries=[
        services.EntryDraft("", "", ""), services.EntryDraft("16", "Moved to supported housing.")]))
    db.session.commit()
    assert [(e.position, e.stage) for e in case_study.entries] == [(0, "16")]
    assert db.session.query(TimelineEntry).count() == 1


def test_identifying_details_block_submission_until_fixed_or_marked(db, event):
    nhs = valid_nhs_number()
    case_study = written(event, summary=f"NHS number {nhs} was on the referral.")
    check = check_story(case_study)
    assert [(f.field.label, flag.finding.kind, flag.finding.text)
            for f in check.fields for flag in f.flags] == [
        ("One-line summary", "nhs_number", nhs)]
    with pytest.raises(services.SubmitBlocked) as blocked:
        services.submit_case_study(case_study)
    assert [(b.message, b.href) for b in blocked.value.blockers] == [
        ("Fix or mark as not identifying the 1 highlighted detail in the one-line summary",
         "#summary-finding-1")]
    assert case_study.state == "draft"

    services.mark_not_identifying(case_study, "nhs_number", nhs, "An invented training number")
    version = services.submit_case_study(case_study)
    assert case_study.state == "submitted" and version.number == 1


def test_submit_lists_every_missing_part(db, event):
    case_study = commission(event)
    services.save_draft(case_study, services.StoryDraft(entries=[
        services.EntryDraft("12", "", "School")]))
    assert [b.message for b in services.submit_blockers(case_study)] == [
        "Enter a title", "Enter a one-line summary", "Say what happened in life event 1"]


def test_decision_survives_edits_elsewhere_and_lapses_when_the_text_changes(db, event):
    case_study = written(event, summary="Her worker, Mrs Okafor, stayed with her.")
    (flag,) = check_story(case_study).open_flags
    services.mark_not_identifying(case_study, flag.finding.kind, flag.finding.text,
                                  "The worker agreed to be named")
    services.save_draft(case_study, story(title="A new title",
                                          summary="Later, her worker, Mrs Okafor, stayed."))
    assert check_story(case_study).open_count == 0
    services.save_draft(case_study, story(summary="Her worker, Mrs Adeyemi, stayed with her."))
    assert [f.finding.text for f in check_story(case_study).open_flags] == ["Mrs Adeyemi"]


def test_only_flagged_details_can_be_marked_and_a_reason_is_needed(db, event):
    case_study = written(event, summary="Seen at B12 3QJ.")
    with pytest.raises(common.CaseStudyError, match="Enter why this detail"):
        services.mark_not_identifying(case_study, "postcode", "B12 3QJ", "  ")
    with pytest.raises(common.CaseStudyError, match="no longer flagged"):
        services.mark_not_identifying(case_study, "postcode", "SW1A 1AA", "Made up")
    assert db.session.query(IdentifierDecision).count() == 0


def test_sensitive_terms_are_flagged_wherever_they_appear(db, event):
    case_study = written(event, sensitive_terms="Northbrook Academy",
                         summary="Excluded from Northbrook Academy in Year 9.")
    assert [(f.field.key, flag.finding.kind) for f in check_story(case_study).fields
            for flag in f.flags] == [("summary", "sensitive_term")]


def test_reopening_a_submission_makes_it_editable_again(db, event):
    case_study = submitted(event)
    with pytest.raises(common.CaseStudyError):
        services.save_draft(case_study, story(title="Changed"))
    services.reopen_case_study(case_study)
    services.save_draft(case_study, story(title="Changed"))
    assert case_study.state == "draft" and case_study.title == "Changed"


# --- Review, versions and tables -------------------------------------------------------------


def test_review_cycle_keeps_versions_and_a_readable_diff(db, event, organiser):
    case_study = submitted(event)
    services.request_changes(case_study, organiser, "Say more about the school's response.")
    assert case_study.state == "changes_requested"
    services.save_draft(case_study, story(entries=[
        services.EntryDraft("14", "J is " + STORY_TEXT + " without a review meeting.",
                            "School, CAMHS")]))
    services.submit_case_study(case_study)
    services.approve_case_study(case_study, organiser)
    assert [(v.number, v.reason) for v in case_study.versions] == [
        (1, "Submitted by the author"),
        (2, "Changes requested by Olivia Organiser"),
        (3, "Submitted by the author"),
        (4, "Approved by Olivia Organiser"),
    ]
    old, new, lines = services.version_diff(case_study, 2, 3)
    changed = [(line.op, line.text) for line in lines if line.op != "same"]
    assert ("removed", "Age or stage: Birth") in changed
    assert ("added", f"   J is {STORY_TEXT} without a review meeting.") in changed
    assert ("removed", f"   J is {STORY_TEXT}.") in changed
    assert [line.op for line in services.version_diff(case_study, 3, 4)[2]] == ["same"] * len(
        render_text(case_study).splitlines())


def test_request_changes_needs_comments_and_a_submission(db, event, organiser):
    case_study = written(event)
    with pytest.raises(common.CaseStudyError, match="once the story has been submitted"):
        services.request_changes(case_study, organiser, "More")
    services.submit_case_study(case_study)
    with pytest.raises(common.CaseStudyError, match="Enter what the author should change"):
        services.request_changes(case_study, organiser, "  ")


def test_only_submitted_stories_can_be_approved(db, event, organiser):
    with pytest.raises(common.CaseStudyError, match="Only a story submitted"):
        services.approve_case_study(written(event), organiser)


def test_approval_makes_numbered_tables_hosted_by_their_authors(db, event, organiser):
    first = approved(event, organiser)
    second = approved(event, organiser)
    assert [(t.number, t.host_contact_id, t.capacity) for t in tables.tables_for(event)] == [
        (1, first.author_id, tables.DEFAULT_TABLE_CAPACITY),
        (2, second.author_id, tables.DEFAULT_TABLE_CAPACITY)]
    services.request_changes(first, organiser, "One more detail")
    services.submit_case_study(first)
    services.approve_case_study(first, organiser)
    assert [t.number for t in tables.tables_for(event)] == [1, 2]  # re-approval keeps it


def test_author_who_cannot_attend_leaves_the_table_unhosted(db, event, organiser):
    table = approved(event, organiser).table
    tables.update_table(table, capacity=6, co_facilitator="  Sam  Lee ", author_attends=False)
    assert (table.is_unhosted, table.capacity, table.co_facilitator) == (True, 6, "Sam Lee")
    assert services.event_overview(event).unhosted == 1
    tables.update_table(table, capacity=6, co_facilitator="", author_attends=True)
    assert table.host_contact_id == table.case_study.author_id


def test_withdrawing_removes_the_table_and_choices_and_frees_the_number(db, event, organiser):
    case_study = approved(event, organiser)
    invitation = make_invitation(event)
    tables.set_preferences(invitation, [case_study.id])
    services.withdraw_case_study(case_study)
    assert case_study.state == "withdrawn"
    assert db.session.query(CafeTable).count() == 0
    assert db.session.query(CaseStudyPreference).count() == 0
    assert approved(event, organiser).table.number == 1


# --- Link and visibility rules ---------------------------------------------------------------


def test_author_link_mode_follows_state_and_the_event_day(db, organiser):
    event = factories.make_event(organiser, date=common.today() + timedelta(days=10))
    case_study = written(event)
    assert services.author_link_mode(case_study) == "edit"
    services.submit_case_study(case_study)
    assert services.author_link_mode(case_study) == "submitted"
    services.approve_case_study(case_study, organiser)
    assert services.author_link_mode(case_study) == "read"
    assert services.author_link_mode(case_study, on=event.date) == "host"
    assert services.author_link_mode(case_study, on=event.date + timedelta(days=1)) == "over"
    case_study.table.host_contact_id = None
    assert services.author_link_mode(case_study, on=event.date) == "not_host"


def test_replacing_the_link_revokes_the_old_one(db, event):
    case_study = commission(event)
    old = services.author_token(case_study)
    services.replace_author_link(case_study)
    with pytest.raises(LinkRevoked):
        services.case_study_from_token(old)
    assert services.case_study_from_token(services.author_token(case_study)) is case_study


def test_new_link_email_is_keyed_without_giving_the_link_away(db, event):
    case_study = commission(event)
    key = services.replace_author_link(case_study)
    assert key.startswith(f"case-study-{case_study.id}-new-link-")
    assert case_study.link_key[:6] not in key
    assert services.author_token(case_study) not in key


def test_author_who_cannot_attend_unhosts_their_table_until_the_day(db, organiser):
    event = factories.make_event(organiser, date=common.today() + timedelta(days=10))
    case_study = approved(event, organiser)
    table = tables.set_author_attendance(case_study, False)
    assert table.is_unhosted and table.host_contact_id is None
    assert tables.set_author_attendance(case_study, True).host_contact_id == case_study.author_id
    with pytest.raises(common.CaseStudyError, match="too late"):
        tables.set_author_attendance(case_study, False, on=event.date)
    with pytest.raises(common.CaseStudyError, match="approved"):
        tables.set_author_attendance(submitted(event), False)


# --- Guests' choices ------------------------------------------------------------------------


def test_guest_ranks_up_to_three_approved_case_studies(db, event, organiser):
    studies = [approved(event, organiser) for _ in range(4)]
    invitation = make_invitation(event)
    tables.set_preferences(invitation, [studies[2].id, None, studies[0].id])
    assert [(p.rank, p.case_study_id) for p in tables.preferences_for(invitation)] == [
        (1, studies[2].id), (2, studies[0].id)]
    with pytest.raises(common.CaseStudyError, match="Choose up to 3"):
        tables.set_preferences(invitation, [s.id for s in studies])
    with pytest.raises(common.CaseStudyError, match="only once"):
        tables.set_preferences(invitation, [studies[1].id, studies[1].id])
    tables.set_preferences(invitation, [studies[3].id])
    assert [p.case_study_id for p in tables.preferences_for(invitation)] == [studies[3].id]


def test_only_accepted_guests_choose_and_only_approved_studies(db, event, organiser):
    draft = written(event)
    with pytest.raises(common.CaseStudyError, match="accepted"):
        tables.set_preferences(make_invitation(event, state="sent"), [])
    with pytest.raises(common.CaseStudyError, match="Choose from the case studies listed"):
        tables.set_preferences(make_invitation(event), [draft.id])


# --- Audit and retention --------------------------------------------------------------------


def test_audit_log_is_newest_first_and_per_case_study(db, event, organiser):
    first, second = written(event), written(event)
    services.record_access(first, "view", "Case study page", organiser=organiser)
    services.record_access(second, "print", "Table handout", actor="author link")
    assert [(e.actor, e.action, e.case_study_id) for e in services.audit_log(event)] == [
        ("author link", "print", second.id), ("Olivia Organiser", "view", first.id)]
    assert [e.case_study_id for e in services.audit_log(event, first)] == [first.id]


def test_purge_removes_story_text_keeps_titles_and_summaries_and_is_idempotent(db, organiser):
    old = factories.make_event(organiser, title="Old café",
                               date=common.today() - timedelta(days=30))
    recent = factories.make_event(organiser, title="Recent café",
                                  date=common.today() - timedelta(days=29))
    gone = approved(old, organiser, summary="A summary that stays.")
    services.request_changes(gone, organiser, "Comment quoting the story")
    services.record_access(gone, "view", "Case study page", organiser=organiser)
    kept = approved(recent, organiser)
    db.session.commit()

    report = retention.purge_expired_stories()
    db.session.commit()
    assert [(p.event.title, p.case_studies) for p in report] == [("Old café", 1)]
    gone = db.session.get(CaseStudy, gone.id)
    assert (gone.title, gone.summary) == ("Falling between school and youth justice",
                                          "A summary that stays.")
    assert gone.is_purged and gone.themes == gone.content_warnings == ""
    for model in (TimelineEntry, CaseStudyVersion):
        assert {row.case_study_id for row in db.session.query(model)} == {kept.id}
    assert db.session.query(ReviewComment).count() == 0
    assert db.session.query(AuditEntry).count() == 1  # who read it stays on record
    assert STORY_TEXT not in render_text(gone)
    assert retention.purge_expired_stories() == []


def test_retention_days_come_from_config(app, db, organiser):
    app.config["CASE_STUDY_RETENTION_DAYS"] = 7
    event = factories.make_event(organiser, date=common.today() - timedelta(days=7))
    approved(event, organiser)
    assert retention.purge_date(event) == common.today()
    assert [p.case_studies for p in retention.purge_expired_stories()] == [1]


# --- Emails ---------------------------------------------------------------------------------


def test_no_email_carries_story_text(db, event, organiser, mail_to):
    case_study = submitted(event)
    services.request_changes(case_study, organiser, "Please remove the fight at school.")
    services.submit_case_study(case_study)
    services.approve_case_study(case_study, organiser)
    services.replace_author_link(case_study)
    db.session.commit()
    deliver_queued()
    texts = bodies(mail_to)
    assert len(texts) == 4
    for text in texts:
        assert "excluded from school" not in text and "CAMHS" not in text
        assert "fight at school" not in text and "School exclusion" not in text
    assert "Their comments are on your page" in texts[1]
    assert "You will host table 1." in texts[2]


def test_reminders_go_7_and_2_days_before_once_each_to_those_not_submitted(db, organiser,
                                                                            mail_to):
    event = factories.make_event(organiser, date=common.today() + timedelta(days=40))
    deadline = common.today() + timedelta(days=7)
    waiting = commission(event, deadline=deadline)
    services.save_draft(commission(event, deadline=deadline), story())
    submitted_one = commission(event, deadline=deadline)
    services.save_draft(submitted_one, story())
    services.submit_case_study(submitted_one)
    far = commission(event, deadline=common.today() + timedelta(days=8))
    db.session.commit()

    today = common.today()
    keys = mailing.queue_deadline_reminders(today)
    assert len(keys) == 2 and all("7-days" in k for k in keys)
    assert mailing.queue_deadline_reminders(today) == []  # idempotent
    assert mailing.reminder_due(far, today) is None
    assert [k.split("-reminder-")[1] for k in mailing.queue_deadline_reminders(
        today + timedelta(days=3))] == ["7-days-" + f"{far.deadline:%Y%m%d}"]
    assert len(mailing.queue_deadline_reminders(today + timedelta(days=5))) == 2  # 2 days left
    assert mailing.reminder_due(waiting, today + timedelta(days=8)) == "overdue"
    db.session.commit()
    deliver_queued()
    subjects = [m["Subject"] for m in mail_to.parsed()]
    reminders = [s for s in subjects if "is due on" in s]
    assert len(reminders) == 5
    assert all(s.startswith("Action required: your case study for Test café") for s in reminders)
    texts = bodies(mail_to)
    assert not any(STORY_TEXT in text for text in texts)


# --- Commands -------------------------------------------------------------------------------


def test_check_command_prints_findings_and_exits_1(runner, tmp_path):
    nhs = valid_nhs_number()
    path = tmp_path / "story.txt"
    path.write_text(f"J, 15: excluded.\nNHS number {nhs}, seen at B12 3QJ.\n", encoding="utf-8")
    result = runner.invoke(args=["casestudies", "check", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split("\t")[:3] == ["2:12", "nhs_number", f'"{nhs}"']
    assert lines[1].split("\t")[:3] == ["2:32", "postcode", '"B12 3QJ"']
    assert "Looks like a full postcode" in lines[1]
    assert "2 likely identifying details found." in result.output


def test_check_command_passes_clean_text_and_knows_sensitive_terms(runner, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("J, 15, was known to CAMHS and the Youth Offending Service.\n"
                    "He lived on the Marsh estate.\n", encoding="utf-8")
    clean = runner.invoke(args=["casestudies", "check", str(path)])
    assert (clean.exit_code, clean.output.strip()) == (0, "No likely identifying details found.")
    flagged = runner.invoke(args=["casestudies", "check", str(path), "--sensitive", "Marsh"])
    assert flagged.exit_code == 1 and "2:17\tsensitive_term\t\"Marsh\"" in flagged.output


def test_remind_command_sends_due_reminders_once(runner, db, organiser, mail_to):
    event = factories.make_event(organiser, date=common.today() + timedelta(days=30))
    commission(event, deadline=common.today() + timedelta(days=2))
    db.session.commit()
    db.session.query(OutgoingEmail).delete()  # forget the commissioning email
    db.session.commit()
    first = runner.invoke(args=["casestudies", "remind", "--base-url", "https://cafe.example.org"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "Queued 1 reminder; sent 1, will retry 0, failed 0."
    again = runner.invoke(args=["casestudies", "remind", "--base-url", "https://cafe.example.org"])
    assert again.output.strip() == "No reminders are due."
    (message,) = mail_to.parsed()
    assert message["Subject"].startswith("Action required:")
    assert "https://cafe.example.org/case-study/" in message.get_body(("plain",)).get_content()


def test_check_command_reads_standard_input(runner):
    text = "J moved to 14 Eastfield Road at 15; the Youth Offending Service was involved.\n"
    for args in (["casestudies", "check"], ["casestudies", "check", "-"]):
        result = runner.invoke(args=args, input=text)
        assert result.exit_code == 1
        assert result.output.splitlines()[0].split("\t")[:3] == [
            "1:12", "address", '"14 Eastfield Road"']
    clean = runner.invoke(args=["casestudies", "check"], input="J, 15, in the spring term.\n")
    assert (clean.exit_code, clean.output.strip()) == (0, "No likely identifying details found.")


def test_remind_command_uses_the_configured_base_url(app, runner, db, organiser, mail_to):
    app.config["BASE_URL"] = "https://cafe.example.gov.uk/"
    event = factories.make_event(organiser, date=common.today() + timedelta(days=30))
    commission(event, deadline=common.today() + timedelta(days=2))
    db.session.query(OutgoingEmail).delete()  # forget the commissioning email
    db.session.commit()
    result = runner.invoke(args=["casestudies", "remind"])
    assert result.exit_code == 0, result.output
    (message,) = mail_to.parsed()
    body = message.get_body(("plain",)).get_content()
    assert "https://cafe.example.gov.uk/case-study/" in body


def test_remind_command_needs_the_sites_address(runner, db):
    result = runner.invoke(args=["casestudies", "remind"])
    assert result.exit_code == 1 and "--base-url" in result.output


def test_purge_command_reports_then_finds_nothing(runner, db, organiser):
    event = factories.make_event(organiser, title="Past café",
                                 date=common.today() - timedelta(days=45))
    approved(event, organiser)
    db.session.commit()
    first = runner.invoke(args=["purge"])
    assert first.exit_code == 0, first.output
    assert "Purged the stories of 1 case study of 'Past café'" in first.output
    assert "titles and summaries kept" in first.output
    assert runner.invoke(args=["purge"]).output.strip() == "Nothing to purge."


# --- Demo -----------------------------------------------------------------------------------


def test_demo_has_ten_approved_case_studies_and_others_at_every_stage(runner, db, monkeypatch):
    monkeypatch.setenv("CAFE_DEMO_PASSWORD", "demo-password-for-tests")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "14 case studies (10 approved as tables, one unhosted" in result.output
    studies = db.session.query(CaseStudy).order_by(CaseStudy.id).all()
    states = [c.state for c in studies]
    assert (states.count("approved"), states.count("submitted"),
            states.count("changes_requested"), states.count("draft"),
            states.count("commissioned")) == (10, 1, 1, 1, 1)
    assert len({c.author_id for c in studies}) == 14
    assert all(c.author.side == "frontline" for c in studies)
    tables = db.session.query(CafeTable).order_by(CafeTable.number).all()
    assert [t.number for t in tables] == list(range(1, 11))
    assert sum(t.is_unhosted for t in tables) == 1
    assert sum(bool(t.co_facilitator) for t in tables) == 3
    # Enough seats for every guest who accepted, in every round.
    accepted = db.session.query(Invitation).filter_by(state="accepted").count()
    assert sum(t.capacity for t in tables) >= accepted
    assert db.session.query(IdentifierDecision).count() == 3
    for case_study in studies:
        if case_study.state in {"approved", "submitted"}:
            assert services.submit_blockers(case_study) == []
    changes = next(c for c in studies if c.state == "changes_requested")
    assert changes.comments and [v.reason for v in changes.versions][-1].startswith("Changes")
    assert db.session.query(OutgoingEmail).count() == 0  # nobody is emailed by the demo


@pytest.mark.postgres
def test_demo_review_choices_and_purge_work_on_postgresql(pg_database):
    from cafe.demo import load_demo
    from cafe.extensions import db as _db
    from tests.conftest import make_test_app

    app = make_test_app(SQLALCHEMY_DATABASE_URI=pg_database)
    with app.app_context(), app.test_request_context(base_url="http://cafe.example.org"):
        try:
            _db.create_all()
            load_demo("demo@example.org", "demo-password")
            _db.session.commit()
            event = _db.session.query(CaseStudy).first().event
            first_choices = sum(c[1] for c in tables.preference_counts(event).values())
            invitation = make_invitation(event)
            chosen = [c.id for c in tables.choosable_case_studies(event)[:3]]
            tables.set_preferences(invitation, chosen)
            _db.session.commit()
            assert [p.case_study_id for p in tables.preferences_for(invitation)] == chosen
            assert sum(c[1] for c in tables.preference_counts(event).values()) == first_choices + 1
            purged = retention.purge_expired_stories(event.date + timedelta(days=30))
            _db.session.commit()
            assert [p.case_studies for p in purged] == [14]
            assert _db.session.query(TimelineEntry).count() == 0
            assert all(c.title or c.state == "commissioned"
                       for c in _db.session.query(CaseStudy))
        finally:
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()
