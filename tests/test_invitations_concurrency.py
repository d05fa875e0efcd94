"""Many answers at once never give more seats than there are: SQLite file and PostgreSQL."""

import threading
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations import services
from cafe.invitations.models import Invitation
from tests import factories
from tests.conftest import make_test_app
from tests.invitations_fixtures import BASE, invite, make_people, token

SEATS, FREE, GUESTS = 20, 10, 50


def _prepare(app) -> tuple[int, list[int], list[str]]:
    """An event with 10 of its 20 seats taken and 50 guests who have not answered."""
    with app.app_context():
        db.create_all()
        organiser = factories.make_organiser()
        event = factories.make_event(organiser, seats=SEATS)
        seated = invite(event, make_people(SEATS - FREE, prefix="Seated"))
        for invitation in seated:
            invitation.state = "accepted"
        guests = invite(event, make_people(GUESTS, prefix="Guest"))
        db.session.commit()
        return event.id, [g.id for g in guests], [token(g) for g in guests]


def _outcome(app, event_id):
    with app.app_context():
        rows = db.session.query(Invitation).filter_by(event_id=event_id).all()
        states = [i.state for i in rows]
        positions = sorted(i.waiting_position for i in rows if i.state == "waiting")
        # Nothing lost: every guest's answer is in their history exactly once.
        answers = sorted(len([h for h in i.history if h.kind in ("accepted", "waiting")])
                         for i in rows if i.contact.name.startswith("Guest"))
        assert answers == [1] * GUESTS
        result = (states.count("accepted"), states.count("waiting"), states.count("sent"),
                  positions)
        db.session.remove()
        db.engine.dispose()
        return result


def _all_at_once(work, count):
    barrier = threading.Barrier(count)
    errors = []

    def run(n):
        barrier.wait()
        try:
            work(n)
        except Exception as err:  # noqa: BLE001 - collected and reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def _through_the_service(app, ids):
    def accept(n):
        with app.app_context():
            invitation = db.session.get(Invitation, ids[n])
            services.record_answer(invitation, services.Answer(attending=True), BASE)
            db.session.commit()
            db.session.remove()

    _all_at_once(accept, len(ids))


def _through_http(app, tokens):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    data = urllib.parse.urlencode({"is_person": "y", "attending": "yes",
                                   "is_listed": "no"}).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def post(n):
        try:
            opener.open(f"{base}/rsvp/{tokens[n]}", data=data, timeout=60)
        except urllib.error.HTTPError as err:
            assert err.code == 302, err.read()[:500]
            err.close()

    try:
        _all_at_once(post, len(tokens))
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def _sqlite_app(tmp_path):
    return make_test_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'cafe.sqlite'}",
                         MAIL_OUTBOX=str(tmp_path / "outbox"))


def test_fifty_acceptances_for_ten_seats_on_sqlite(tmp_path):
    app = _sqlite_app(tmp_path)
    event_id, ids, _ = _prepare(app)
    _through_the_service(app, ids)
    assert _outcome(app, event_id) == (SEATS, GUESTS - FREE, 0, list(range(1, 41)))


def test_fifty_acceptances_over_http_on_sqlite(tmp_path):
    app = _sqlite_app(tmp_path)
    event_id, _, tokens = _prepare(app)
    _through_http(app, tokens)
    assert _outcome(app, event_id) == (SEATS, GUESTS - FREE, 0, list(range(1, 41)))


@pytest.mark.postgres
def test_fifty_acceptances_for_ten_seats_on_postgresql(pg_database, tmp_path):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=pg_database, MAIL_OUTBOX=str(tmp_path),
                        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 45})
    event_id, ids, _ = _prepare(app)
    _through_the_service(app, ids)
    assert _outcome(app, event_id) == (SEATS, GUESTS - FREE, 0, list(range(1, 41)))


@pytest.mark.postgres
def test_fifty_acceptances_over_http_on_postgresql(pg_database, tmp_path):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=pg_database, MAIL_OUTBOX=str(tmp_path),
                        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 45})
    event_id, _, tokens = _prepare(app)
    _through_http(app, tokens)
    assert _outcome(app, event_id) == (SEATS, GUESTS - FREE, 0, list(range(1, 41)))


def test_two_organisers_sending_at_once_email_each_draft_once(tmp_path):
    from cafe.invitations import sending
    from cafe.invitations.models import SendRecipient

    app = _sqlite_app(tmp_path)
    with app.app_context():
        db.create_all()
        organiser = factories.make_organiser()
        event = factories.make_event(organiser, seats=SEATS)
        invite(event, make_people(20, prefix="Draft"), state="draft")
        db.session.commit()
        event_id = event.id
    results = []

    def send(_):
        with app.app_context():
            event = db.session.get(Event, event_id)
            try:
                results.append(len(sending.send_invitations(event, None, BASE).recipients))
                db.session.commit()
            except services.InvitationError as err:
                results.append(str(err))
            finally:
                db.session.remove()

    _all_at_once(send, 2)
    assert sorted(results, key=str) == [20, "There are no draft invitations to send"]
    with app.app_context():
        assert db.session.query(SendRecipient).count() == 20
        db.session.remove()
        db.engine.dispose()
