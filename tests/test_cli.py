"""App-wide commands: the demo and outgoing mail."""

from cafe.auth.models import Organiser
from cafe.events.models import Event
from cafe.events.services import event_agenda_problems
from tests import factories


def test_demo_loads_an_event_with_agenda_and_prints_how_to_sign_in(runner, db, monkeypatch):
    monkeypatch.setenv("CAFE_DEMO_PASSWORD", "demo-password-for-tests")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Sign in as:  demo@example.org" in result.output
    assert "Password:    demo-password-for-tests" in result.output
    event = db.session.query(Event).one()
    assert event.title == "Falling through the gaps: a case-study café"
    assert event_agenda_problems(event) == []
    assert {o.email for o in event.organisers} == {"demo@example.org", "co-organiser@example.org"}


def test_demo_password_is_random_when_not_given(runner, db, monkeypatch):
    monkeypatch.delenv("CAFE_DEMO_PASSWORD", raising=False)
    result = runner.invoke(args=["demo"])
    password = result.output.split("Password:")[1].strip()
    assert len(password) >= 12
    client = runner.app.test_client()
    assert client.post("/sign-in", data={"email": "demo@example.org",
                                         "password": password}).status_code == 302


def test_demo_refuses_a_database_with_data(runner, db):
    factories.make_organiser()
    db.session.commit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "The database already holds data" in result.output
    assert db.session.query(Event).count() == 0


def test_demo_if_empty_leaves_data_alone(runner, db):
    factories.make_organiser()
    db.session.commit()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "the demo was not loaded again" in result.output
    assert db.session.query(Organiser).count() == 1


def test_demo_reset_replaces_everything(runner, db):
    organiser = factories.make_organiser(email="someone@example.org")
    factories.make_event(organiser, title="Real event")
    db.session.commit()
    result = runner.invoke(args=["demo", "--reset"])
    assert result.exit_code == 0, result.output
    assert [e.title for e in db.session.query(Event)] == [
        "Falling through the gaps: a case-study café"]
    assert db.session.query(Organiser).filter_by(email="someone@example.org").count() == 0


def test_commands_explain_a_missing_schema(runner, db):
    db.drop_all()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "Run 'flask --app cafe db upgrade' first" in result.output
