"""Pages reached by private links, without signing in: the author's writing page (the host's
view on the day) and a guest's choice of tables. Registered on the `casestudies` blueprint.

No view here logs or flashes story text, and a stale CSRF token never loses what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import dropwhile

from flask import (
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from cafe.casestudies import common, mailing, retention, services
from cafe.casestudies import tables as table_service
from cafe.casestudies.forms import ChoiceForm, DecisionForm, HostingForm, StoryForm
from cafe.casestudies.models import CaseStudy
from cafe.casestudies.services import EntryDraft
from cafe.casestudies.story import check_story
from cafe.casestudies.views import apply_error, bp
from cafe.clock import utcnow
from cafe.extensions import csrf, db
from cafe.mail.services import deliver_queued
from cafe.security import csrf_token_ok, opened_or_abort
from cafe.tokens import BadLink, LinkRevoked

# --- Authors and hosts: the private link ------------------------------------------------------


def _link_problem(status: int, reason: str):
    return render_template("casestudies/link_problem.html", reason=reason), status


def _from_author_link(token: str) -> CaseStudy:
    """The case study for a link, or a clear page for a bad (404) or replaced (410) one."""
    return opened_or_abort(services.case_study_from_token, token, "casestudies/link_problem.html")
    token = request.headers.get("X-CSRFToken") or request.form.get("csrf_token", "")
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def _blank_rows() -> int:
    return max(1, min(10, request.args.get("blank", 1, type=int) or 1))


@dataclass
class DecisionError:
    """What went wrong marking a detail as not identifying, and the reason as typed."""

    key: tuple[str, str]  # (kind, text) of the finding
    message: str
    reason: str = ""
    finding_id: str | None = None  # the finding on the page, if it is still flagged


def _show_blockers_inline(form: StoryForm, blockers: list[services.Blocker]) -> None:
    """Put each blocker's message next to the input it is about."""
    for blocker in blockers:
        row = re.fullmatch(r"entries-(\d+)-(\w+)", blocker.field or "")
        if row:
            form.entries.add_row_error(int(row[1]), row[2], blocker.field_message)
        elif blocker.field and blocker.field in form:
            form[blocker.field].errors = [*form[blocker.field].errors, blocker.field_message]


def _summary_items(form: StoryForm, blockers: list[services.Blocker],
                   decision_error: DecisionError | None) -> list[dict[str, str]]:
    """The error summary: one link per problem, to the input that needs fixing."""
    if blockers:
        return [{"text": b.message, "href": b.href} for b in blockers]
    if decision_error:
        href = f"#{decision_error.finding_id}-reason" if decision_error.finding_id else (
            "#identifying-details")
        return [{"text": decision_error.message, "href": href}]
    items = [{"text": message, "href": "#story-form"} for message in form.form_errors]
    for name, field in form._fields.items():
        if name == "entries":
            items += [{"text": message, "href": "#entries"} for message in field.group_errors]
            items += [{"text": message, "href": f"#entries-{index}-{part}"}
                      for index, parts in sorted(field.row_errors.items())
                      for part, message in parts.items()]
        elif field.errors:
            items.append({"text": field.errors[0], "href": f"#{field.id}"})
    return items


def _finding_id(check, key: tuple[str, str]) -> str | None:
    """The page id of the first open finding with this (kind, text)."""
    for field_flags in check.fields if check else []:
        for number, flag in enumerate(field_flags.flags, start=1):
            if flag.is_open and flag.key == key:
                return f"{field_flags.field.key}-finding-{number}"
    return None


def _render_write(case_study: CaseStudy, form: StoryForm, mode: str, *, blockers=None,
                  decision_error: DecisionError | None = None,
                  hosting_form: HostingForm | None = None, status: int = 200):
    check = check_story(case_study) if mode == "edit" else None
    blockers = blockers or []
    _show_blockers_inline(form, blockers)
    if decision_error is not None:
        decision_error.finding_id = _finding_id(check, decision_error.key)
    rows = list(form.entries.data)
    trailing = len(rows) - len(list(dropwhile(lambda e: e.is_blank, reversed(rows))))
    rows += [EntryDraft() for _ in range(max(0, _blank_rows() - trailing))]
    table = case_study.table
    if hosting_form is None and mode == "read" and table is not None:
        hosting_form = HostingForm(data={"author_attends": "no" if table.is_unhosted else "yes"})
    summary_items = _summary_items(form, blockers, decision_error)
    if hosting_form is not None:
        summary_items += [{"text": errors[0], "href": "#author_attends"}
                          for errors in hosting_form.errors.values() if errors]
    return render_template(
        "casestudies/write.html", case_study=case_study, event=case_study.event, form=form,
        mode=mode, token=request.view_args["token"], check=check, rows=rows,
        ready_blockers=services.submit_blockers(case_study, check) if check else [],
        blockers=blockers, decision_error=decision_error, summary_items=summary_items,
        hosting_form=hosting_form,
        comments=services.latest_comments(case_study), table=table,
        purge_on=retention.purge_date(case_study.event)), status


