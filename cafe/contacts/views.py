"""Organiser pages for contacts and organisations: list, add, edit, delete, import, export, merge.

Contacts are the whole team's address book: every signed-in organiser sees and edits them. An
upload being imported belongs to the organiser who uploaded it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from cafe.clock import utcnow
from cafe.contacts import csvio, duplicates, importing, services
from cafe.contacts.commands import export_command, import_command, purge_imports_command
from cafe.contacts.forms import (
    ColumnMappingForm,
    ConfirmForm,
    ContactForm,
    ContactSearchForm,
    ImportConfirmForm,
    OrganisationForm,
    UploadForm,
    merge_form,
    merge_option_for,
)
from cafe.contacts.models import Contact, ContactImport, Organisation
from cafe.extensions import db

bp = Blueprint("contacts", __name__, url_prefix="/contacts", template_folder="templates")
bp.cli.help = "Contacts: import and export CSV files."
bp.cli.add_command(import_command)
bp.cli.add_command(export_command)
bp.cli.add_command(purge_imports_command)


@bp.before_request
@login_required
def require_login():
    """Every page here is for signed-in organisers."""


def _plural(count: int, noun: str) -> str:
    """'1 contact', '2 contacts'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _load_contact(contact_id: int) -> Contact:
    """The contact, or 404."""
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        abort(404)
    return contact


def _load_organisation(organisation_id: int) -> Organisation:
    """The organisation, or 404."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def _apply_error(form, err: services.ContactError) -> None:
    """Show a service's error beside its field, or above the form."""
    if err.field and err.field in form:
        form[err.field].errors.append(str(err))
    else:
        form.form_errors.append(str(err))


# --- The list ----------------------------------------------------------------------------------


@bp.route("/")
def index():
    """Every contact: search, filter, sort, page through; export what is shown."""
    organisations = services.organisations()
    form = ContactSearchForm(request.args, organisations=organisations)
    filters, sort = form.filters(), form.sort_order()
    results = services.search_contacts(
        query=filters.query,
        organisation_id=filters.organisation_id,
        kind=filters.kind,
        side=filters.side,
        sort=sort,
        page=request.args.get("page", 1, type=int),
    )
    args = {name: value for name, value in request.args.items() if name != "page" and value}
    return render_template(
        "contacts/index.html",
        search=form,
        filters=filters,
        results=results,
        pagination=_pagination(results, args),
        export_url=url_for("contacts.export", **args),
        everyone=services.contact_count(),
    )


def _pagination(results: services.ContactPage, args: dict[str, str]) -> dict | None:
    """Parameters for govukPagination: first, last, and the pages around this one."""
    if results.pages <= 1:
        return None

    def href(number: int) -> str:
        return url_for("contacts.index", **args, page=number)

    items: list[dict] = []
    for number in range(1, results.pages + 1):
        if number in (1, results.pages) or abs(number - results.page) <= 1:
            items.append(
                {"number": number, "href": href(number), "current": number == results.page}
            )
        elif items and not items[-1].get("ellipsis"):
            items.append({"ellipsis": True})
    return {
        "previous": {"href": href(results.page - 1)} if results.has_previous else None,
        "next": {"href": href(results.page + 1)} if results.has_next else None,
        "items": items,
        "landmarkLabel": "Pages of contacts",
    }


@bp.route("/export.csv")
def export():
    """The contacts shown by the list's filters (all of them with none) as a CSV download."""
    form = ContactSearchForm(request.args)
    data = importing.export_contacts(form.filters(), sort=form.sort_order())
    filename = f"contacts-{utcnow():%Y-%m-%d}.csv"
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- One contact ---------------------------------------------------------------------------------


@bp.route("/<int:contact_id>/")
def show(contact_id: int):
    """A contact's details and the events they have been invited to."""
    contact = _load_contact(contact_id)
    return render_template(
        "contacts/show.html", contact=contact, invitations=services.contact_invitations(contact)
    )


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a contact."""
    form = ContactForm(organisations=services.organisations())
    existing = None
    if form.validate_on_submit():
        try:
            contact = services.create_contact(form.details())
        except services.EmailTaken as err:
            existing = err.existing
            _apply_error(form, err)
        except services.ContactError as err:
            _apply_error(form, err)
        else:
            db.session.commit()
            flash(f"Contact added: {contact.name}, {contact.organisation.name}.", "success")
            return redirect(url_for("contacts.show", contact_id=contact.id))
    return render_template(
        "contacts/form.html", form=form, contact=None, existing=existing
    ), 400 if form.errors else 200


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
def edit(contact_id: int):
    """Change a contact's details."""
    contact = _load_contact(contact_id)
    form = ContactForm(
        organisations=services.organisations(),
        data=ContactForm.data_from(contact) if request.method == "GET" else None,
    )
    existing = None
    if form.validate_on_submit():
        try:
            services.update_contact(contact, form.details())
        except services.EmailTaken as err:
            existing = err.existing
            _apply_error(form, err)
        except services.ContactError as err:
            _apply_error(form, err)
        else:
            db.session.commit()
            flash(f"Contact details saved: {contact.name}.", "success")
            return redirect(url_for("contacts.show", contact_id=contact.id))
    return render_template(
        "contacts/form.html", form=form, contact=contact, existing=existing
    ), 400 if form.errors else 200


