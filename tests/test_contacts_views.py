"""Contacts pages: the list, the forms and their errors, organisations, import, export, merge."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from cafe.contacts import csvio
from cafe.contacts.models import Contact, ContactImport, Organisation
from cafe.invitations.models import Invitation
from tests import factories
from tests.conftest import sign_in
from tests.contacts_fixtures import (
    at,
    csv_bytes,
    inline_error,
    make_contact,
    make_invitation,
    make_organisation,
    people_csv,
    summary_links,
    text,
)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def housing(db):
    organisation = make_organisation("Redbridge Council Housing Service", "local_authority")
    db.session.commit()
    return organisation


def _row_names(page: str) -> list[str]:
    """The names in the contacts table, in order."""
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a class="govuk-link" href="/contacts/\d+/">([^<]+)</a>', body)


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/contacts/", "/contacts/new", "/contacts/import",
                                  "/contacts/organisations/", "/contacts/duplicates",
                                  "/contacts/export.csv"])
def test_contacts_pages_need_an_organiser(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_header_links_to_contacts_when_signed_in(signed_in):
    page = text(signed_in.get("/events/"))
    assert '<a href="/contacts/">Contacts</a>' in page


# --- The list ----------------------------------------------------------------------------------


def test_list_searches_filters_and_sorts(signed_in, db, housing):
    police = make_organisation("Metropolitan Police", "police")
    make_contact(housing, name="Tomasz Nowak", email="t@example.org", side="frontline",
                 job_title="Housing Options Officer")
    make_contact(housing, name="Sandra Achterberg", email="s@example.org", side="strategy",
                 job_title="Head of Housing Needs")
    make_contact(police, name="Dev Patelford", email="d@example.org", side="frontline",
                 job_title="Detective Sergeant")
    db.session.commit()

    page = text(signed_in.get("/contacts/"))
    assert _row_names(page) == ["Dev Patelford", "Sandra Achterberg", "Tomasz Nowak"]
    assert "All contacts: 3" in page

    page = text(signed_in.get("/contacts/?q=housing&side=frontline"))
    assert _row_names(page) == ["Tomasz Nowak"]
    assert "Contacts found: 1" in page
    assert 'value="housing"' in page  # the search is kept in its box
    assert "Clear the search and filters" in page

    page = text(signed_in.get(f"/contacts/?organisation={police.id}&kind=police"))
    assert _row_names(page) == ["Dev Patelford"]
    page = text(signed_in.get("/contacts/?sort=organisation"))
    assert _row_names(page) == ["Dev Patelford", "Sandra Achterberg", "Tomasz Nowak"]
    page = text(signed_in.get("/contacts/?sort=side"))
    assert _row_names(page) == ["Sandra Achterberg", "Dev Patelford", "Tomasz Nowak"]


def test_list_ignores_nonsense_filters(signed_in, db, housing):
    make_contact(housing)
    db.session.commit()
    page = text(signed_in.get("/contacts/?organisation=abc&kind=spies&side=both&sort=x&page=z"))
    assert _row_names(page) == ["Amara Okafor"]


def test_list_pages_keep_the_filters_in_their_links(signed_in, db, housing):
    for n in range(30):
        make_contact(housing, name=f"Person {n:02d}", email=f"p{n}@example.org",
                     side="frontline")
    db.session.commit()
    page = text(signed_in.get("/contacts/?side=frontline&page=2"))
    assert "Contacts found: 26 to 30 of 30" in page
    assert _row_names(page) == [f"Person {n}" for n in range(25, 30)]
    assert 'href="/contacts/?side=frontline&amp;page=1"' in page
    assert 'aria-current="page"' in page


def test_list_says_when_nothing_matches(signed_in, db, housing):
    make_contact(housing)
    db.session.commit()
    page = text(signed_in.get("/contacts/?q=zebra"))
    assert "No contacts match your search and filters" in page


def test_export_downloads_the_filtered_list_in_import_columns(signed_in, db, housing):
    make_contact(housing, name="Tomasz Nowak", email="t@example.org", side="frontline")
    make_contact(housing, name="Sandra Achterberg", email="s@example.org", side="strategy")
    db.session.commit()
    response = signed_in.get("/contacts/export.csv?side=strategy")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="contacts-')
    table = csvio.read_table(response.data)
    assert table.headers == [csvio.FIELD_LABELS[name] for name in csvio.FIELDS]
    assert [cells[0] for _, cells in table.rows] == ["Sandra Achterberg"]


# --- Add, change, delete a contact -------------------------------------------------------------


def _contact_form(**overrides) -> dict[str, str]:
    data = {"name": "Grace Adeyemi", "email": "Grace.Adeyemi@example.org",
            "job_title": "Social Worker", "organisation_id": "", "new_organisation_name": "",
            "new_organisation_kind": "other", "side": "frontline", "phone": "", "notes": ""}
    data.update(overrides)
    return data


def test_add_contact_with_an_existing_organisation(signed_in, db, housing):
    response = signed_in.post("/contacts/new", data=_contact_form(organisation_id=str(housing.id)))
    contact = db.session.scalars(select(Contact)).one()
    assert response.location == f"/contacts/{contact.id}/"
    page = text(signed_in.get(response.location))
    assert "Contact added: Grace Adeyemi, Redbridge Council Housing Service." in page
    assert "grace.adeyemi@example.org" in page
    assert "has not been invited to any event yet" in page


def test_add_contact_with_a_new_organisation(signed_in, db, housing):
    signed_in.post("/contacts/new", data=_contact_form(
        new_organisation_name="Redbridge Youth Offending Service",
        new_organisation_kind="local_authority"))
    contact = db.session.scalars(select(Contact)).one()
    assert (contact.organisation.name, contact.organisation.kind) == (
        "Redbridge Youth Offending Service", "local_authority")


def test_add_contact_errors_show_summary_inline_and_keep_values(signed_in, db, housing):
    response = signed_in.post("/contacts/new", data=_contact_form(
        name="", email="grace at example", side="", phone="call me", job_title="Kept title"))
    page = text(response)
    assert response.status_code == 400
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: Add a contact" in page
    assert summary_links(page) == [
        ("name", "Enter their full name"),
        ("email", "Enter an email address in the correct format, like name@example.org"),
        ("organisation_id", "Choose an organisation, or enter the name of a new one"),
        ("side", "Choose strategy or frontline"),
        ("phone", "Enter a phone number, like 020 7946 0123 or 07700 900123"),
    ]
    assert inline_error(page, "email") == (
        "Enter an email address in the correct format, like name@example.org")
    assert inline_error(page, "side") == "Choose strategy or frontline"
    assert 'value="grace at example"' in page and 'value="Kept title"' in page
    assert 'value="call me"' in page
    assert _count(db, Contact) == 0


def test_add_contact_with_values_not_on_the_form_says_what_to_choose(signed_in, db, housing):
    page = text(signed_in.post("/contacts/new", data=_contact_form(
        side="middle", new_organisation_name="New Team", new_organisation_kind="unknown")))
    assert summary_links(page) == [
        ("new_organisation_kind", "Choose what kind of organisation this is"),
        ("side", "Choose strategy or frontline")]
    assert inline_error(page, "side") == "Choose strategy or frontline"
    assert _count(db, Contact) == 0


def test_add_contact_refuses_both_a_listed_and_a_new_organisation(signed_in, db, housing):
    page = text(signed_in.post("/contacts/new", data=_contact_form(
        organisation_id=str(housing.id), new_organisation_name="Another One")))
    assert summary_links(page) == [("new_organisation_name",
                                    "Either choose an organisation from the list or enter a new "
                                    "one, not both")]
    assert '<details class="govuk-details" open>' in page  # the new-organisation box stays open
    assert 'value="Another One"' in page


def test_taken_email_is_a_field_error_linking_to_the_existing_contact(signed_in, db, housing):
    existing = make_contact(housing, name="Tomasz Nowak", email="tomasz@example.org")
    db.session.commit()
    page = text(signed_in.post("/contacts/new", data=_contact_form(
        email="TOMASZ@Example.org", organisation_id=str(housing.id))))
    message = "Tomasz Nowak (Redbridge Council Housing Service) already has this email address"
    assert summary_links(page) == [("email", message)]
    assert inline_error(page, "email") == message
    assert (f'<a class="govuk-link" href="/contacts/{existing.id}/">See Tomasz Nowak’s contact '
            "details</a>") in page
    assert 'value="Grace Adeyemi"' in page
    assert _count(db, Contact) == 1


def test_edit_contact_shows_values_saves_and_offers_merge_on_taken_email(signed_in, db, housing):
    tomasz = make_contact(housing, name="Tomasz Nowak", email="tomasz@example.org")
    grace = make_contact(housing, name="Grace Adeyemi", email="grace@example.org",
                         side="frontline")
    db.session.commit()
    page = text(signed_in.get(f"/contacts/{grace.id}/edit"))
    assert 'value="Grace Adeyemi"' in page and 'value="grace@example.org"' in page
    assert f'<option value="{housing.id}" selected>' in page

    page = text(signed_in.post(f"/contacts/{grace.id}/edit", data=_contact_form(
        email="tomasz@example.org", organisation_id=str(housing.id))))
    assert f'href="/contacts/merge?id={tomasz.id}&amp;id={grace.id}"' in page

    response = signed_in.post(f"/contacts/{grace.id}/edit", data=_contact_form(
        name="Grace Adeyemi-Boateng", organisation_id=str(housing.id), phone="07700 900123"))
    assert response.location == f"/contacts/{grace.id}/"
    assert "Contact details saved: Grace Adeyemi-Boateng." in text(signed_in.get(
        response.location))
    assert db.session.get(Contact, grace.id).phone == "07700 900123"


def test_delete_contact_after_confirming(signed_in, db, housing):
    contact = make_contact(housing)
    db.session.commit()
    page = text(signed_in.get(f"/contacts/{contact.id}/delete"))
    assert "Are you sure you want to delete Amara Okafor?" in page
    response = signed_in.post(f"/contacts/{contact.id}/delete")
    assert response.location == "/contacts/"
    assert "Contact deleted: Amara Okafor." in text(signed_in.get("/contacts/"))
    assert _count(db, Contact) == 0


def test_delete_contact_with_invitations_is_refused_and_explained(signed_in, db, housing,
                                                                   organiser):
    contact = make_contact(housing)
    event = factories.make_event(organiser, title="Spring café")
    make_invitation(event, contact, "accepted")
    db.session.commit()
    page = text(signed_in.get(f"/contacts/{contact.id}/delete"))
    assert "Amara Okafor cannot be deleted" in page
    assert "Spring café, 20 May 2027: accepted" in page
    assert "Delete contact</button>" not in page
    response = signed_in.post(f"/contacts/{contact.id}/delete")
    assert "cannot be deleted because they have been invited to Spring café" in text(
        signed_in.get(response.location))
    assert _count(db, Contact) == 1


def test_unknown_contact_is_not_found(signed_in):
    assert signed_in.get("/contacts/999/").status_code == 404
    assert signed_in.get("/contacts/999/edit").status_code == 404


# --- Organisations -------------------------------------------------------------------------------


def test_organisations_list_counts_and_links_to_their_contacts(signed_in, db, housing):
    make_contact(housing)
    make_organisation("Eastbrook Schools", "education")
    db.session.commit()
    page = text(signed_in.get("/contacts/organisations/"))
    assert re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', page) == [
        "Eastbrook Schools", "Redbridge Council Housing Service"]
    assert (f'href="/contacts/?organisation={housing.id}">1<span class="govuk-visually-hidden"> '
            "contact at Redbridge Council Housing Service") in page
    assert "Delete<span class=\"govuk-visually-hidden\"> Eastbrook Schools" in page
    assert "Delete<span class=\"govuk-visually-hidden\"> Redbridge" not in page


def test_add_organisation_errors_and_success(signed_in, db, housing):
    response = signed_in.post("/contacts/organisations/new", data={"name": "", "kind": ""})
    page = text(response)
    assert response.status_code == 400
    assert summary_links(page) == [("name", "Enter the name of the organisation"),
                                   ("kind", "Choose what kind of organisation this is")]
    page = text(signed_in.post("/contacts/organisations/new",
                               data={"name": "redbridge council housing service",
                                     "kind": "local_authority"}))
    assert summary_links(page) == [
        ("name", "There is already an organisation called Redbridge Council Housing Service")]
    assert 'value="redbridge council housing service"' in page
    response = signed_in.post("/contacts/organisations/new",
                              data={"name": "London Fire Brigade", "kind": "fire"})
    assert response.location == "/contacts/organisations/"
    assert "Organisation added: London Fire Brigade." in text(signed_in.get(response.location))


def test_edit_organisation_changes_name_and_kind(signed_in, db, housing):
    page = text(signed_in.get(f"/contacts/organisations/{housing.id}/edit"))
    assert 'value="Redbridge Council Housing Service"' in page
    assert 'value="local_authority" checked' in page
    signed_in.post(f"/contacts/organisations/{housing.id}/edit",
                   data={"name": "Redbridge Housing", "kind": "other"})
    organisation = db.session.get(Organisation, housing.id)
    assert (organisation.name, organisation.kind) == ("Redbridge Housing", "other")


def test_delete_organisation_only_when_empty(signed_in, db, housing):
    make_contact(housing)
    spare = make_organisation("Typo Organisaton", "other")
    db.session.commit()
    response = signed_in.post(f"/contacts/organisations/{housing.id}/delete")
    assert "cannot be deleted because 1 contact work there" in text(
        signed_in.get(response.location))
    signed_in.post(f"/contacts/organisations/{spare.id}/delete")
    assert _count(db, Organisation) == 1


# --- Import ------------------------------------------------------------------------------------


def _upload(client, data: bytes, filename: str = "people.csv"):
    return client.post("/contacts/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _mapping_form(**overrides) -> dict[str, str]:
    data = {"name": "0", "email": "1", "job_title": "2", "organisation": "3",
            "organisation_kind": "4", "side": "5", "phone": "6", "notes": "7",
            "first_name": "", "last_name": "", "action": "continue"}
    data.update(overrides)
    return data


def test_upload_errors_are_shown_on_the_file_field(signed_in, db):
    response = signed_in.post("/contacts/import", data={}, content_type="multipart/form-data")
    assert summary_links(text(response)) == [("file", "Select a CSV file")]
    page = text(_upload(signed_in, b"PK\x03\x04rest-of-a-workbook", "people.xlsx"))
    assert summary_links(page) == [
        ("file", "This looks like an Excel workbook; save it as CSV (UTF-8) and upload that")]
    assert inline_error(page, "file").startswith("This looks like an Excel workbook")
    assert _count(db, ContactImport) == 0


def test_upload_over_the_limit_is_explained(signed_in, db, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    page = text(_upload(signed_in, people_csv(200)))
    assert summary_links(page) == [
        ("file", "The file is too big; the largest file you can upload is 5 MB")]


def test_import_journey_maps_reports_and_imports_the_good_rows(signed_in, db, housing):
    data = csv_bytes(
        "Grace Adeyemi,grace@example.org,Social Worker,Children's Social Care,council,"
        "frontline,,",
        "No Email,,Officer,Children's Social Care,,frontline,,",
        "Kofi Mensah,kofi@example.org,Practitioner,Redbridge council housing service,,"
        "strategy,,",
        headings="Full name,E-mail,Role,Agency,Sector,Side,Mobile,Comments",
    )
    response = _upload(signed_in, data)
    upload = db.session.scalars(select(ContactImport)).one()
    assert response.location == f"/contacts/import/{upload.id}/columns"
    assert upload.data == data and upload.filename == "people.csv"

    page = text(signed_in.get(response.location))
    assert '<option value="1" selected>Column B: E-mail</option>' in page
    assert "<td class=\"govuk-table__cell\">grace@example.org</td>" in page  # the preview

    response = signed_in.post(response.location, data=_mapping_form())
    assert response.location == f"/contacts/import/{upload.id}/check"
    page = text(signed_in.get(response.location))
    assert "1 of 3 rows have problems" in page
    assert "3 rows: 2 ready to import, 1 with problems." in page
    assert ('<th scope="row" class="govuk-table__header" id="line-3">3</th> '
            '<td class="govuk-table__cell"> Email address is missing </td>') in page
    assert summary_links(page) == [("line-3", "Line 3: Email address is missing")]
    assert ("1 of 3 rows cannot be imported. You can import the 2 good rows and leave these "
            "out, or import nothing, fix the file and upload it again.") in page
    assert "Children&#39;s Social Care (Local authority)" in page
    assert "Import the 2 good rows" in page and "Cancel, import nothing" in page

    response = signed_in.post(f"/contacts/import/{upload.id}/confirm", data={"expected": "2"})
    assert response.location == "/contacts/?sort=recent"
    page = text(signed_in.get(response.location))
    assert ("Imported 2 contacts and added 1 organisation: Children&#39;s Social Care."
            in page)
    assert _row_names(page) == ["Grace Adeyemi", "Kofi Mensah"]
    assert _count(db, ContactImport) == 0  # the file is not kept after the import


def test_many_bad_rows_are_summarised_at_the_top_and_all_listed_below(signed_in, db):
    rows = [f"Person {n},person{n}@example.org,Officer,Housing,,middle,," for n in range(12)]
    response = _upload(signed_in, csv_bytes(*rows, "Good Person,good@example.org,,Housing,,"
                                                   "frontline,,"))
    response = signed_in.post(response.location, data=_mapping_form())
    page = text(signed_in.get(response.location))
    links = summary_links(page)
    assert links[0] == ("line-2", "Line 2: Side must be strategy or frontline, not 'middle'"
                        .replace("'", "&#39;"))
    assert [target for target, _ in links] == [f"line-{n}" for n in range(2, 12)] + ["problems"]
    assert links[-1] == ("problems", "2 more rows with problems, listed below")
    assert "12 of 13 rows cannot be imported." in page
    assert 'id="line-13">13</th>' in page and "Import the 1 good row" in page
    assert _count(db, Contact) == 0


def test_mapping_errors_show_summary_inline_and_keep_choices(signed_in, db):
    response = _upload(signed_in, people_csv(2))
    url = response.location
    page = text(signed_in.post(url, data=_mapping_form(side="")))
    assert summary_links(page) == [("side", "Choose the column with the side")]
    page = text(signed_in.post(url, data=_mapping_form(email="", side="")))
    assert summary_links(page) == [("email", "Choose the column with their email address"),
                                   ("side", "Choose the column with the side")]
    page = text(signed_in.post(url, data=_mapping_form(notes="1")))
    assert summary_links(page) == [
        ("notes", "Column B is already chosen for Email; choose a different column for Notes")]
    # Both kinds of problem at once, so the organiser fixes everything in one go.
    page = text(signed_in.post(url, data=_mapping_form(notes="1", side="")))
    assert summary_links(page) == [
        ("side", "Choose the column with the side"),
        ("notes", "Column B is already chosen for Email; choose a different column for Notes")]
    assert inline_error(page, "side") == "Choose the column with the side"
    assert '<option value="1" selected>Column B: Email</option>' in page
    assert db.session.scalars(select(ContactImport.mapping)).one() is None


def test_mapping_preview_updates_without_continuing(signed_in, db):
    url = _upload(signed_in, people_csv(1)).location
    response = signed_in.post(url, data=_mapping_form(name="2", job_title="0",
                                                      action="preview"))
    assert response.status_code == 200
    page = text(response)
    preview = page.split("How the first rows will be read", 1)[1]
    assert ('<td class="govuk-table__cell">Officer</td><td class="govuk-table__cell">'
            "person0@example.org</td><td class=\"govuk-table__cell\">Person 0</td>") in preview


def test_cancel_import_forgets_the_file_and_imports_nothing(signed_in, db):
    url = _upload(signed_in, people_csv(3)).location
    upload_id = int(url.split("/")[3])
    signed_in.post(url, data=_mapping_form())
    response = signed_in.post(f"/contacts/import/{upload_id}/cancel")
    assert "Import cancelled. Nothing was imported." in text(signed_in.get(response.location))
    assert (_count(db, ContactImport), _count(db, Contact)) == (0, 0)
    response = signed_in.get(f"/contacts/import/{upload_id}/check")
    assert response.location == "/contacts/import"
    assert "That upload is no longer here" in text(signed_in.get(response.location))


def test_another_organisers_upload_is_not_theirs(signed_in, db, client):
    url = _upload(signed_in, people_csv(3)).location
    other = factories.make_organiser(email="other@example.org")
    db.session.commit()
    signed_in.post("/sign-out")
    sign_in(client, other.email)
    assert client.get(url).location == "/contacts/import"


def test_import_with_contacts_added_meanwhile_asks_to_check_again(signed_in, db, housing):
    url = _upload(signed_in, people_csv(3)).location
    upload_id = int(url.split("/")[3])
    signed_in.post(url, data=_mapping_form())
    make_contact(housing, name="Quick Colleague", email="person2@example.org")
    db.session.commit()
    response = signed_in.post(f"/contacts/import/{upload_id}/confirm", data={"expected": "3"})
    assert response.location == f"/contacts/import/{upload_id}/check"
    page = text(signed_in.get(response.location))
    assert ("Nothing was imported. 3 rows were ready to import when you checked the file, but "
            "now 2 are") in page
    assert "Import the 2 good rows" in page
    assert _count(db, Contact) == 1


def test_import_failing_part_way_changes_nothing_and_says_so(signed_in, db, app):
    url = _upload(signed_in, people_csv(1200, organisation="Brand New Org")).location
    upload_id = int(url.split("/")[3])
    signed_in.post(url, data=_mapping_form())
    inserts = []

    def fail_second_batch(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO contacts"):
            inserts.append(1)
            if len(inserts) == 2:
                raise OperationalError(statement, {}, Exception("database is locked"))

    sa_event.listen(db.engine, "before_cursor_execute", fail_second_batch)
    try:
        response = signed_in.post(f"/contacts/import/{upload_id}/confirm",
                                  data={"expected": "1200"})
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", fail_second_batch)
    assert len(inserts) == 2
    assert response.location == f"/contacts/import/{upload_id}/check"
    assert "Nothing was imported: the contacts could not be saved" in text(
        signed_in.get(response.location))
    assert (_count(db, Contact), _count(db, Organisation)) == (0, 0)
    assert _count(db, ContactImport) == 1  # still there to try again


def test_example_file_has_the_import_columns(signed_in):
    response = signed_in.get("/contacts/import/example.csv")
    table = csvio.read_table(response.data)
    report = csvio.validate_rows(table, csvio.guess_mapping(table.headers))
    assert report.is_clean and report.good[0].name == "Jordan Example"


# --- Duplicates and merge ------------------------------------------------------------------------


def test_duplicates_page_groups_and_merge_keeps_choices_and_invitations(signed_in, db, housing,
                                                                         organiser):
    first = make_contact(housing, name="Tomasz Nowak", email="tomasz@example.org",
                         job_title="Housing Options Officer", side="frontline",
                         created_at=at(2026, 1, 1))
    second = make_contact(housing, name="Tomasz Nowak", email="t.nowak@example.org",
                          job_title="", side="frontline", phone="07700 900123",
                          created_at=at(2026, 6, 1))
    event = factories.make_event(organiser, title="Spring café")
    make_invitation(event, first, "sent")
    accepted = make_invitation(event, second, "accepted")
    db.session.commit()

    page = text(signed_in.get("/contacts/duplicates"))
    assert "1 group of possible duplicates" in page
    assert "Same name in the same organisation" in page
    merge_url = f"/contacts/merge?id={first.id}&id={second.id}"
    assert f'href="{merge_url.replace("&", "&amp;")}"' in page

    page = text(signed_in.get(f"/contacts/merge?id={second.id}&id={first.id}"))
    assert f'value="{first.id}" checked' in page  # the oldest record is kept by default
    assert "Which email address do you want to keep?" in page
    assert "Which phone number do you want to keep?" in page
    assert "Which name do you want to keep?" not in page  # the same in both
    assert "Spring café: sent" in page and "Spring café: accepted" in page

    response = signed_in.post(merge_url, data={
        "keep": str(first.id), "field_email": str(second.id), "field_job_title": str(first.id),
        "field_phone": str(second.id)})
    assert response.location == f"/contacts/{first.id}/"
    page = text(signed_in.get(response.location))
    assert ("Merged 2 records into one: Tomasz Nowak. Moved 1 invitation to this record. Both "
            "records were invited to Spring café: kept the accepted invitation and removed the "
            "sent one.") in page
    kept = db.session.get(Contact, first.id)
    assert (kept.email, kept.job_title, kept.phone) == (
        "t.nowak@example.org", "Housing Options Officer", "07700 900123")
    assert db.session.scalars(select(Invitation.id)).all() == [accepted.id]
    assert _count(db, Contact) == 1
    assert "No duplicates found." in text(signed_in.get("/contacts/duplicates"))


def test_merge_form_errors_show_summary(signed_in, db, housing):
    first = make_contact(housing, name="Tomasz Nowak", email="tomasz@example.org")
    second = make_contact(housing, name="Tomasz Nowak", email="t.nowak@example.org")
    db.session.commit()
    response = signed_in.post(f"/contacts/merge?id={first.id}&id={second.id}", data={})
    page = text(response)
    assert response.status_code == 400
    assert summary_links(page) == [("keep", "Choose which record to keep"),
                                   ("field_email", "Choose which email address to keep")]
    assert _count(db, Contact) == 2


def test_merge_of_records_already_merged_goes_back_to_duplicates(signed_in, db, housing):
    only = make_contact(housing)
    db.session.commit()
    response = signed_in.get(f"/contacts/merge?id={only.id}&id=999")
    assert response.location == "/contacts/duplicates"
    assert "already been merged or deleted" in text(signed_in.get(response.location))


def test_different_people_are_no_longer_offered(signed_in, db, housing):
    first = make_contact(housing, name="Tomasz Nowak", email="tomasz@example.org")
    second = make_contact(housing, name="Tomasz Nowak", email="t.nowak@example.org")
    db.session.commit()
    response = signed_in.post("/contacts/duplicates/different-people",
                              data={"id": [str(first.id), str(second.id)]})
    page = text(signed_in.get(response.location))
    assert "Marked as different people: Tomasz Nowak, Tomasz Nowak." in page
    assert "No duplicates found." in page