@bp.route("/case-study/<token>/", methods=["GET", "POST"])
@csrf.exempt
def write(token: str):
    """The author's page: write and check the story, then submit it; read-only later."""
    case_study = _from_author_link(token)
    mode = services.author_link_mode(case_study)
    if request.method == "GET":
        if mode in {"edit", "submitted", "read", "host"}:
            services.record_link_access(case_study, mode, "Author page")
            db.session.commit()
        return _render_write(case_study, StoryForm(obj=case_study), mode)
    if mode != "edit":
        flash("This case study can no longer be changed through this link.", "error")
        return redirect(url_for("casestudies.write", token=token))
    form = StoryForm()
    if not csrf_token_ok():
        form.form_errors.append("Your session had expired, so your changes have not been saved "
                                "yet. They are still below: select 'Save draft' again.")
        return _render_write(case_study, form, mode, status=400)
    if not form.validate():
        return _render_write(case_study, form, mode, status=400)
    draft = form.draft()
    removed = request.form.get("remove_entry", type=int)
    if removed is not None and 0 <= removed < len(draft.entries):
        del draft.entries[removed]
    blank = sum(1 for e in draft.entries if e.is_blank)
    try:
        services.save_draft(case_study, draft)
    except common.CaseStudyError as err:
        apply_error(form, err)
        return _render_write(case_study, form, mode, status=400)
    db.session.commit()
    action = request.form.get("action", "save")
    if action == "submit":
        try:
            services.submit_case_study(case_study)
        except services.SubmitBlocked as err:
            return _render_write(case_study, StoryForm(obj=case_study), mode,
                                 blockers=err.blockers, status=400)
        db.session.commit()
        flash("Thank you: your case study has been submitted for review. The organisers will "
              "email you when they have read it.", "success")
        return redirect(url_for("casestudies.write", token=token))
    if action == "add_entry":
        return redirect(url_for("casestudies.write", token=token, blank=blank + 1) + "#entries")
    if removed is not None:
        return redirect(url_for("casestudies.write", token=token) + "#entries")
    flash("Draft saved.", "success")
    return redirect(url_for("casestudies.write", token=token))


def _json_error(status: int, error: str, message: str):
    return jsonify({"saved": False, "error": error, "message": message}), status


@bp.route("/case-study/<token>/autosave", methods=["POST"])
@csrf.exempt
def autosave(token: str):
    """Save the draft from the page's script; answers JSON (a stale session is said plainly)."""
    try:
        case_study = services.case_study_from_token(token)
    except BadLink:
        return _json_error(404, "link", "This link is not valid.")
    except LinkRevoked:
        return _json_error(410, "link", "This link has been replaced: ask the organisers.")
    if services.author_link_mode(case_study) != "edit":
        return _json_error(409, "locked", "This case study can no longer be changed here. "
                                          "Reload the page.")
    if not csrf_token_ok():
        return _json_error(400, "csrf", "Your session has expired.")
    form = StoryForm()
    if not form.validate():
        messages = [m for errors in form.errors.values() for m in errors]
        return jsonify({"saved": False, "error": "invalid", "message": " ".join(messages)}), 422
    try:
        check = services.save_draft(case_study, form.draft())
    except common.CaseStudyError as err:
        return _json_error(422, "invalid", str(err))
    db.session.commit()
    token_args = {"case_study": case_study, "event": case_study.event, "token": token,
                  "check": check, "decision_error": None}
    return jsonify({
        "saved": True,
        "saved_at": case_study.saved_at.isoformat() + "Z",
        "revision": case_study.revision,
        "open_findings": check.open_count,
        "findings_html": render_template("casestudies/_findings.html", **token_args),
        "ready_html": render_template(
            "casestudies/_ready.html", ready_blockers=services.submit_blockers(case_study, check)),
    })


@bp.route("/case-study/<token>/csrf-token")
def fresh_csrf_token(token: str):
    """A fresh CSRF token for the page's script, after the session expired."""
    _from_author_link(token)
    return jsonify({"csrf_token": generate_csrf()})