@bp.route("/<int:contact_id>/delete", methods=["GET", "POST"])
def delete(contact_id: int):
    """Confirm and delete a contact; refused while they have invitations."""
    contact = _load_contact(contact_id)
    invitations = services.contact_invitations(contact)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_contact(contact)
        except services.ContactInUse as err:
            flash(str(err), "error")
            return redirect(url_for("contacts.show", contact_id=contact.id))
        db.session.commit()
        flash(f"Contact deleted: {contact.name}.", "success")
        return redirect(url_for("contacts.index"))
    return render_template(
        "contacts/delete.html", contact=contact, invitations=invitations, form=form
    )


# --- Organisations -----------------------------------------------------------------------------


@bp.route("/organisations/")
def organisations():
    """Every organisation, with how many contacts work there."""
    return render_template("contacts/organisations.html", summaries=services.organisation_list())


@bp.route("/organisations/new", methods=["GET", "POST"])
def create_organisation():
    """Add an organisation."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(form.name.data, form.kind.data)
        except services.ContactError as err:
            _apply_error(form, err)
        else:
            db.session.commit()
            flash(f"Organisation added: {organisation.name}.", "success")
            return redirect(url_for("contacts.organisations"))
    return render_template(
        "contacts/organisation_form.html", form=form, organisation=None
    ), 400 if form.errors else 200


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit_organisation(organisation_id: int):
    """Rename an organisation or change its kind."""
    organisation = _load_organisation(organisation_id)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            services.update_organisation(organisation, form.name.data, form.kind.data)
        except services.ContactError as err:
            _apply_error(form, err)
        else:
            db.session.commit()
            flash(f"Organisation saved: {organisation.name}.", "success")
            return redirect(url_for("contacts.organisations"))
    return render_template(
        "contacts/organisation_form.html", form=form, organisation=organisation
    ), 400 if form.errors else 200


@bp.route("/organisations/<int:organisation_id>/delete", methods=["POST"])
def delete_organisation(organisation_id: int):
    """Delete an organisation nobody works for."""
    organisation = _load_organisation(organisation_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.delete_organisation(organisation)
        except services.ContactError as err:
            flash(str(err), "error")
        else:
            db.session.commit()
            flash(f"Organisation deleted: {organisation.name}.", "success")
    return redirect(url_for("contacts.organisations"))


# --- Import ------------------------------------------------------------------------------------


def _load_import(import_id: int) -> ContactImport | None:
    """The signed-in organiser's upload, or None if it is gone or someone else's."""
    return importing.import_for(current_user, import_id)


def _import_gone():
    """Back to the upload page, saying why."""
    flash(
        "That upload is no longer here: it was imported, cancelled or left for over a day. "
        "Upload the file again.",
        "error",
    )
    return redirect(url_for("contacts.upload"))


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):  # noqa: ARG001
    """A file over the server's limit: say so on the upload page rather than a bare error."""
    form = UploadForm(formdata=None)
    form.file.errors = [
        f"The file is too big; the largest file you can upload is {csvio.MAX_BYTES // 2**20} MB"
    ]
    return render_template("contacts/import_upload.html", form=form), 413


@bp.route("/import", methods=["GET", "POST"])
def upload():
    """Step 1 of importing: upload a CSV file."""
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            started = importing.start_import(
                current_user, file.filename or "contacts.csv", file.read()
            )
        except csvio.CsvError as err:
            form.file.errors.append(err.message)
        else:
            db.session.commit()
            return redirect(url_for("contacts.import_columns", import_id=started.id))
    return render_template("contacts/import_upload.html", form=form), 400 if form.errors else 200


