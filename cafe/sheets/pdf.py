"""Sheets as PDF files, laid out by WeasyPrint from the same templates the browser prints.

The stylesheets and font configuration are parsed once per process and reused: parsing them
again for every download would cost more than laying out a short sheet.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app

#: The stylesheets of every sheet, under the static folder, in cascade order.
STYLESHEETS = ("print.css", "sheets/sheets.css")


@lru_cache(maxsize=4)
def _styles(folder: str, stamp: tuple[float, ...]) -> tuple[Any, list[Any]]:
    """(font configuration, parsed stylesheets); `stamp` changes when a stylesheet does."""
    from weasyprint import CSS  # imported when first needed: it takes half a second
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return fonts, [CSS(filename=str(Path(folder) / name), font_config=fonts)
                   for name in STYLESHEETS]


def render_pdf(html: str) -> bytes:
    """The sheet's HTML (rendered with `pdf=True`) as an A4 PDF."""
    from weasyprint import HTML

    folder = current_app.static_folder
    stamp = tuple((Path(folder) / name).stat().st_mtime for name in STYLESHEETS)
    fonts, stylesheets = _styles(folder, stamp)
    return HTML(string=html, base_url=folder).write_pdf(stylesheets=stylesheets,
                                                        font_config=fonts)
