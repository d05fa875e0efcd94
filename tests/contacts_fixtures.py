"""Builders shared by the contacts tests: organisations, contacts, invitations and CSV files."""

from __future__ import annotations

import re
from datetime import datetime

from cafe.contacts.models import Contact, Organisation
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.tokens import new_link_key

HEADINGS = "Name,Email,Job title,Organisation,Organisation kind,Side,Phone,Notes"


def make_organisation(name: str = "Home Office", kind: str = "central_government") -> Organisation:
    organisation = Organisation(name=name, kind=kind)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_contact(organisation: Organisation | None = None, **overrides) -> Contact:
    values = {
        "name": "Amara Okafor",
        "email": "amara.okafor@example.org",
        "job_title": "Policy Adviser",
        "side": "strategy",
        "phone": "",
        "notes": "",
    }
    values.update(overrides)
    if organisation is None:
        organisation = db.session.query(Organisation).filter_by(name="Home Office").first()
        organisation = organisation or make_organisation()
    contact = Contact(organisation=organisation, **values)
    db.session.add(contact)
    db.session.flush()
    return contact


def make_invitation(event, contact: Contact, state: str = "sent", **overrides) -> Invitation:
    invitation = Invitation(
        event=event, contact=contact, state=state, link_key=new_link_key(), **overrides
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def csv_bytes(*rows: str, headings: str = HEADINGS, bom: bool = False) -> bytes:
    """A CSV file from lines of text (CRLF line ends, as spreadsheets write them)."""
    text = "\r\n".join([headings, *rows]) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def people_csv(count: int, *, start: int = 0, organisation: str = "Redbridge Housing") -> bytes:
    """`count` good rows of invented people."""
    return csv_bytes(
        *(
            f"Person {n},person{n}@example.org,Officer,{organisation},Local authority,"
            f"{'frontline' if n % 3 else 'strategy'},,"
            for n in range(start, start + count)
        )
    )


def text(response) -> str:
    """A page's HTML on one line, whitespace collapsed."""
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def summary_links(page: str) -> list[tuple[str, str]]:
    """(target id, message) of each link in the error summary."""
    if 'govuk-error-summary__list"' not in page:
        return []
    summary = page.split('govuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def inline_error(page: str, field_id: str) -> str:
    """The inline error message shown beside a field, without its hidden 'Error:' prefix."""
    match = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', page
    )
    if not match:
        return ""
    return re.sub(r"<span[^>]*>Error:</span>", "", match.group(1)).strip()


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour)