@bp.route("/import/example.csv")
def import_example():
    """A CSV file with the columns the import understands and one invented row."""
    example = {
        "name": "Jordan Example",
        "email": "jordan.example@example.org",
        "job_title": "Housing Options Officer",
        "organisation": "Example Council Housing Service",
        "organisation_kind": "local_authority",
        "side": "frontline",
        "phone": "020 7946 0000",
        "notes": "",
    }
    return Response(
        csvio.contacts_csv_bytes([example]),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="contacts-example.csv"'},
    )


@bp.route("/import/<int:import_id>/columns", methods=["GET", "POST"])
def import_columns(import_id: int):
    """Step 2: say which column holds what, with a preview of the first rows."""
    upload = _load_import(import_id)
    if upload is None:
        return _import_gone()
    table = importing.upload_table(upload)
    if request.method == "POST":
        form = ColumnMappingForm(headers=table.headers)
        if request.form.get("action") != "preview":
            # Every problem at once: a column chosen twice and a required field with none.
            valid = form.validate_on_submit()
            try:
                if valid:
                    importing.choose_mapping(upload, form.mapping())
                else:
                    csvio.check_mapping(table, form.mapping())
            except csvio.MappingError as err:
                valid = False
                if err.missing:
                    form.add_missing(err.missing)
                else:
                    form.form_errors.append(err.message)
            if valid:
                db.session.commit()
                return redirect(url_for("contacts.import_check", import_id=upload.id))
    else:
        mapping = importing.upload_mapping(upload, table)
        form = ColumnMappingForm(data=ColumnMappingForm.data_from(mapping), headers=table.headers)
    return render_template(
        "contacts/import_columns.html",
        form=form,
        upload=upload,
        table=table,
        preview=csvio.preview(table, form.mapping()),
        column_letter=csvio.column_letter,
        field_labels=csvio.FIELD_LABELS,
        fields=csvio.FIELDS,
    ), 400 if form.errors else 200


@bp.route("/import/<int:import_id>/check")
def import_check(import_id: int):
    """Step 3: every bad row by line and reason; import the good rows, or nothing."""
    upload = _load_import(import_id)
    if upload is None:
        return _import_gone()
    if upload.mapping is None:
        return redirect(url_for("contacts.import_columns", import_id=upload.id))
    table = importing.upload_table(upload)
    report = importing.check_import(table, importing.upload_mapping(upload, table))
    form = ImportConfirmForm(data={"expected": str(len(report.good))})
    return render_template(
        "contacts/import_check.html",
        upload=upload,
        report=report,
        problem_summary=_problem_summary(report),
        header_line=table.header_line,
        problems=report.problems_by_line(),
        new_organisations=importing.new_organisation_names(report),
        kind_labels=csvio.ORGANISATION_KINDS,
        form=form,
    )


SUMMARY_LINES = 10  # bad rows named in the error summary; the table below lists them all


def _problem_summary(report: csvio.ImportReport) -> list[dict[str, str]]:
    """The error summary's links: the first bad rows, then how many more the table lists."""
    grouped = report.problems_by_line()
    items = [
        {"text": f"Line {line}: " + "; ".join(p.reason for p in problems), "href": f"#line-{line}"}
        for line, problems in list(grouped.items())[:SUMMARY_LINES]
    ]
    if len(grouped) > SUMMARY_LINES:
        more = len(grouped) - SUMMARY_LINES
        items.append({"text": f"{_plural(more, 'more row')} with problems, listed below",
                      "href": "#problems"})
    return items


@bp.route("/import/<int:import_id>/confirm", methods=["POST"])
def import_confirm(import_id: int):
    """Import the good rows, all or nothing, after checking them again."""
    upload = _load_import(import_id)
    if upload is None:
        return _import_gone()
    form = ImportConfirmForm()
    if not form.validate_on_submit() or upload.mapping is None:
        return redirect(url_for("contacts.import_check", import_id=import_id))
    expected = form.expected.data or ""
    table = importing.upload_table(upload)
    try:
        result = importing.import_contacts(
            table,
            importing.upload_mapping(upload, table),
            good_rows_only=True,
            expected_good=int(expected) if expected.isdigit() else None,
        )
        importing.finish_import(upload)
        db.session.commit()
    except importing.ImportChanged as err:
        db.session.rollback()
        flash(f"Nothing was imported. {err}. Check the rows again below.", "error")
        return redirect(url_for("contacts.import_check", import_id=import_id))
    except SQLAlchemyError as err:
        db.session.rollback()
        # The error's text can quote contacts' details: log only what kind of failure it was.
        current_app.logger.error("Contact import %s failed: %s", import_id, type(err).__name__)
        flash(
            "Nothing was imported: the contacts could not be saved, perhaps because someone "
            "changed them at the same time. Check the rows again and retry.",
            "error",
        )
        return redirect(url_for("contacts.import_check", import_id=import_id))
    added = result.organisations_added
    message = f"Imported {_plural(result.contacts_added, 'contact')}"
    if added:
        message += (
            f" and added {_plural(len(added), 'organisation')}: {result.organisation_names()}"
        )
    else:
        message += "; no new organisations were needed"
    flash(message + ".", "success")
    return redirect(url_for("contacts.index", sort="recent"))


