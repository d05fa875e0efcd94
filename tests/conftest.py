"""Shared fixtures: app, database, clients, a signed-in organiser, PostgreSQL and a live server."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from cafe import create_app
from cafe.extensions import db as _db
from tests import factories

TEST_SECRET = "test-secret-key-not-for-production"


def make_test_app(**overrides):
    """A Café app for tests; in-memory SQLite unless told otherwise."""
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "ROTATION_RUNNER": "inline",
        "ROTATION_TIME_LIMIT": 2.0,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app():
    app = make_test_app()
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def organiser(db):
    organiser = factories.make_organiser(
        email="olivia.organiser@example.org", name="Olivia Organiser"
    )
    db.session.commit()
    return organiser


def sign_in(client, email: str, password: str = factories.PASSWORD):
    """Sign in through the real form."""
    return client.post("/sign-in", data={"email": email, "password": password})


@pytest.fixture
def signed_in(client, organiser):
    """A client signed in as `organiser`."""
    response = sign_in(client, organiser.email)
    assert response.status_code == 302
    return client


# --- PostgreSQL: a throwaway cluster for the whole test session --------------------------------


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server of our own on loopback; skipped when the server is not installed."""
    if os.environ.get("CAFE_TEST_DATABASE_URL"):
        yield os.environ["CAFE_TEST_DATABASE_URL"]
        return
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: `make test` installs it")
        pytest.skip("PostgreSQL server not installed")
    pg, data_dir = bins[-1], tempfile.mkdtemp(prefix="cafe-pgtest-")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(data_dir, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def run(*args):
        subprocess.run(as_user + list(args), check=True, capture_output=True)

    run(
        f"{pg}/initdb",
        "-D",
        f"{data_dir}/data",
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--no-sync",
    )
    run(
        f"{pg}/pg_ctl",
        "-D",
        f"{data_dir}/data",
        "-l",
        f"{data_dir}/log",
        "-w",
        "start",
        "-o",
        f"-p {port} -k {data_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(f"{pg}/pg_ctl", "-D", f"{data_dir}/data", "-m", "immediate", "-w", "stop")
        shutil.rmtree(data_dir, True)


@pytest.fixture
def pg_database(postgres_url):
    """A fresh, empty PostgreSQL database for one test; its URL."""
    import uuid

    import psycopg

    name = "cafe_" + uuid.uuid4().hex[:12]
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Browser tests: Playwright driving Debian's Chromium against a live server ----------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: `make test` installs it")
        pytest.skip("Chromium not installed")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """An app with a file database and real CSRF, served to the browser."""
    path = tmp_path_factory.mktemp("live") / "cafe.sqlite"
    app = make_test_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", WTF_CSRF_ENABLED=True, TESTING=False
    )
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def live_organiser(live_app):
    """An organiser in the live server's database, with a unique email per test."""
    import uuid

    with live_app.app_context():
        organiser = factories.make_organiser(
            email=f"live-{uuid.uuid4().hex[:8]}@example.org", name="Lee Live-Organiser"
        )
        _db.session.commit()
        return organiser.email


# --- Email: a real SMTP server on loopback --------------------------------------------------


class Inbox:
    """Messages received by the test SMTP server."""

    def __init__(self):
        self.messages = []  # aiosmtpd envelopes: .mail_from .rcpt_tos .content
        self.refuse = 0  # refuse this many messages before accepting again (to test retries)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        self.messages.append(envelope)
        return "250 OK"

    def parsed(self):
        import email
        import email.policy

        return [email.message_from_bytes(m.content, policy=email.policy.default)
                for m in self.messages]


@pytest.fixture
def smtp_server():
    """An SMTP server on a free loopback port; `inbox.port` for MAIL_PORT."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        inbox.port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def mail_to(app, smtp_server):
    """Point the app's mail at the test SMTP server; returns the inbox."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    return smtp_server
