"""Contacts services: organisations, search, changes, merging duplicates, all-or-nothing import."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cafe.clock import utcnow
from cafe.contacts import csvio, duplicates, importing, services
from cafe.contacts.demo import load_contacts
from cafe.contacts.models import Contact, ContactDistinction, ContactImport, Organisation
from cafe.extensions import db as _db
from cafe.invitations.models import HistoryEntry, Invitation, Send, SendRecipient
from cafe.mail.models import OutgoingEmail
from tests import factories
from tests.conftest import make_test_app
from tests.contacts_fixtures import (
    at,
    csv_bytes,
    make_contact,
    make_invitation,
    make_organisation,
    people_csv,
)


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def borough(db):
    """Three organisations and six contacts."""
    home_office = make_organisation("Home Office", "central_government")
    housing = make_organisation("Redbridge Council Housing Service", "local_authority")
    police = make_organisation("Metropolitan Police, East Area", "police")
    people = {
        "priya": make_contact(home_office, name="Priya Raghunathan", email="priya@example.org",
                              job_title="Head of Serious Violence Strategy", side="strategy",
                              created_at=at(2026, 1, 5)),
        "tomasz": make_contact(housing, name="Tomasz Nowak", email="tomasz@example.org",
                               job_title="Housing Options Officer", side="frontline",
                               created_at=at(2026, 3, 1)),
        "abi": make_contact(housing, name="Abimbola Fashola", email="abi@example.org",
                            job_title="Tenancy Sustainment Officer", side="frontline",
                            created_at=at(2026, 2, 1)),
        "sandra": make_contact(housing, name="Sandra Achterberg", email="sandra@example.org",
                               job_title="Head of Housing Needs", side="strategy",
                               created_at=at(2026, 4, 1)),
        "dev": make_contact(police, name="Dev Patelford", email="dev@example.org",
                            job_title="Detective Sergeant", side="frontline",
                            created_at=at(2026, 5, 1)),
        "zoe": make_contact(police, name="zoë Ashby", email="zoe@example.org",
                            job_title="Superintendent", side="strategy",
                            created_at=at(2026, 6, 1)),
    }
    db.session.commit()
    return {"home_office": home_office, "housing": housing, "police": police, **people}


def _names(contacts) -> list[str]:
    return [contact.name for contact in contacts]


# --- Organisations ---------------------------------------------------------------------------


def test_organisation_list_counts_contacts_including_none(borough, db):
    empty = make_organisation("Eastbrook Schools Partnership", "education")
    rows = [(s.organisation.name, s.contact_count) for s in services.organisation_list()]
    assert rows == [
        ("Eastbrook Schools Partnership", 0),
        ("Home Office", 1),
        ("Metropolitan Police, East Area", 2),
        ("Redbridge Council Housing Service", 3),
    ]
    assert empty.kind_label == "Education"


def test_get_or_create_organisation_reuses_a_name_ignoring_case_and_spaces(borough, db):
    found = services.get_or_create_organisation("  home   OFFICE ", "other")
    assert found.id == borough["home_office"].id
    assert found.kind == "central_government"  # an existing organisation keeps its kind
    new = services.get_or_create_organisation("Redbridge  Youth Offending Service",
                                              "local_authority")
    assert (new.name, new.kind) == ("Redbridge Youth Offending Service", "local_authority")
    assert _count(Organisation) == 4


def test_create_organisation_refuses_a_taken_name(borough, db):
    with pytest.raises(services.ContactError) as caught:
        services.create_organisation("HOME OFFICE", "central_government")
    assert str(caught.value) == "There is already an organisation called Home Office"
    assert caught.value.field == "name"


def test_update_organisation_renames_and_changes_kind_but_not_onto_another(borough, db):
    services.update_organisation(borough["police"], "Met Police East", "police")
    assert borough["police"].name == "Met Police East"
    with pytest.raises(services.ContactError, match="already an organisation called Home Office"):
        services.update_organisation(borough["police"], "home office", "police")
    services.update_organisation(borough["home_office"], "Home Office", "other")  # own name
    assert borough["home_office"].kind == "other"


def test_delete_organisation_only_when_nobody_works_there(borough, db):
    with pytest.raises(services.ContactError, match="2 contacts work there"):
        services.delete_organisation(borough["police"])
    spare = make_organisation("Typo Organisaton", "other")
    services.delete_organisation(spare)
    assert services.find_organisation("Typo Organisaton") is None


# --- Search, filters, sorting, pages ---------------------------------------------------------


def test_search_matches_every_word_in_name_email_job_title_or_organisation(borough):
    assert _names(services.search_contacts(query="housing").items) == [
        "Abimbola Fashola", "Sandra Achterberg", "Tomasz Nowak"]
    assert _names(services.search_contacts(query="head housing").items) == ["Sandra Achterberg"]
    assert _names(services.search_contacts(query="DEV@EXAMPLE").items) == ["Dev Patelford"]
    assert _names(services.search_contacts(query="east area").items) == [
        "Dev Patelford", "zoë Ashby"]
    assert services.search_contacts(query="nobody").items == []


def test_search_treats_wildcards_as_plain_characters(borough, db):
    make_contact(borough["housing"], name="Percent Person", email="pc@example.org",
                 job_title="100% officer")
    assert _names(services.search_contacts(query="100%").items) == ["Percent Person"]
    assert services.search_contacts(query="_").items == []
    assert services.search_contacts(query="%%").items == []


def test_filters_by_organisation_kind_and_side_combine(borough):
    housing = borough["housing"].id
    assert _names(services.search_contacts(organisation_id=housing, side="frontline").items) == [
        "Abimbola Fashola", "Tomasz Nowak"]
    assert _names(services.search_contacts(kind="police").items) == ["Dev Patelford", "zoë Ashby"]
    assert _names(services.search_contacts(kind="central_government", side="frontline").items) == []


def test_sort_orders(borough):
    assert _names(services.search_contacts(sort="name").items) == [
        "Abimbola Fashola", "Dev Patelford", "Priya Raghunathan", "Sandra Achterberg",
        "Tomasz Nowak", "zoë Ashby"]
    assert _names(services.search_contacts(sort="organisation").items) == [
        "Priya Raghunathan", "Dev Patelford", "zoë Ashby", "Abimbola Fashola",
        "Sandra Achterberg", "Tomasz Nowak"]
    assert _names(services.search_contacts(sort="side").items) == [
        "Priya Raghunathan", "Sandra Achterberg", "zoë Ashby", "Abimbola Fashola",
        "Dev Patelford", "Tomasz Nowak"]
    assert _names(services.search_contacts(sort="recent").items) == [
        "zoë Ashby", "Dev Patelford", "Sandra Achterberg", "Tomasz Nowak", "Abimbola Fashola",
        "Priya Raghunathan"]
    assert _names(services.search_contacts(sort="nonsense").items)[0] == "Abimbola Fashola"


def test_pages_hold_per_page_contacts_and_a_page_past_the_end_gives_the_last(borough):
    first = services.search_contacts(sort="name", per_page=4)
    assert (first.total, first.pages, first.page, len(first.items)) == (6, 2, 1, 4)
    assert (first.has_previous, first.has_next, first.first_number, first.last_number) == (
        False, True, 1, 4)
    last = services.search_contacts(sort="name", per_page=4, page=99)
    assert (last.page, _names(last.items)) == (2, ["Tomasz Nowak", "zoë Ashby"])
    assert (last.first_number, last.last_number, last.has_next) == (5, 6, False)
    assert services.search_contacts(page=-3).page == 1
    empty = services.search_contacts(query="nobody")
    assert (empty.total, empty.pages, empty.first_number) == (0, 1, 0)


def test_contacts_matching_takes_a_dict_or_filters_and_loads_organisations(borough):
    frontline_housing = services.contacts_matching(
        {"side": "frontline", "organisation_id": borough["housing"].id})
    assert _names(frontline_housing) == ["Abimbola Fashola", "Tomasz Nowak"]
    assert "organisation" in frontline_housing[0].__dict__  # loaded with the contact
    assert len(services.contacts_matching()) == 6
    assert _names(services.contacts_matching(services.ContactFilters(query="strategy"))) == [
        "Priya Raghunathan"]
    with pytest.raises(TypeError, match="Unknown contact filters: team"):
        services.contacts_matching({"team": "housing"})


# --- Adding, changing, deleting ---------------------------------------------------------------


def _details(**overrides) -> services.ContactDetails:
    values = dict(name="Grace Adeyemi", email="Grace.Adeyemi@Example.org", side="frontline",
                  organisation_id=None, new_organisation_name="Redbridge Children's Social Care",
                  new_organisation_kind="local_authority", job_title="Social  Worker",
                  phone="020 7946 0123", notes="Line one\r\nLine two")
    values.update(overrides)
    return services.ContactDetails(**values)


def test_create_contact_stores_email_lower_case_and_makes_a_new_organisation(borough, db):
    contact = services.create_contact(_details())
    assert contact.email == "grace.adeyemi@example.org"
    assert contact.job_title == "Social Worker"
    assert contact.notes == "Line one\nLine two"
    assert (contact.organisation.name, contact.organisation.kind) == (
        "Redbridge Children's Social Care", "local_authority")


def test_create_contact_refuses_an_email_taken_ignoring_case(borough, db):
    with pytest.raises(services.EmailTaken) as caught:
        services.create_contact(_details(email="  TOMASZ@example.ORG "))
    assert caught.value.existing.id == borough["tomasz"].id
    assert str(caught.value) == (
        "Tomasz Nowak (Redbridge Council Housing Service) already has this email address")
    assert caught.value.field == "email"


def test_update_contact_keeps_own_email_but_refuses_another(borough, db):
    tomasz = borough["tomasz"]
    services.update_contact(tomasz, _details(email="TOMASZ@example.org",
                                             organisation_id=borough["housing"].id,
                                             new_organisation_name=""))
    assert (tomasz.name, tomasz.email) == ("Grace Adeyemi", "tomasz@example.org")
    with pytest.raises(services.EmailTaken):
        services.update_contact(tomasz, _details(email="abi@example.org"))


def test_contact_email_is_lower_cased_whatever_code_sets_it(borough, db):
    contact = make_contact(borough["police"], name="Case Test", email="Mixed.Case@Example.ORG")
    assert contact.email == "mixed.case@example.org"


def test_contact_details_are_checked_by_the_service_too(borough, db):
    with pytest.raises(services.ContactError, match="Enter an email address in the correct"):
        services.create_contact(_details(email="not an email"))
    with pytest.raises(services.ContactError, match="strategy or on the frontline"):
        services.create_contact(_details(side="both"))
    with pytest.raises(services.ContactError, match="Choose an organisation, or enter"):
        services.create_contact(_details(new_organisation_name=" "))
    with pytest.raises(services.ContactError, match="Choose an organisation from the list"):
        services.create_contact(_details(organisation_id=9999))


def test_delete_contact_refuses_while_they_have_invitations(borough, db, organiser):
    event = factories.make_event(organiser, title="Spring café")
    make_invitation(event, borough["dev"], "accepted")
    with pytest.raises(services.ContactInUse) as caught:
        services.delete_contact(borough["dev"])
    assert str(caught.value) == (
        "Dev Patelford cannot be deleted because they have been invited to Spring café. Remove "
        "them from those events first, or merge this record with another one")
    services.delete_contact(borough["zoe"])
    db.session.commit()
    assert _names(services.contacts_matching({"kind": "police"})) == ["Dev Patelford"]


# --- Duplicates and merging --------------------------------------------------------------------


def _legacy_contact(organisation, name, email):
    """A contact whose email kept its capitals (written before emails were lower-cased)."""
    contact = make_contact(organisation, name=name, email="placeholder-" + email.lower())
    _db.session.execute(Contact.__table__.update().where(Contact.id == contact.id)
                        .values(email=email))
    _db.session.expire(contact)
    return contact


def test_duplicate_groups_by_email_ignoring_case_and_by_name_in_an_organisation(borough, db):
    legacy = _legacy_contact(borough["police"], "D. Patel", "Dev@Example.org")
    again = make_contact(borough["housing"], name="tomasz  NOWAK", email="t.nowak@example.org")
    elsewhere = make_contact(borough["police"], name="Tomasz Nowak", email="tn@example.org")
    groups = duplicates.find_duplicate_groups()
    assert [(g.ids, g.reasons) for g in groups] == [
        ([borough["dev"].id, legacy.id], [duplicates.SAME_EMAIL]),
        ([borough["tomasz"].id, again.id], [duplicates.SAME_NAME]),
    ]
    assert elsewhere.id not in {i for g in groups for i in g.ids}  # another organisation


def test_duplicate_groups_join_records_linked_by_either_reason(borough, db):
    legacy = _legacy_contact(borough["housing"], "T Nowak", "TOMASZ@example.org")
    same_name = make_contact(borough["housing"], name="T Nowak", email="other@example.org")
    [group] = duplicates.find_duplicate_groups()
    assert group.ids == [borough["tomasz"].id, legacy.id, same_name.id]
    assert group.reasons == [duplicates.SAME_EMAIL, duplicates.SAME_NAME]


def test_people_marked_different_are_no_longer_offered(borough, db):
    again = make_contact(borough["housing"], name="Tomasz Nowak", email="t.nowak@example.org")
    duplicates.mark_not_duplicates([again, borough["tomasz"]])
    duplicates.mark_not_duplicates([again, borough["tomasz"]])  # twice is harmless
    assert duplicates.find_duplicate_groups() == []
    assert _count(ContactDistinction) == 1
    services.delete_contact(again)
    assert _count(ContactDistinction) == 0


def test_merge_keeps_chosen_values_and_deletes_the_other_record(borough, db):
    keep = borough["tomasz"]
    other = make_contact(borough["housing"], name="Tomasz Nowak", email="t.nowak@example.org",
                         job_title="", phone="07700 900123", notes="Met at the summit",
                         side="strategy")
    keep.notes = "Prefers email"
    assert duplicates.differing_fields([keep, other]) == [
        "email", "job_title", "side", "phone", "notes"]
    choices = duplicates.default_choices(keep, [keep, other])
    assert choices == {"email": keep.id, "job_title": keep.id, "side": keep.id,
                       "phone": other.id, "notes": duplicates.ALL_NOTES}
    choices["email"] = other.id
    result = duplicates.merge_contacts(keep, [other], choices)
    db.session.commit()
    merged = db.session.get(Contact, keep.id)
    assert (merged.email, merged.job_title, merged.phone, merged.side) == (
        "t.nowak@example.org", "Housing Options Officer", "07700 900123", "frontline")
    assert merged.notes == "Prefers email\n\nMet at the summit"
    assert (result.merged_count, result.conflicts) == (1, [])
    assert db.session.get(Contact, other.id) is None


def test_merge_moves_invitations_and_keeps_the_more_advanced_one_per_event(borough, db,
                                                                            organiser):
    spring = factories.make_event(organiser, title="Spring café")
    autumn = factories.make_event(organiser, title="Autumn café")
    winter = factories.make_event(organiser, title="Winter café")
    keep = borough["dev"]
    other = _legacy_contact(borough["police"], "Dev Patelford", "DEV@example.org")
    make_invitation(spring, keep, "sent")
    accepted = make_invitation(spring, other, "accepted", responded_at=at(2026, 11, 1))
    kept_waiting = make_invitation(autumn, keep, "waiting", responded_at=at(2026, 11, 2),
                                   waiting_position=1)
    make_invitation(autumn, other, "declined", responded_at=at(2026, 11, 3))
    moved = make_invitation(winter, other, "draft")
    db.session.commit()
    received = []

    def receiver(sender, **payload):
        received.append((sender, payload))

    with duplicates.contacts_merged.connected_to(receiver):
        result = duplicates.merge_contacts(keep, [other], {"email": keep.id})
    db.session.commit()

    rows = db.session.execute(
        select(Invitation.id, Invitation.event_id, Invitation.state, Invitation.contact_id)
        .order_by(Invitation.event_id)).all()
    assert rows == [(accepted.id, spring.id, "accepted", keep.id),
                    (kept_waiting.id, autumn.id, "waiting", keep.id),
                    (moved.id, winter.id, "draft", keep.id)]
    assert result.conflicts == [
        "Both records were invited to Spring café: kept the accepted invitation and removed "
        "the sent one.",
        "Both records were invited to Autumn café: kept the waiting list invitation and "
        "removed the declined one.",
    ]
    assert result.invitations_moved == 2
    assert db.session.get(Contact, keep.id).email == "dev@example.org"
    [(sender, payload)] = received
    assert sender is keep and payload["merged_ids"] == [other.id]
    assert [(d.event_id, d.state) for d in payload["discarded"]] == [
        (spring.id, "sent"), (autumn.id, "declined")]


def test_merge_of_three_records_with_their_distinctions(borough, db):
    keep = borough["abi"]
    second = make_contact(borough["housing"], name="Abimbola Fashola", email="abi2@example.org")
    third = make_contact(borough["housing"], name="Abimbola Fashola", email="abi3@example.org")
    duplicates.mark_not_duplicates([second, borough["sandra"]])
    result = duplicates.merge_contacts(keep, [second, third, keep], {"email": third.id})
    db.session.commit()
    assert result.merged_count == 2
    assert db.session.get(Contact, keep.id).email == "abi3@example.org"
    assert _count(ContactDistinction) == 0
    assert _count(Contact) == 6


def test_merge_refuses_choices_from_outside_the_group(borough, db):
    with pytest.raises(duplicates.MergeError, match="Choose which email address to keep"):
        duplicates.merge_contacts(borough["abi"], [borough["tomasz"]],
                                  {"email": borough["dev"].id})
    with pytest.raises(duplicates.MergeError, match="at least one other contact"):
        duplicates.merge_contacts(borough["abi"], [borough["abi"]])
    assert _count(Contact) == 6


# --- Import -------------------------------------------------------------------------------------


def _table(data: bytes):
    table = csvio.read_table(data)
    return table, csvio.guess_mapping(table.headers)


def test_import_adds_good_rows_and_new_organisations_with_their_kind(borough, db):
    table, mapping = _table(csv_bytes(
        "Grace Adeyemi,GRACE@example.org,Social Worker,Redbridge Children's Social Care,"
        "council,frontline,,",
        "Kofi Mensah,kofi@example.org,Practitioner,redbridge children's social care,,front line,,",
        "Ruth Ellison,ruth@example.org,Borough Commander,London Fire Brigade,,strategy,,",
        "Dev Again,dev2@example.org,,HOME OFFICE,,strategy,,",
    ))
    result = importing.import_contacts(table, mapping)
    db.session.commit()
    assert result.contacts_added == 4
    assert [(o.name, o.kind) for o in result.organisations_added] == [
        ("Redbridge Children's Social Care", "local_authority"),
        ("London Fire Brigade", "other"),
    ]
    grace = services.find_contact_by_email("grace@example.org")
    assert (grace.organisation.name, grace.side) == ("Redbridge Children's Social Care",
                                                     "frontline")
    assert services.find_contact_by_email("dev2@example.org").organisation.name == "Home Office"
    assert _count(Organisation) == 5


def test_import_with_bad_rows_imports_nothing_unless_good_rows_only(borough, db):
    table, mapping = _table(csv_bytes(
        "Good Person,good@example.org,,Home Office,,strategy,,",
        "Taken Person,PRIYA@example.org,,Home Office,,strategy,,",
        ",noname@example.org,,Home Office,,strategy,,",
        "Odd Side,odd@example.org,,Home Office,,both,,",
    ))
    with pytest.raises(importing.ImportHasProblems) as caught:
        importing.import_contacts(table, mapping)
    assert [str(p) for p in caught.value.report.problems] == [
        "Line 3: Already a contact (same email)",
        "Line 4: Name is missing",
        "Line 5: Side must be strategy or frontline, not 'both'",
    ]
    assert _count(Contact) == 6
    result = importing.import_contacts(table, mapping, good_rows_only=True)
    db.session.commit()
    assert result.contacts_added == 1 and _count(Contact) == 7


def test_import_result_names_a_few_new_organisations_then_counts():
    result = importing.ImportResult(None, 0, [Organisation(name=f"Org {n}") for n in range(8)])
    assert result.organisation_names() == "Org 0, Org 1, Org 2, Org 3, Org 4 and 3 more"
    assert result.organisation_names(limit=8) == (
        "Org 0, Org 1, Org 2, Org 3, Org 4, Org 5, Org 6 and Org 7")
    assert importing.ImportResult(None, 0, []).organisation_names() == ""


def test_import_dry_run_counts_but_writes_nothing(borough, db):
    table, mapping = _table(people_csv(3, organisation="Eastbrook Schools"))
    result = importing.import_contacts(table, mapping, dry_run=True)
    assert (result.contacts_added, [o.name for o in result.organisations_added]) == (
        3, ["Eastbrook Schools"])
    db.session.commit()
    assert (_count(Contact), _count(Organisation)) == (6, 3)


def test_import_checks_again_against_contacts_added_meanwhile(borough, db):
    table, mapping = _table(people_csv(3))
    assert len(importing.check_import(table, mapping).good) == 3
    make_contact(borough["housing"], name="Someone Else", email="person1@example.org")
    db.session.commit()
    with pytest.raises(importing.ImportChanged) as caught:
        importing.import_contacts(table, mapping, good_rows_only=True, expected_good=3)
    assert str(caught.value) == (
        "3 rows were ready to import when you checked the file, but now 2 are: contacts were "
        "added or removed in the meantime")


def _fail_on_second_contacts_insert(engine):
    """Make the second batch of contacts fail, as a lost connection or full disk would."""
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO contacts"):
            seen.append(statement)
            if len(seen) == 2:
                raise RuntimeError("disk full")

    sa_event.listen(engine, "before_cursor_execute", before)
    return lambda: sa_event.remove(engine, "before_cursor_execute", before)


def test_import_that_fails_part_way_changes_nothing(borough, db):
    table, mapping = _table(people_csv(1200, organisation="Brand New Organisation"))
    stop = _fail_on_second_contacts_insert(db.engine)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            importing.import_contacts(table, mapping)
    finally:
        stop()
    db.session.rollback()
    assert (_count(Contact), _count(Organisation)) == (6, 3)
    assert services.find_organisation("Brand New Organisation") is None


def test_import_of_an_export_round_trips(borough, db):
    borough["zoe"].notes = "Two lines\nof notes"
    borough["dev"].job_title = "=HYPERLINK(\"x\")"
    db.session.commit()
    exported = importing.export_contacts()
    before = [(c.name, c.email, c.job_title, c.organisation.name, c.side, c.phone, c.notes)
              for c in services.contacts_matching()]
    db.session.execute(Contact.__table__.delete())
    db.session.commit()
    table, mapping = _table(exported)
    assert importing.import_contacts(table, mapping).contacts_added == 6
    db.session.commit()
    after = [(c.name, c.email, c.job_title, c.organisation.name, c.side, c.phone, c.notes)
             for c in services.contacts_matching()]
    assert after == before


def test_uploads_are_kept_per_organiser_and_stale_ones_purged(borough, db, organiser):
    other = factories.make_organiser(email="someone@example.org")
    upload = importing.start_import(organiser, "contacts.csv", people_csv(2))
    assert importing.import_for(organiser, upload.id) is upload
    assert importing.import_for(other, upload.id) is None
    with pytest.raises(csvio.CsvError, match="The file is empty"):
        importing.start_import(organiser, "empty.csv", b"")
    upload.created_at = utcnow() - timedelta(hours=25)
    fresh = importing.start_import(organiser, "again.csv", people_csv(2))  # purges the old one
    db.session.commit()
    assert db.session.scalars(select(ContactImport.id)).all() == [fresh.id]
    assert importing.purge_stale_imports(utcnow() + timedelta(days=2)) == 1


def _someone_else_adds_first(engine, email: str):
    """Just before the import writes contacts, another connection adds one with `email`."""

    done = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO contacts") and not done:
            done.append(True)
            with engine.begin() as other:
                other.execute(Contact.__table__.insert().values(
                    name="Racer", email=email, side="strategy", organisation_id=1,
                    job_title="", phone="", notes=""))

    sa_event.listen(engine, "before_cursor_execute", before)
    return lambda: sa_event.remove(engine, "before_cursor_execute", before)


@pytest.mark.postgres
def test_import_is_all_or_nothing_on_postgresql(pg_database):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=pg_database)
    with app.app_context():
        try:
            _db.create_all()
            make_contact(make_organisation("Home Office"), email="taken@example.org")
            _db.session.commit()
            table, mapping = _table(people_csv(1200, organisation="Brand New Organisation"))
            stop = _fail_on_second_contacts_insert(_db.engine)
            try:
                with pytest.raises(RuntimeError, match="disk full"):
                    importing.import_contacts(table, mapping)
            finally:
                stop()
            _db.session.rollback()
            assert (_count(Contact), _count(Organisation)) == (1, 1)

            result = importing.import_contacts(table, mapping)
            _db.session.commit()
            assert result.contacts_added == 1200
            assert (_count(Contact), _count(Organisation)) == (1201, 2)
            # Someone else adds a contact from the file between the check and the write: the
            # database's unique email refuses the import, and again nothing is written.
            more, mapping = _table(people_csv(3, start=5000))
            stop = _someone_else_adds_first(_db.engine, "person5001@example.org")
            try:
                with pytest.raises(IntegrityError):
                    importing.import_contacts(more, mapping)
            finally:
                stop()
            _db.session.rollback()
            assert _count(Contact) == 1202  # ours 1,201 and theirs
            assert services.find_contact_by_email("person5000@example.org") is None
            # The search's escaped wildcards and case-insensitive sorting work here too.
            found = services.search_contacts(query="PERSON11_", sort="recent", per_page=5)
            assert (found.total, found.items) == (0, [])
            found = services.search_contacts(query="person119", side="frontline", sort="name")
            assert [c.name for c in found.items] == [
                "Person 119", "Person 1190", "Person 1192", "Person 1193", "Person 1195",
                "Person 1196", "Person 1198", "Person 1199"]
        finally:
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()


def test_merge_keeps_history_and_drops_a_send_both_records_were_in(borough, db, organiser):
    event = factories.make_event(organiser, title="Spring café")
    keep = borough["dev"]
    other = _legacy_contact(borough["police"], "Dev Patelford", "DEV@example.org")
    mine = make_invitation(event, keep, "accepted", responded_at=at(2026, 11, 1))
    theirs = make_invitation(event, other, "sent")
    send = Send(event=event, kind="invitation", created_at=at(2026, 10, 1))
    for invitation in (mine, theirs):
        email = OutgoingEmail(key=f"k{invitation.id}", recipient=invitation.contact.email,
                              subject="Invitation", message=b"...")
        db.session.add(SendRecipient(send=send, invitation=invitation, email=email))
        db.session.add(HistoryEntry(invitation=invitation, at=at(2026, 10, 1), kind="sent",
                                    actor="system"))
    db.session.commit()

    result = duplicates.merge_contacts(keep, [other])
    db.session.commit()

    assert result.conflicts == ["Both records were invited to Spring café: kept the accepted "
                                "invitation and removed the sent one."]
    assert db.session.scalars(select(Invitation.id)).all() == [mine.id]
    assert db.session.scalars(select(HistoryEntry.invitation_id)).all() == [mine.id, mine.id]
    assert db.session.scalars(select(SendRecipient.invitation_id)).all() == [mine.id]


def test_demo_address_book_is_invented_and_balanced(db):
    contacts = load_contacts()
    strategy = sum(contact.side == "strategy" for contact in contacts)
    assert 100 <= len(contacts) <= 120
    assert len({contact.organisation.name for contact in contacts}) == 16
    assert 0.35 <= strategy / len(contacts) <= 0.45
    assert all(re.fullmatch(r"[a-z.\-]+@[a-z\-.]*example\.(org|gov\.uk)", c.email)
               for c in contacts)
    assert all(re.fullmatch(r"(020 7946 0\d{3}|07700 900\d{3})?", c.phone) for c in contacts)
    assert len(duplicates.find_duplicate_groups()) == 2