@bp.route("/import/<int:import_id>/cancel", methods=["POST"])
def import_cancel(import_id: int):
    """Stop the import: forget the file, import nothing."""
    upload = _load_import(import_id)
    if upload is not None and ConfirmForm().validate_on_submit():
        importing.finish_import(upload)
        db.session.commit()
    flash("Import cancelled. Nothing was imported.", "success")
    return redirect(url_for("contacts.index"))


# --- Duplicates --------------------------------------------------------------------------------


@bp.route("/duplicates")
def find_duplicates():
    """Contacts that look like the same person, in groups, each with a link to merge them."""
    groups = duplicates.find_duplicate_groups()
    return render_template(
        "contacts/duplicates.html",
        groups=groups,
        merge_urls=[url_for("contacts.merge") + "?" + urlencode([("id", i) for i in g.ids])
                    for g in groups],
    )


@bp.route("/duplicates/different-people", methods=["POST"])
def mark_different():
    """Record that a group are different people, so the page stops offering them."""
    contacts = services.load_contacts(request.form.getlist("id", type=int))
    if ConfirmForm().validate_on_submit() and len(contacts) >= 2:
        duplicates.mark_not_duplicates(contacts)
        db.session.commit()
        flash(
            "Marked as different people: " + ", ".join(c.name for c in contacts) + ".", "success"
        )
    return redirect(url_for("contacts.find_duplicates"))


@bp.route("/merge", methods=["GET", "POST"])
def merge():
    """Merge duplicates: choose the record to keep and, field by field, the values to keep."""
    contacts = sorted(
        services.load_contacts(request.args.getlist("id", type=int)),
        key=lambda contact: (contact.created_at, contact.id),
    )
    if len(contacts) < 2:
        flash("Those records have already been merged or deleted.", "error")
        return redirect(url_for("contacts.find_duplicates"))
    fields = duplicates.differing_fields(contacts)
    form_class = merge_form(contacts, fields)
    if request.method == "POST":
        form = form_class()
    else:
        keep = contacts[0]  # the oldest record: the one most likely to be in use
        defaults = duplicates.default_choices(keep, contacts)
        form = form_class(
            data={
                "keep": str(keep.id),
                **{
                    f"field_{name}": merge_option_for(contacts, name, source)
                    for name, source in defaults.items()
                },
            }
        )
    if form.validate_on_submit():
        keep = next(c for c in contacts if str(c.id) == form.keep.data)
        chosen = {
            name: (value if value == duplicates.ALL_NOTES else int(value))
            for name in fields
            for value in [form[f"field_{name}"].data]
        }
        others = [c for c in contacts if c is not keep]
        try:
            result = duplicates.merge_contacts(keep, others, chosen)
            db.session.commit()
        except duplicates.MergeError as err:
            db.session.rollback()
            form.form_errors.append(str(err))
        except SQLAlchemyError as err:
            db.session.rollback()
            current_app.logger.error("Contact merge failed: %s", type(err).__name__)
            form.form_errors.append(
                "The records could not be merged, so nothing was changed. Something else "
                "refers to them in a way that cannot be combined; ask your administrator"
            )
        else:
            message = [
                f"Merged {_plural(result.merged_count + 1, 'record')} into one: "
                f"{result.contact.name}."
            ]
            if result.invitations_moved:
                message.append(
                    f"Moved {_plural(result.invitations_moved, 'invitation')} to this record."
                )
            message.extend(result.conflicts)
            flash(" ".join(message), "success")
            return redirect(url_for("contacts.show", contact_id=result.contact.id))
    return render_template(
        "contacts/merge.html",
        form=form,
        contacts=contacts,
        fields=fields,
        labels=duplicates.MERGE_FIELDS,
        field_value=duplicates.field_value,
        invitations={c.id: services.contact_invitations(c) for c in contacts},
    ), 400 if form.errors else 200
