"""The table handout as a PDF: WeasyPrint puts the protective marking in the page margins, so
it is on every page however long the story is."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from cafe.casestudies.models import CaseStudy

MARKING = "OFFICIAL-SENSITIVE"
COLLECT = "Collect at the end of the session"


def handout_pdf(case_study: CaseStudy) -> bytes:
    """The story as an A4 handout, marked on every page; read from the database, not the web."""
    from weasyprint import CSS, HTML  # imported when first needed: it takes half a second

    html = render_template("casestudies/handout_pdf.html", case_study=case_study,
                           event=case_study.event, marking=MARKING, collect=COLLECT)
    stylesheet = Path(current_app.static_folder) / "casestudies" / "handout-pdf.css"
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(stylesheet))])
