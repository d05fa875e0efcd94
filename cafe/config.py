"""Default settings. No secrets live here: see `load_secret_key` and `instance/`."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class Defaults:
    """Settings every installation starts from; instance/config.py and the environment override."""

    # Database: SQLite in instance/ unless DATABASE_URL names another (see `database_url`).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = (
        False  # set CAFE_SECURE_COOKIES=1 (or FLASK_SESSION_COOKIE_SECURE) behind HTTPS
    )
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = (
        None  # tied to the session instead, so a long form is never lost to a timeout
    )

    # Accounts
    PASSWORD_MIN_LENGTH = 12
    LOGIN_MAX_FAILURES = 5  # per email address within the window
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30  # per client IP address within the window
    LOGIN_THROTTLE_WINDOW = timedelta(minutes=15)

    # Front-end assets built by `make setup` into cafe/static/build
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024

    # Email: with no MAIL_SERVER, messages are written to instance/outbox/ as .eml files.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_DEFAULT_SENDER = "cafe@example.org"
    MAIL_SENDER_NAME = "Café"
    MAIL_TIMEOUT = 30

    # Case studies: stories (not their titles and summaries) are deleted this many days after
    # their event by `flask --app cafe purge`, which a scheduler runs daily.
    CASE_STUDY_RETENTION_DAYS = 30

    # Rotation plans: where planning jobs run ("thread": a thread of the web process that took
    # the request; "worker": only `flask --app cafe rotation work`; "inline": in the request),
    # how long the solver may take (seconds) and its seed (the same seed, the same plan).
    ROTATION_RUNNER = "thread"
    ROTATION_TIME_LIMIT = 10.0
    ROTATION_SEED = 0

    # Actions: the owner's reminder goes this many days before an action is due
    # (`flask --app cafe actions follow-up`, daily, also sends the 30- and 90-day follow-ups).
    ACTIONS_REMINDER_DAYS = 7

    # Demo
    DEMO_ORGANISER_EMAIL = "demo@example.org"


def database_url(instance_path: str) -> str:
    """The database to use: DATABASE_URL when set, else SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "cafe.sqlite")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a dialect+driver.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else from instance/secret_key, made on first run."""
    from_env = os.environ.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with owner-only permissions; O_EXCL so two workers starting at once agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
