"""Organisers' case-study pages: commission, review, read (audited), print, tables, audit log.

The pages reached by private links (authors, hosts, guests) live in `link_views`. No view logs
or flashes story text: messages name what happened, never what was written.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from cafe.casestudies import commands, common, handout, mailing, retention, services
from cafe.casestudies import tables as table_service
from cafe.casestudies.forms import (
    CommissionForm,
    ReviewForm,
    TableForm,
)
from cafe.casestudies.models import CafeTable, CaseStudy
from cafe.casestudies.story import check_story, render_text
from cafe.contacts.models import Contact
from cafe.events import panels
from cafe.events.models import Event
from cafe.events.services import event_for
from cafe.extensions import db
from cafe.mail.services import deliver_queued

bp = Blueprint("casestudies", __name__, template_folder="templates")


def _panel(event: Event) -> dict:
    """The dashboard panel's figures."""
    return {"overview": services.event_overview(event)}


panels.register_tab(20, "casestudies.index", "Case studies")
panels.register_tab(30, "casestudies.tables", "Tables")
panels.register_panel(20, "casestudies/_panel.html", _panel)


@bp.app_template_filter("uk_time")
def uk_time_filter(value):
    """A stored UTC time as UK time."""
    return common.uk_time(value)


@bp.app_template_global()
def finding_kind_label(kind: str) -> str:
    """A finding's kind, for people."""
    return services.finding_kind_label(kind)


def _send_now(*keys: str) -> None:
    """Try to send these emails now; any that fail stay queued for `flask mail send`."""
    deliver_queued(keys=[k for k in keys if k])


# --- Organisers: loading ----------------------------------------------------------------------


def _event(event_id: int) -> Event:
    event = event_for(current_user, event_id)
    if event is None:
        abort(404)
    return event


def _case_study(event_id: int, case_study_id: int) -> tuple[Event, CaseStudy]:
    event = _event(event_id)
    case_study = services.case_study_for(event, case_study_id)
    if case_study is None:
        abort(404)
    return event, case_study


def _to_case_study(case_study: CaseStudy, anchor: str = "") -> Response:
    return redirect(url_for("casestudies.show", event_id=case_study.event_id,
                            case_study_id=case_study.id) + anchor)


# --- Organisers: list and commission ----------------------------------------------------------


@bp.route("/events/<int:event_id>/case-studies/")
@login_required
def index(event_id: int):
    """The event's case studies with their states and deadlines."""
    event = _event(event_id)
    case_studies = services.case_studies_for(event)
    open_findings = {c.id: check_story(c).open_count for c in case_studies if not c.is_purged}
    return render_template("casestudies/index.html", event=event, case_studies=case_studies,
                           open_findings=open_findings, today=common.today(),
                           overview=services.event_overview(event),
                           preference_counts=table_service.preference_counts(event))


@bp.route("/events/<int:event_id>/case-studies/commission", methods=["GET", "POST"])
@login_required
def commission(event_id: int):
    """Ask a contact to write a case study; they are emailed a private link."""
    event = _event(event_id)
    contacts = services.commission_candidates()
    form = CommissionForm(contacts=contacts)
    if request.method == "GET" and request.args.get("contact", "").isdigit():
        form.author.data = request.args["contact"]
    if form.validate_on_submit():
        author = db.session.get(Contact, int(form.author.data))
        try:
            case_study = services.commission_case_study(
                event, author, brief=form.brief.data, structure=form.structure.data or "",
                deadline=form.deadline.data, organiser=current_user)
        except common.CaseStudyError as err:
            apply_error(form, err)
        else:
            db.session.commit()
            _send_now(f"case-study-{case_study.id}-commissioned")
            flash(f"Case study commissioned from {author.name}. They have been emailed their "
                  "private link.", "success")
            return redirect(url_for("casestudies.index", event_id=event.id))
    return render_template("casestudies/commission.html", event=event, form=form,
                           has_contacts=bool(contacts)), 400 if form.errors else 200


def apply_error(form, err: common.CaseStudyError) -> None:
    if err.field and err.field in form:
        form[err.field].errors.append(str(err))
    else:
        form.form_errors.append(str(err))


@bp.route("/events/<int:event_id>/case-studies/reminders", methods=["POST"])
@login_required
def remind(event_id: int):
    """Send the deadline reminders due today for this event (each is sent only once)."""
    event = _event(event_id)
    keys = mailing.queue_deadline_reminders(common.today(), event)
    db.session.commit()
    _send_now(*keys)
    if keys:
        flash(f"Sent {len(keys)} reminder{'s' if len(keys) != 1 else ''} to authors who have "
              "not submitted.", "success")
    else:
        flash("No reminders are due: authors are reminded 7 and 2 days before their deadline, "
              "and once after it, and each reminder is sent only once.", "success")
    return redirect(url_for("casestudies.index", event_id=event.id))


