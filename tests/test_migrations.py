"""Schema migrations build the whole schema on SQLite and PostgreSQL, matching the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from cafe.extensions import db
from tests.conftest import make_test_app


def _differences(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _check_upgrade_and_downgrade(url):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        try:
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables
            assert _differences(app) == []
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        finally:
            db.session.remove()
            db.engine.dispose()


def test_migrations_on_sqlite(tmp_path):
    _check_upgrade_and_downgrade(f"sqlite:///{tmp_path / 'cafe.sqlite'}")


@pytest.mark.postgres
def test_migrations_on_postgresql(pg_database):
    _check_upgrade_and_downgrade(pg_database)


def test_db_upgrade_command_builds_an_empty_database(tmp_path):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert inspect(db.engine).has_table("events")
        db.engine.dispose()
