"""`flask contacts import|export|purge-imports`: reports, exit codes, dry runs, round trips."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from cafe.clock import utcnow
from cafe.contacts import csvio, importing
from cafe.contacts.models import Contact, ContactImport, Organisation
from cafe.extensions import db as _db
from tests.conftest import make_test_app
from tests.contacts_fixtures import csv_bytes, make_contact, make_organisation, people_csv

BAD_FILE = csv_bytes(
    "Grace Adeyemi,grace@example.org,Social Worker,Children's Social Care,council,frontline,,",
    "No Side,noside@example.org,,Children's Social Care,,,,",
    "Kofi Mensah,KOFI@example.org,,London Fire Brigade,fire,strategy,,",
    "Kofi Again,kofi@EXAMPLE.org,,London Fire Brigade,fire,strategy,,",
)


def _counts(db) -> tuple[int, int]:
    return (db.session.scalar(select(func.count(Contact.id))),
            db.session.scalar(select(func.count(Organisation.id))))


def _file(tmp_path, data: bytes, name: str = "contacts.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_import_with_bad_rows_prints_each_and_imports_nothing(runner, db, tmp_path):
    result = runner.invoke(args=["contacts", "import", _file(tmp_path, BAD_FILE)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Columns: Name ← 'Name'; Email ← 'Email'; Job title ← 'Job title'; Organisation ← "
        "'Organisation'; Organisation kind ← 'Organisation kind'; Side ← 'Side'; Phone ← "
        "'Phone'; Notes ← 'Notes'",
        "4 rows: 2 ready to import, 2 with problems",
        "Line 3: Side is missing; it must be strategy or frontline",
        "Line 5: Duplicate of line 4 (same email, ignoring case)",
        "Nothing imported: 2 rows have problems. Fix them, or run again with --good-rows-only "
        "to import the 2 good rows.",
    ]
    assert _counts(db) == (0, 0)


def test_import_good_rows_only_imports_them_and_reports_the_rest(runner, db, tmp_path):
    result = runner.invoke(args=["contacts", "import", "--good-rows-only",
                                 _file(tmp_path, BAD_FILE)])
    assert result.exit_code == 0, result.output
    assert "Line 3: Side is missing; it must be strategy or frontline" in result.output
    assert result.output.splitlines()[-1] == (
        "Imported 2 contacts and added 2 new organisations (Children's Social Care and London "
        "Fire Brigade); skipped 2 rows with problems.")
    assert _counts(db) == (2, 2)
    assert db.session.scalars(select(Contact.email).order_by(Contact.email)).all() == [
        "grace@example.org", "kofi@example.org"]


def test_import_dry_run_reports_and_imports_nothing(runner, db, tmp_path):
    path = _file(tmp_path, people_csv(3))
    result = runner.invoke(args=["contacts", "import", "--dry-run", path])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        "3 rows: 3 ready to import, 0 with problems",
        "Dry run: would import 3 contacts and add 1 new organisation (Redbridge Housing). "
        "Nothing was imported.",
    ]
    assert _counts(db) == (0, 0)
    bad = runner.invoke(args=["contacts", "import", "--dry-run", _file(tmp_path, BAD_FILE,
                                                                        "bad.csv")])
    assert bad.exit_code == 1 and "Line 5: Duplicate of line 4" in bad.output
    assert _counts(db) == (0, 0)


def test_import_clean_file_and_again_reports_existing_contacts(runner, db, tmp_path):
    make_organisation("Redbridge Housing", "local_authority")
    db.session.commit()
    path = _file(tmp_path, people_csv(3))
    result = runner.invoke(args=["contacts", "import", path])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Imported 3 contacts and added 0 new organisations."
    again = runner.invoke(args=["contacts", "import", path])
    assert again.exit_code == 1
    assert "Line 2: Already a contact (same email)" in again.output
    assert again.output.splitlines()[-1] == "Nothing imported: every row has problems."
    assert _counts(db) == (3, 1)


def test_import_explains_unusable_files_and_columns(runner, db, tmp_path):
    result = runner.invoke(args=["contacts", "import", _file(tmp_path, b"", "empty.csv")])
    assert (result.exit_code, result.output.strip()) == (1, "Error: The file is empty")
    odd = csv_bytes("Grace,grace@example.org,Housing,frontline", headings="Who,Address,Org,Side")
    result = runner.invoke(args=["contacts", "import", _file(tmp_path, odd, "odd.csv")])
    assert result.exit_code == 1
    assert ("Error: Choose a column for Name (or both First name and Last name) and Email with "
            "--column FIELD=HEADING. The file's headings are: 'Who', 'Address', 'Org', 'Side'"
            ) in result.output
    result = runner.invoke(args=["contacts", "import", "--column", "name=Who",
                                 "--column", "email=Address", _file(tmp_path, odd, "odd.csv")])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Contact.name)).all() == ["Grace"]
    result = runner.invoke(args=["contacts", "import", "--column", "email=Nope",
                                 _file(tmp_path, odd, "odd.csv")])
    assert result.exit_code == 2 and "the file has no column headed 'Nope'" in result.output


def test_export_to_stdout_and_file_round_trips_through_import(runner, db, tmp_path):
    home_office = make_organisation("Home Office", "central_government")
    make_contact(home_office, name="Zoë Ashby", email="zoe@example.org",
                 job_title="=Head of Policy", notes="Two\nlines", phone="020 7946 0001")
    make_contact(home_office, name="Dev Patelford", email="dev@example.org", side="frontline")
    db.session.commit()

    printed = runner.invoke(args=["contacts", "export"])
    assert printed.exit_code == 0
    assert printed.output.splitlines()[0] == (
        "Name,Email,Job title,Organisation,Organisation kind,Side,Phone,Notes")
    assert printed.output.splitlines()[1] == (
        "Dev Patelford,dev@example.org,Policy Adviser,Home Office,Central government,frontline,,")

    path = tmp_path / "all.csv"
    written = runner.invoke(args=["contacts", "export", str(path)])
    assert written.exit_code == 0 and "Wrote 2 contacts to" in written.output
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, for Excel

    before = [(c.name, c.email, c.job_title, c.organisation.name, c.side, c.phone, c.notes)
              for c in db.session.scalars(select(Contact).order_by(Contact.name))]
    db.session.execute(Contact.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["contacts", "import", str(path)])
    assert result.exit_code == 0, result.output
    after = [(c.name, c.email, c.job_title, c.organisation.name, c.side, c.phone, c.notes)
             for c in db.session.scalars(select(Contact).order_by(Contact.name))]
    assert after == before
    assert csvio.read_table(path.read_bytes()).rows[1][1][2] == "'=Head of Policy"


def test_purge_imports_deletes_abandoned_uploads(runner, db, organiser):
    old = importing.start_import(organiser, "old.csv", people_csv(1))
    old.created_at = utcnow() - timedelta(days=2)
    fresh = ContactImport(organiser_id=organiser.id, filename="new.csv", data=people_csv(1))
    db.session.add(fresh)
    db.session.commit()
    result = runner.invoke(args=["contacts", "purge-imports"])
    assert (result.exit_code, result.output) == (0, "Deleted 1 abandoned upload.\n")
    assert db.session.scalars(select(ContactImport.filename)).all() == ["new.csv"]


def test_commands_explain_a_database_without_tables(tmp_path):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'new.sqlite'}")
    with app.app_context():
        try:
            result = app.test_cli_runner().invoke(args=["contacts", "export"])
        finally:
            _db.engine.dispose()
    assert result.exit_code == 1
    assert "Run 'flask --app cafe db upgrade' first." in result.output