# --- Organisers: one case study ---------------------------------------------------------------


def _render_show(event: Event, case_study: CaseStudy, review_form: ReviewForm | None = None,
                 status: int = 200):
    check = check_story(case_study) if not case_study.is_purged else None
    return render_template(
        "casestudies/show.html", event=event, case_study=case_study, check=check,
        review_form=review_form or ReviewForm(),
        audit=services.audit_log(event, case_study, limit=10),
        purge_on=retention.purge_date(event)), status


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/")
@login_required
def show(event_id: int, case_study_id: int):
    """Read a case study (audited), with its review, versions, table and link."""
    event, case_study = _case_study(event_id, case_study_id)
    if not case_study.is_purged:
        services.record_access(case_study, "view", "Case study page", organiser=current_user)
        db.session.commit()
    return _render_show(event, case_study)


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/approve", methods=["POST"])
@login_required
def approve(event_id: int, case_study_id: int):
    """Approve a submitted story; it becomes a hosted table."""
    event, case_study = _case_study(event_id, case_study_id)
    try:
        table = services.approve_case_study(case_study, current_user)
    except common.CaseStudyError as err:
        flash(str(err), "error")
        return _to_case_study(case_study)
    db.session.commit()
    _send_now(f"case-study-{case_study.id}-approved-v{case_study.versions[-1].number}")
    flash(f"Approved. It is table {table.number}, hosted by {case_study.author.name}.",
          "success")
    return _to_case_study(case_study)


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/request-changes",
          methods=["POST"])
@login_required
def request_changes(event_id: int, case_study_id: int):
    """Send the story back to its author with comments."""
    event, case_study = _case_study(event_id, case_study_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            comment = services.request_changes(case_study, current_user, form.comments.data)
        except common.CaseStudyError as err:
            apply_error(form, err)
        else:
            db.session.commit()
            _send_now(f"case-study-{case_study.id}-changes-v{comment.version_number}")
            flash(f"Changes requested. {case_study.author.name} has been emailed to look at "
                  "your comments.", "success")
            return _to_case_study(case_study)
    return _render_show(event, case_study, form, 400)


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/withdraw", methods=["POST"])
@login_required
def withdraw(event_id: int, case_study_id: int):
    """Drop a case study from the event (its table goes too)."""
    event, case_study = _case_study(event_id, case_study_id)
    services.withdraw_case_study(case_study)
    db.session.commit()
    flash("Case study withdrawn. Its table and guests' choices of it have been removed.",
          "success")
    return _to_case_study(case_study)


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/send-link", methods=["POST"])
@login_required
def send_link(event_id: int, case_study_id: int):
    """Email the author their private link again."""
    event, case_study = _case_study(event_id, case_study_id)
    key = services.resend_author_link(case_study)
    db.session.commit()
    _send_now(key)
    flash(f"The link has been emailed to {case_study.author.name} again.", "success")
    return _to_case_study(case_study, "#author-link")


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/replace-link",
          methods=["POST"])
@login_required
def replace_link(event_id: int, case_study_id: int):
    """Revoke the author's link (for example if it was forwarded) and email a new one."""
    event, case_study = _case_study(event_id, case_study_id)
    key = services.replace_author_link(case_study)
    db.session.commit()
    _send_now(key)
    flash(f"The old link no longer works. {case_study.author.name} has been emailed a new one.",
          "success")
    return _to_case_study(case_study, "#author-link")


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/versions/compare")
@login_required
def compare(event_id: int, case_study_id: int):
    """The difference between two versions (audited as a view)."""
    event, case_study = _case_study(event_id, case_study_id)
    numbers = [v.number for v in case_study.versions]
    old = request.args.get("old", type=int) or (numbers[-2] if len(numbers) > 1 else None)
    new = request.args.get("new", type=int) or (numbers[-1] if numbers else None)
    try:
        old_version, new_version, lines = services.version_diff(case_study, old, new)
    except common.CaseStudyError:
        abort(404)
    services.record_access(case_study, "view", f"Versions {old} and {new} compared",
                           organiser=current_user)
    db.session.commit()
    return render_template("casestudies/compare.html", event=event, case_study=case_study,
                           old=old_version, new=new_version, lines=lines)


