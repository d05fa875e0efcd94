"""The sheets as PDF files, laid out by WeasyPrint: read back with poppler (pdftotext,
pdfinfo, pdftoppm) and zbar (zbarimg) to check the content, page counts, page sizes, QR codes
and that long names wrap rather than get cut."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cafe.sheets import services
from tests.test_sheets import SHEETS, STORY, THEME, seated, url

TOOLS = ("pdftotext", "pdfinfo", "pdftoppm", "zbarimg")
A4_PORTRAIT = "595.276 x 841.89 pts (A4)"
A4_LANDSCAPE = "841.89 x 595.276 pts (A4)"


@pytest.fixture(autouse=True)
def _tools():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing: `make test` installs poppler-utils "
                        "and zbar-tools")
        pytest.skip(f"{', '.join(missing)} not installed")


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


class Pdf:
    """A downloaded PDF on disk, read back with poppler."""

    def __init__(self, path: Path):
        self.path = path

    @property
    def info(self) -> dict[str, str]:
        lines = run("pdfinfo", str(self.path)).splitlines()
        return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}

    @property
    def pages(self) -> int:
        return int(self.info["Pages"])

    def text(self, page: int | None = None) -> str:
        """The text (of one page) in the order it was written, so card by card, not across
        the columns of cards; white space collapsed."""
        pages = ["-f", str(page), "-l", str(page)] if page else []
        return re.sub(r"\s+", " ", run("pdftotext", "-raw", *pages, str(self.path), "-"))

    def words(self) -> list[tuple[str, int, float, float, float, float]]:
        """(word, page, x min, y min, x max, y max), in points, in the order they were written."""
        out = []
        bbox = run("pdftotext", "-bbox", "-raw", str(self.path), "-")
        for page, body in enumerate(bbox.split("<page ")[1:], start=1):
            for a, b, c, d, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
                                            r'xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                                            body):
                out.append((html.unescape(w), page, float(a), float(b), float(c), float(d)))
        return out

    def qr_codes(self, page: int) -> set[str]:
        """The QR codes zbarimg finds on a page rendered at 150 dpi."""
        stem = self.path.with_suffix("")
        run("pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), "-singlefile",
            str(self.path), str(stem))
        found = subprocess.run(["zbarimg", "-q", "--raw", f"{stem}.png"], capture_output=True,
                               text=True)
        return set(found.stdout.split())


@pytest.fixture
def download(signed_in, tmp_path):
    """GET a sheet's PDF and keep it on disk."""

    def get(path: str) -> Pdf:
        response = signed_in.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.mimetype == "application/pdf"
        target = tmp_path / f"sheet-{len(list(tmp_path.iterdir()))}.pdf"
        target.write_bytes(response.data)
        return Pdf(target)

    return get


@pytest.fixture
def planned_cafe(db, organiser):
    return seated(organiser, db)


def pdf_url(event, sheet: str, query: str = "") -> str:
    return url(event, sheet, "format=pdf" + (f"&{query}" if query else ""))


def test_itinerary_cards_make_three_a4_pages_for_nine_guests(download, planned_cafe):
    pdf = download(pdf_url(planned_cafe.event, "itineraries"))
    assert pdf.pages == 3
    assert pdf.info["Page size"] == A4_PORTRAIT
    for page in (1, 2, 3):
        assert "Cut along the grey lines" in pdf.text(page)
    names = [g.contact.name for g in planned_cafe.by_name()]
    assert [n for n in names if n in pdf.text(1)] == names[:4]
    assert [n for n in names if n in pdf.text(3)] == names[8:]
    first = planned_cafe.guests[0]
    assert ("Round 1 · 10:30am to 11am Table 1: Case study 1 "
            "Round 2 · 11:15am to 11:45am Table 2: Case study 2 "
            "Round 3 · 11:50am to 12:20pm Table 3: Case study 3") in pdf.text()
    assert first.contact.organisation.name in pdf.text()


def test_itinerary_qr_codes_open_each_guests_own_page(app, client, download, planned_cafe):
    app.config["BASE_URL"] = "https://cafe.example.org"
    pdf = download(pdf_url(planned_cafe.event, "itineraries"))
    first_four = planned_cafe.by_name()[:4]
    expected = {services.personal_url(g) for g in first_four}
    assert pdf.qr_codes(1) == expected
    link = services.personal_url(first_four[0])
    page = client.get(link.removeprefix("https://cafe.example.org"))
    assert page.status_code == 200
    assert first_four[0].contact.name in page.get_data(as_text=True)


