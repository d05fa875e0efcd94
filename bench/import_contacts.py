"""Benchmark: import 5,000 invented contacts from CSV into a fresh database (target: under 3 s).

Runs the same code as the import page and `flask contacts import`: csvio reads and maps the
file, `cafe.contacts.importing.import_contacts` checks every row against the database and writes
the good ones, and the caller commits once. Then it times the whole import as an organiser does
it, through the pages (upload, columns, check, import, in-process), and as a command
(`flask --app cafe contacts import FILE`, from starting the process to its exit).

    .venv/bin/python bench/import_contacts.py [--rows 5000] [--database-url URL] [--repeat 3]

Without --database-url it uses a new SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cafe import create_app  # noqa: E402
from cafe.contacts import csvio, importing  # noqa: E402
from cafe.extensions import db  # noqa: E402

FIRST = ("Amara Tomasz Priya Kwame Siobhan Hamza Mei Olu Grace Dev Zoë Farah Luca Nadia Kofi "
         "Ewan Leyla Ravi Gintarė Bogdan Aoife Yusuf Chinedu Hannah Ahmed Beatriz Marlon Salma "
         "Winston Precious").split()
LAST = ("Okafor Nowak Raghunathan Asante Kearney Rahman Chow Balogun Adeyemi Patel Ashby "
        "Siddiqui Romano Begum Mensah Fraser Aziz Pillai Kazlauskaitė Marinescu Gallagher Demir "
        "Eze Lindqvist Hassan Nogueira Reid Abdi Clarke Moyo").split()
ORGANISATIONS = [(f"{service} {area}", kind) for area in ("North", "South", "East", "West")
                 for service, kind in (("Housing Service", "Local authority"),
                                       ("Children's Services", "Local authority"),
                                       ("Police Command", "Police"), ("Fire Station", "Fire"),
                                       ("Mental Health Team", "NHS"),
                                       ("Schools Trust", "Education"),
                                       ("Jobcentre", "Central government"),
                                       ("Youth Offending Team", "Local authority"),
                                       ("Community Safety", "Local authority"),
                                       ("Advice Centre", "Voluntary sector"))]
TITLES = ("Caseworker", "Team Manager", "Policy Adviser", "Head of Service", "Social Worker",
          "Officer", "Practitioner", "Analyst", "Coordinator", "Lead Nurse")


def make_csv(rows: int, seed: int = 2026) -> bytes:
    """A realistic export: UTF-8 with BOM, Excel's CRLFs, a mix of organisations and sides."""
    rng = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Full name", "Email address", "Job title", "Organisation", "Type",
                     "Strategy or frontline", "Phone", "Notes"])
    for n in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        organisation, kind = rng.choice(ORGANISATIONS)
        side = "Strategy" if rng.random() < 0.4 else "Frontline"
        phone = f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.6 else ""
        writer.writerow([f"{first} {last}", f"{first}.{last}.{n}@example.org".lower(),
                         rng.choice(TITLES), organisation, kind, side, phone,
                         "Met at the spring café" if rng.random() < 0.1 else ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def run_once(url: str, data: bytes) -> dict[str, float]:
    """Time each step of one import into an empty database."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            times: dict[str, float] = {}
            start = time.perf_counter()
            table = csvio.read_table(data)
            times["read"] = time.perf_counter() - start
            mapping = csvio.guess_mapping(table.headers)
            step = time.perf_counter()
            report = importing.check_import(table, mapping)
            times["check"] = time.perf_counter() - step
            step = time.perf_counter()
            result = importing.import_contacts(table, mapping)  # checks again, then writes
            db.session.commit()
            times["import"] = time.perf_counter() - step
            times["total"] = time.perf_counter() - start
            assert report.is_clean and result.contacts_added == len(table.rows)
            times["contacts"] = result.contacts_added
            times["organisations"] = len(result.organisations_added)
            return times
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def run_pages(url: str, data: bytes) -> float:
    """Seconds from upload to imported, through the four pages, into an empty database."""
    from cafe.auth.services import create_organiser

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        create_organiser("bench@example.org", "Bench Organiser", "bench-password-1234")
        db.session.commit()
        client = app.test_client()
        client.post("/sign-in", data={"email": "bench@example.org",
                                      "password": "bench-password-1234"})
        try:
            start = time.perf_counter()
            columns = client.post("/contacts/import", content_type="multipart/form-data",
                                  data={"file": (io.BytesIO(data), "contacts.csv")}).location
            table = csvio.read_table(data)
            mapping = {name: "" if index is None else str(index)
                       for name, index in csvio.guess_mapping(table.headers).items()}
            check = client.post(columns, data={**mapping, "action": "continue"}).location
            page = client.get(check).get_data(as_text=True)
            expected = page.split('name="expected" type="hidden" value="', 1)[1].split('"')[0]
            done = client.post(check.replace("/check", "/confirm"), data={"expected": expected})
            elapsed = time.perf_counter() - start
            assert done.location.startswith("/contacts/"), done.location
            assert len(importing.existing_emails()) == len(table.rows)
            return elapsed
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def run_command(url: str, data: bytes, folder: str) -> float:
    """Seconds for `flask --app cafe contacts import FILE` into an empty database."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    path = Path(folder) / "contacts.csv"
    path.write_bytes(data)
    return _time_command(url, "contacts", "import", str(path))


def _time_command(url: str, *args: str) -> float:
    """Seconds to run `flask --app cafe ARGS` in a new process."""
    flask = Path(sys.executable).with_name("flask")
    start = time.perf_counter()
    result = subprocess.run([str(flask), "--app", "cafe", *args],
                            env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"},
                            cwd=Path(__file__).resolve().parents[1], capture_output=True,
                            text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"the command failed: {result.stderr or result.stdout}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    data = make_csv(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        print(f"Importing {args.rows:,} contacts ({len(data) / 1024:.0f} KB of CSV) into "
              f"{url.split('://')[0]}, {args.repeat} runs, a fresh database each time")
        runs = [run_once(url, data) for _ in range(args.repeat)]
        pages = [run_pages(url, data) for _ in range(args.repeat)]
        commands = [run_command(url, data, folder) for _ in range(args.repeat)]
        startup = [_time_command(url, "contacts", "import", "--help")
                   for _ in range(args.repeat)]
    first = runs[0]
    print(f"  added {int(first['contacts']):,} contacts and "
          f"{int(first['organisations'])} organisations per run")
    for step, label in (("read", "read and parse the file"),
                        ("check", "check every row (as the report page does)"),
                        ("import", "check again, write and commit"),
                        ("total", "total, upload to committed")):
        values = [run[step] for run in runs]
        print(f"  {label:<52} median {statistics.median(values):6.3f} s   "
              f"best {min(values):6.3f} s")
    for label, values in (("through the pages: upload, columns, check, import", pages),
                          ("flask contacts import FILE, process start to exit", commands),
                          ("  of which starting Python and the app (--help)", startup)):
        print(f"  {label:<52} median {statistics.median(values):6.3f} s   "
              f"best {min(values):6.3f} s")
    slowest = max(statistics.median(values) for values in (
        [run["total"] for run in runs], pages,
        [command - statistics.median(startup) for command in commands]))
    print(f"Target: under 3 s for {args.rows:,} contacts. {'Met' if slowest < 3 else 'NOT met'} "
          f"by every route, not counting the command's start-up (slowest median "
          f"{slowest:.2f} s; {args.rows / statistics.median(run['total'] for run in runs):,.0f} "
          "contacts/s in the service).")


if __name__ == "__main__":
    main()