def _printable(case_study: CaseStudy) -> None:
    if case_study.is_purged:
        abort(404)


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/handout")
@login_required
def print_handout(event_id: int, case_study_id: int):
    """The table handout to print from the browser (audited)."""
    event, case_study = _case_study(event_id, case_study_id)
    _printable(case_study)
    services.record_access(case_study, "print", "Table handout", organiser=current_user)
    db.session.commit()
    return render_template("casestudies/handout_print.html", event=event, case_study=case_study)


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/handout.pdf")
@login_required
def download_handout(event_id: int, case_study_id: int):
    """The table handout as a PDF file (audited)."""
    event, case_study = _case_study(event_id, case_study_id)
    _printable(case_study)
    pdf = handout.handout_pdf(case_study)
    services.record_access(case_study, "download", "Table handout (PDF)", organiser=current_user)
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="case-study-{case_study.id}-handout.pdf"',
        "Cache-Control": "no-store"})


@bp.route("/events/<int:event_id>/case-studies/<int:case_study_id>/export.txt")
@login_required
def export_text(event_id: int, case_study_id: int):
    """The story as plain text, marked and audited."""
    event, case_study = _case_study(event_id, case_study_id)
    _printable(case_study)
    services.record_access(case_study, "export", "Plain text", organiser=current_user)
    db.session.commit()
    text = ("OFFICIAL-SENSITIVE\n\n" + render_text(case_study)
            + "\nOFFICIAL-SENSITIVE. Do not copy or forward.\n")
    return Response(text, mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="case-study-{case_study.id}.txt"',
        "Cache-Control": "no-store"})


@bp.route("/events/<int:event_id>/case-studies/audit")
@login_required
def audit(event_id: int):
    """Who viewed, printed, exported or downloaded which story, and when."""
    event = _event(event_id)
    case_study = None
    if request.args.get("case_study", type=int):
        case_study = services.case_study_for(event, request.args.get("case_study", type=int))
    return render_template("casestudies/audit.html", event=event, case_study=case_study,
                           entries=services.audit_log(event, case_study))


# --- Organisers: tables -----------------------------------------------------------------------


@bp.route("/events/<int:event_id>/tables/")
@login_required
def tables(event_id: int):
    """The event's tables: number, case study, host, co-facilitator and capacity."""
    event = _event(event_id)
    return render_template("casestudies/tables.html", event=event,
                           tables=table_service.tables_for(event))


def _table(event: Event, table_id: int) -> CafeTable:
    table = db.session.get(CafeTable, table_id)
    if table is None or table.event_id != event.id:
        abort(404)
    return table


@bp.route("/events/<int:event_id>/tables/<int:table_id>/edit", methods=["GET", "POST"])
@login_required
def edit_table(event_id: int, table_id: int):
    """Change a table's capacity and co-facilitator, or mark it unhosted."""
    event = _event(event_id)
    table = _table(event, table_id)
    form = TableForm(obj=table)
    if request.method == "GET":
        form.author_attends.data = "no" if table.is_unhosted else "yes"
    if form.validate_on_submit():
        try:
            table_service.update_table(table, capacity=form.capacity.data,
                                  co_facilitator=form.co_facilitator.data or "",
                                  author_attends=form.author_attends.data == "yes")
        except common.CaseStudyError as err:
            apply_error(form, err)
        else:
            db.session.commit()
            state = "unhosted" if table.is_unhosted else f"hosted by {table.host.name}"
            flash(f"Table {table.number} saved: {state}.", "success")
            return redirect(url_for("casestudies.tables", event_id=event.id))
    return render_template("casestudies/table_form.html", event=event, table=table,
                           form=form), 400 if form.errors else 200


def _signs(event: Event, table_list: list[CafeTable]):
    for table in table_list:
        services.record_access(table.case_study, "print", "Table sign", organiser=current_user)
    db.session.commit()
    return render_template("casestudies/signs_print.html", event=event, tables=table_list)


@bp.route("/events/<int:event_id>/tables/<int:table_id>/sign")
@login_required
def print_sign(event_id: int, table_id: int):
    """One table's sign: its number and title, large, on A4 landscape."""
    event = _event(event_id)
    return _signs(event, [_table(event, table_id)])


@bp.route("/events/<int:event_id>/tables/signs")
@login_required
def print_signs(event_id: int):
    """Every table's sign, one per page."""
    event = _event(event_id)
    return _signs(event, table_service.tables_for(event))


# The pages reached by private links (authors, hosts, guests) are registered on the same
# blueprint by `link_views`, so their endpoints are `casestudies.write`, `casestudies.choose`, …
from cafe.casestudies import link_views  # noqa: E402, F401

commands.register(bp.cli)