@bp.route("/case-study/<token>/decisions", methods=["POST"])
@csrf.exempt
def decide(token: str):
    """Mark a flagged detail as not identifying, with a reason."""
    case_study = _from_author_link(token)
    mode = services.author_link_mode(case_study)
    if mode != "edit":
        return redirect(url_for("casestudies.write", token=token))
    form = DecisionForm()
    key = (form.kind.data or "", " ".join((form.text.data or "").split()))
    reason = form.reason.data or ""
    if not csrf_token_ok():
        message = ("Your session had expired, so this has not been saved yet. Your reason is "
                   "still below: select 'Mark as not identifying' again.")
    elif form.validate():
        try:
            services.mark_not_identifying(case_study, *key, reason)
        except common.CaseStudyError as err:
            message = str(err)
        else:
            db.session.commit()
            flash("Marked as not identifying.", "success")
            return redirect(url_for("casestudies.write", token=token) + "#identifying-details")
    else:
        message = next(iter(form.reason.errors), "This detail is no longer flagged: the text "
                                                  "has changed")
    return _render_write(case_study, StoryForm(obj=case_study), mode,
                         decision_error=DecisionError(key, message, reason), status=400)


@bp.route("/case-study/<token>/decisions/<int:decision_id>/undo", methods=["POST"])
def undo_decision(token: str, decision_id: int):
    """Flag a detail again."""
    case_study = _from_author_link(token)
    try:
        services.undo_decision(case_study, decision_id)
    except common.CaseStudyError as err:
        flash(str(err), "error")
    else:
        db.session.commit()
        flash("The detail is flagged again.", "success")
    return redirect(url_for("casestudies.write", token=token) + "#identifying-details")


@bp.route("/case-study/<token>/reopen", methods=["POST"])
def reopen(token: str):
    """Take a submitted story back to change it before it is reviewed."""
    case_study = _from_author_link(token)
    try:
        services.reopen_case_study(case_study)
    except common.CaseStudyError as err:
        flash(str(err), "error")
    else:
        db.session.commit()
        flash("Your case study is a draft again. Submit it when you have finished.", "success")
    return redirect(url_for("casestudies.write", token=token))


@bp.route("/case-study/<token>/hosting", methods=["POST"])
def hosting(token: str):
    """The author says whether they can host their table; unhosted tables are shown as such."""
    case_study = _from_author_link(token)
    mode = services.author_link_mode(case_study)
    if mode != "read":
        flash("This can no longer be changed here: please tell the organisers.", "error")
        return redirect(url_for("casestudies.write", token=token))
    form = HostingForm()
    if form.validate():
        was_unhosted = case_study.table is not None and case_study.table.is_unhosted
        try:
            table = table_service.set_author_attendance(
                case_study, form.author_attends.data == "yes")
        except common.CaseStudyError as err:
            form.author_attends.errors.append(str(err))
        else:
            changed = table.is_unhosted != was_unhosted
            keys = mailing.queue_hosting_changed(case_study, utcnow()) if changed else []
            db.session.commit()
            deliver_queued(keys=keys)
            flash(f"Thank you: you will host table {table.number}." if not table.is_unhosted
                  else f"Thank you for letting us know. Table {table.number} will be unhosted; "
                       "the organisers have been told.", "success")
            return redirect(url_for("casestudies.write", token=token))
    return _render_write(case_study, StoryForm(obj=case_study), mode, hosting_form=form,
                         status=400)


# --- Guests: choosing tables ------------------------------------------------------------------


@bp.route("/rsvp/<token>/case-studies", methods=["GET", "POST"])
def choose(token: str):
    """A guest who accepted picks up to three case studies they most want to hear."""
    try:
        invitation = table_service.invitation_from_token(token)
    except BadLink:
        return _link_problem(404, "invalid")
    except LinkRevoked:
        return _link_problem(410, "replaced")
    event = invitation.event
    if invitation.state != "accepted":
        return render_template("casestudies/choose_closed.html", invitation=invitation,
                               event=event, reason="not_accepted")
    if common.today() > event.date:
        return render_template("casestudies/choose_closed.html", invitation=invitation,
                               event=event, reason="over")
    case_studies = table_service.choosable_case_studies(event)
    form = ChoiceForm(case_studies=case_studies)
    if request.method == "GET":
        for rank, preference in zip(form.RANKS, table_service.preferences_for(invitation),
                                    strict=False):
            form[rank].data = str(preference.case_study_id)
    if form.validate_on_submit():
        try:
            table_service.set_preferences(invitation, form.chosen_ids())
        except common.CaseStudyError as err:
            apply_error(form, err)
        else:
            db.session.commit()
            flash("Your choices have been saved. You can change them until the day.", "success")
            return redirect(url_for("casestudies.choose", token=token))
    return render_template("casestudies/choose.html", invitation=invitation, event=event,
                           case_studies=case_studies, form=form), 400 if form.errors else 200
