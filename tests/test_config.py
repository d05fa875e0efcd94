"""Configuration: database selection, the secret key, environment overrides."""

import os
import stat

from cafe import create_app
from cafe.config import database_url, load_secret_key


def test_sqlite_in_instance_folder_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/cafe.sqlite"


def test_database_url_selects_postgresql_with_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://cafe:pw@db.internal:5432/cafe")
    assert database_url(str(tmp_path)) == "postgresql+psycopg://cafe:pw@db.internal:5432/cafe"
    monkeypatch.setenv("DATABASE_URL", "postgresql://cafe@localhost/cafe")
    assert database_url(str(tmp_path)) == "postgresql+psycopg://cafe@localhost/cafe"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////var/lib/cafe/cafe.sqlite")
    assert database_url(str(tmp_path)) == "sqlite:////var/lib/cafe/cafe.sqlite"


def test_secret_key_is_made_once_and_kept_private(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(str(tmp_path))
    assert len(first) >= 40
    assert load_secret_key(str(tmp_path)) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_secret_key(str(tmp_path)) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_prefixed_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("CAFE_MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("CAFE_MAIL_PORT", "587")
    monkeypatch.setenv("CAFE_SECURE_COOKIES", "true")
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["MAIL_SERVER"] == "smtp.example.org"
    assert app.config["MAIL_PORT"] == 587
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_instance_folder_holds_no_tracked_secrets():
    import subprocess

    tracked = subprocess.run(["git", "ls-files", "instance"], capture_output=True, text=True,
                             check=True).stdout.split()
    assert set(tracked) <= {"instance/.gitkeep", "instance/README.md"}
