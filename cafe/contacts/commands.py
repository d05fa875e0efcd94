"""`flask --app cafe contacts import|export|purge-imports`: the import and export, for scripts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from cafe.contacts import csvio, importing
from cafe.contacts.services import contacts_matching
from cafe.extensions import db

# The page takes files up to csvio.MAX_BYTES; the command is for large lists, so it allows more.
COMMAND_MAX_BYTES = 200 * 1024 * 1024


def _plural(count: int, noun: str) -> str:
    """'1 contact', '2 contacts'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _require_schema() -> None:
    """Say how to make the tables rather than fail with SQL errors on a new database."""
    if not inspect(db.engine).has_table("contacts"):
        raise click.ClickException(
            "The database has no tables yet. Run 'flask --app cafe db upgrade' first."
        )


def _mapping(table: csvio.Table, columns: tuple[str, ...]) -> dict[str, int | None]:
    """The guessed mapping, with FIELD=HEADING overrides from --column."""
    mapping = csvio.guess_mapping(table.headers)
    headings = {heading.casefold(): index for index, heading in enumerate(table.headers)}
    for override in columns:
        name, _, heading = override.partition("=")
        name = name.strip().replace("-", "_")
        if name not in csvio.MAPPING_FIELDS or not heading.strip():
            raise click.BadParameter(
                f"'{override}' should be FIELD=HEADING, where FIELD is one of "
                + ", ".join(csvio.MAPPING_FIELDS),
                param_hint="--column",
            )
        if heading.strip().casefold() in {"", "none", "-"}:
            mapping[name] = None
            continue
        if heading.strip().casefold() not in headings:
            raise click.BadParameter(
                f"the file has no column headed '{heading.strip()}'", param_hint="--column"
            )
        mapping[name] = headings[heading.strip().casefold()]
    return mapping


def _describe_mapping(table: csvio.Table, mapping: dict[str, int | None]) -> str:
    """'Columns: Name ← 'Full name'; ...', so the organiser sees what was read."""
    used = [
        f"{csvio.FIELD_LABELS[name]} ← '{table.headers[index]}'"
        for name, index in mapping.items()
        if index is not None
    ]
    return "Columns: " + "; ".join(used)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; import nothing.")
@click.option(
    "--good-rows-only",
    is_flag=True,
    help="Import the good rows even if some rows have problems (those are skipped).",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADING",
    help="Use the column with this heading for a field, e.g. --column email='Work e-mail'. "
    "HEADING 'none' leaves the field out. Repeat for more fields.",
)
def import_command(file: Path, dry_run: bool, good_rows_only: bool, columns: tuple[str, ...]):
    """Import contacts from a CSV file, all or nothing; exits 1 if rows have problems."""
    _require_schema()
    try:
        table = csvio.read_table(file.read_bytes(), max_bytes=COMMAND_MAX_BYTES)
    except csvio.CsvError as err:
        raise click.ClickException(err.message) from None
    mapping = _mapping(table, columns)
    click.echo(_describe_mapping(table, mapping))
    try:
        result = importing.import_contacts(
            table, mapping, good_rows_only=good_rows_only, dry_run=dry_run
        )
    except csvio.MappingError as err:
        db.session.rollback()
        raise click.ClickException(
            f"{err.message} with --column FIELD=HEADING. The file's headings are: "
            + ", ".join(f"'{heading}'" for heading in table.headers)
        ) from None
    except importing.ImportHasProblems as err:
        db.session.rollback()
        _echo_report(err.report)
        if err.report.good:
            click.echo(
                f"Nothing imported: {_plural(err.report.bad_count, 'row')} "
                f"{'has' if err.report.bad_count == 1 else 'have'} problems. Fix them, or run "
                f"again with --good-rows-only to import the "
                f"{_plural(len(err.report.good), 'good row')}.",
                err=True,
            )
        else:
            click.echo("Nothing imported: every row has problems.", err=True)
        sys.exit(1)
    except SQLAlchemyError as err:
        db.session.rollback()
        raise click.ClickException(
            f"Nothing imported: the database refused the changes ({type(err).__name__})."
        ) from None

    _echo_report(result.report)
    names = result.organisation_names()
    new = _plural(len(result.organisations_added), "new organisation") + (
        f" ({names})" if names else ""
    )
    if dry_run:
        db.session.rollback()
        click.echo(
            f"Dry run: would import {_plural(result.contacts_added, 'contact')} and add {new}. "
            "Nothing was imported."
        )
        return
    db.session.commit()
    skipped = (
        f"; skipped {_plural(result.report.bad_count, 'row')} with problems"
        if result.report.problems
        else ""
    )
    click.echo(f"Imported {_plural(result.contacts_added, 'contact')} and added {new}{skipped}.")


def _echo_report(report: csvio.ImportReport) -> None:
    """The summary, then one line per problem."""
    click.echo(report.summary)
    for problem in report.problems:
        click.echo(str(problem))


@click.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def export_command(file: Path | None) -> None:
    """Write every contact as CSV (the import's columns) to FILE, or to standard output."""
    _require_schema()
    if file is None:
        # No byte order mark on a pipe: it is only there to make Excel read UTF-8.
        click.echo(importing.export_contacts(bom=False).decode("utf-8"), nl=False)
        return
    with file.open("wb") as handle:
        count = csvio.write_contacts_csv(contacts_matching(), handle)
    click.echo(f"Wrote {_plural(count, 'contact')} to {file}.", err=True)


@click.command("purge-imports")
def purge_imports_command() -> None:
    """Delete uploads left half-way through the import page for over a day (run it daily)."""
    _require_schema()
    count = importing.purge_stale_imports()
    db.session.commit()
    click.echo(f"Deleted {_plural(count, 'abandoned upload')}.")