def test_only_chosen_guests_are_printed(download, planned_cafe):
    chosen = planned_cafe.guests[:5]
    pdf = download(pdf_url(planned_cafe.event, "itineraries",
                           "only=" + ",".join(str(g.id) for g in chosen)))
    assert pdf.pages == 2
    assert all(g.contact.name in pdf.text() for g in chosen)
    assert not any(g.contact.name in pdf.text() for g in planned_cafe.guests[5:])


def test_badges_make_two_pages_for_nine_guests_with_the_table_sequence(download,
                                                                       planned_cafe):
    pdf = download(pdf_url(planned_cafe.event, "badges"))
    assert pdf.pages == 2
    text = pdf.text()
    for i, g in enumerate(planned_cafe.guests):
        sequence = " → ".join(str((i + r) % 3 + 1) for r in range(3))
        assert f"{g.contact.name} {g.contact.organisation.name} Tables {sequence}" in text
    assert "Cut along the grey lines" in pdf.text(2)


def test_facilitator_sheets_start_each_table_on_a_new_page(download, planned_cafe):
    pdf = download(pdf_url(planned_cafe.event, "facilitators"))
    assert pdf.info["Page size"] == A4_PORTRAIT
    starts = {}
    for page in range(1, pdf.pages + 1):
        for number in (1, 2, 3):
            if f"Table {number} Case study {number}" in pdf.text(page):
                starts.setdefault(number, page)
                assert pdf.text(page).strip().startswith("Test café ·"), \
                    "a table's sheet starts at the top of a page"
    assert sorted(starts) == [1, 2, 3] and starts[1] < starts[2] < starts[3]
    assert "Where could a service have acted sooner?" in pdf.text(starts[2])
    for number in (1, 2):  # nothing of the next table on a table's pages
        for page in range(starts[number], starts[number + 1]):
            assert f"Case study {number + 1}" not in pdf.text(page)


def test_only_chosen_tables_are_printed(download, planned_cafe):
    second = planned_cafe.tables[1]
    pdf = download(pdf_url(planned_cafe.event, "facilitators", f"tables={second.id}"))
    assert "Table 2 Case study 2" in pdf.text()
    assert "Case study 1" not in pdf.text() and "Case study 3" not in pdf.text()


def test_master_grid_repeats_its_header_on_every_page(download, db, organiser):
    made = seated(organiser, db, tables=4, guests=70, rounds=3, capacity=20)
    pdf = download(pdf_url(made.event, "grid"))
    assert pdf.pages >= 2
    for page in range(1, pdf.pages + 1):
        text = pdf.text(page)
        assert "Name Organisation Round 1 10:30am Round 2 11:15am Round 3 11:50am" in text
        assert f"Page {page} of {pdf.pages}" in text
    text = pdf.text()
    positions = [text.index(g.contact.name + " ") for g in made.by_name()]
    assert positions == sorted(positions)


def test_table_signs_are_a4_landscape_one_a_page(download, planned_cafe):
    pdf = download(pdf_url(planned_cafe.event, "signs"))
    assert pdf.pages == 3
    assert pdf.info["Page size"] == A4_LANDSCAPE
    for number in (1, 2, 3):
        assert f"Table {number} Case study {number}" in pdf.text(number)


def test_large_print_has_one_guest_a_page(download, planned_cafe):
    pdf = download(pdf_url(planned_cafe.event, "large-print"))
    assert pdf.pages == 9
    for page, g in enumerate(planned_cafe.by_name(), start=1):
        assert pdf.text(page).strip().startswith(g.contact.name)


MM = 72 / 25.4  # points in a millimetre


def test_a_very_long_name_wraps_and_is_never_cut(download, db, organiser):
    made = seated(organiser, db, tables=2, guests=3, rounds=2)
    long_name = ("Maximiliana Bartholomew-Featherstonehaugh Fitzwilliam-Worthington "
                 "de la Cruz-Montgomery Oyelaran-Pemberton Smythe")
    unbroken = "Aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgggggggggg"
    made.guests[0].contact.name = long_name
    made.guests[1].contact.name = unbroken
    made.tables[0].case_study.title = ("A very long case study title that goes on and on "
                                       "about the many services that never met")
    db.session.commit()
    for sheet in SHEETS:
        pdf = download(pdf_url(made.event, sheet))
        text = pdf.text()
        if sheet == "signs":
            assert "about the many services that never met" in text
            continue
        joined = re.sub(r"-\s+", "-", text)  # a name may wrap after a hyphen
        for word in long_name.split():
            assert word in joined, (sheet, word)
        # A word wider than its box breaks where it must: all of it is still there.
        assert unbroken in re.sub(r"\s", "", text), sheet
        # Every word is on the paper, inside the 10mm margins.
        width = float(pdf.info["Page size"].split()[0])
        for word, _, left, _, right, _ in pdf.words():
            assert 9 * MM < left and right < width - 9 * MM, (sheet, word)
    # On a card and on a badge, what follows the long name still fits in its box.
    assert_fits(download(pdf_url(made.event, "itineraries")), "Maximiliana", "Your",
                box=(90, 130), above=5 + 28)
    assert_fits(download(pdf_url(made.event, "badges")), "Maximiliana", "Test",
                box=(90, 65), above=4)


def assert_fits(pdf: Pdf, first: str, last: str, box: tuple[int, int], above: float) -> None:
    """The words from `first` up to `last` lie in one card (`box`, in mm; the cards start 15mm
    from the paper's edge), those before `last` above the card's bottom `above` mm (its
    footer)."""
    words = pdf.words()
    start = next(i for i, w in enumerate(words) if w[0] == first)
    end = next(i for i in range(start, len(words)) if words[i][0] == last)
    _, page, left, top, _, _ = words[start]
    column, row = int((left / MM - 15) // box[0]), int((top / MM - 15) // box[1])
    x0, y0 = (15 + column * box[0]) * MM, (15 + row * box[1]) * MM
    limit = y0 + (box[1] - above) * MM
    for word, on_page, x_min, y_min, x_max, y_max in words[start:end]:
        assert on_page == page and x0 <= x_min and x_max <= x0 + box[0] * MM, word
        assert y0 <= y_min and y_max <= limit, f"{word!r} runs past its card"


def test_many_rounds_still_fit_a_card_and_turn_the_grid_landscape(download, db, organiser):
    made = seated(organiser, db, tables=3, guests=4, rounds=7)
    first = made.by_name()[0].contact.name.split()[0]
    cards = download(pdf_url(made.event, "itineraries"))
    assert "Round 7 · " in cards.text()
    assert_fits(cards, first, "Your", box=(90, 130), above=5 + 28)
    grid = download(pdf_url(made.event, "grid"))
    assert grid.info["Page size"] == A4_LANDSCAPE
    assert "Round 7" in grid.text()


def test_no_story_in_any_pdf(download, planned_cafe):
    for sheet in SHEETS:
        text = download(pdf_url(planned_cafe.event, sheet)).text()
        for secret in (STORY, THEME, "Domestic abuse", "health visiting"):
            assert secret not in text, (sheet, secret)


# --- Printed from the browser ----------------------------------------------------------------


@pytest.mark.browser
def test_the_browser_prints_the_same_pages(page, live_app, live_server, tmp_path):
    """Chromium's print of the pages gives the same A4 sheets: four cards or eight badges a
    page, large print one guest a page, signs in landscape, and QR codes that scan."""
    import uuid

    from playwright.sync_api import expect

    from cafe.extensions import db
    from tests import factories
    from tests.test_browser_foundation import sign_in_through_the_page

    email = f"sheets-{uuid.uuid4().hex[:8]}@example.org"
    with live_app.app_context():
        organiser = factories.make_organiser(email=email, name="Printing Organiser")
        made = seated(organiser, db)
        event_id = made.event.id
        with live_app.test_request_context(base_url=live_server):
            links = {services.personal_url(g) for g in made.by_name()[:4]}
    sign_in_through_the_page(page, live_server, email)
    page.goto(f"{live_server}/events/{event_id}/sheets/")
    expected = {"itineraries": (3, "portrait"), "badges": (2, "portrait"),
                "large-print": (9, "portrait"), "signs": (3, "landscape")}
    for sheet, (pages, orientation) in expected.items():
        page.goto(f"{live_server}/events/{event_id}/sheets/{sheet}")
        expect(page.locator("main")).to_be_visible()
        printed = Pdf(tmp_path / f"{sheet}.pdf")
        page.pdf(path=str(printed.path), prefer_css_page_size=True)
        width, _, height, *_, paper = printed.info["Page size"].split()
        shape = "portrait" if float(width) < float(height) else "landscape"
        assert (printed.pages, paper, shape) == (pages, "(A4)", orientation), sheet
    assert Pdf(tmp_path / "itineraries.pdf").qr_codes(1) == links
