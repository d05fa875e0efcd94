#!/usr/bin/env python3
"""Benchmark sending 1,000 invitations to an SMTP server on loopback (target: under 30 s).

    python bench/send_invitations.py [--count N] [--chunk N]

Builds a throwaway SQLite database in a temporary folder with N contacts invited as drafts, then
does what the organiser's send does: `send_invitations` queues one message per person (with its
personal link and .ics file), and the progress page's requests (`advance_send`, CHUNK emails
each) deliver them to a real aiosmtpd server on 127.0.0.1. Prints the time of each step.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from cafe import create_app  # noqa: E402
from cafe.auth.models import Organiser  # noqa: E402
from cafe.auth.services import create_organiser  # noqa: E402
from cafe.contacts.models import Contact, Organisation  # noqa: E402
from cafe.events import services as events  # noqa: E402
from cafe.events.models import Event  # noqa: E402
from cafe.extensions import db  # noqa: E402
from cafe.invitations import sending, services  # noqa: E402


class Sink:
    """Counts the messages the server accepts."""

    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ARG002
        self.count += 1
        self.bytes += len(envelope.content)
        return "250 OK"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=sending.CHUNK)
    args = parser.parse_args()

    sink = Sink()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory(prefix="cafe-bench-send-") as folder:
        app = create_app({
            "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/cafe.sqlite",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "BASE_URL": "http://127.0.0.1:8000",
        })
        with app.app_context():
            db.create_all()
            organiser = create_organiser("bench@example.org", "Bench Organiser",
                                         "bench-password-1234", min_length=1)
            event = events.create_event(events.EventDetails(
                "Benchmark café", date(2027, 5, 20), "Civic Centre", "1 High Road",
                clock(9, 30), clock(15, 30), 60, 4, 30, 5), organiser)
            organisations = [Organisation(name=f"Service {n}", kind="local_authority")
                             for n in range(20)]
            people = [Contact(name=f"Guest {n}", email=f"guest.{n}@example.org",
                              side="strategy" if n % 5 < 2 else "frontline",
                              job_title="Officer", organisation=organisations[n % 20])
                      for n in range(args.count)]
            db.session.add_all(organisations + people)
            services.invite_contacts(event, people, organiser)
            db.session.commit()
            event_id, organiser_id = event.id, organiser.id
            db.session.remove()  # each step below runs in a fresh session, as a request does

            started = time.perf_counter()
            event, organiser = db.session.get(Event, event_id), db.session.get(Organiser,
                                                                                organiser_id)
            send_id = sending.send_invitations(event, organiser, app.config["BASE_URL"]).id
            db.session.commit()
            db.session.remove()
            queued = time.perf_counter()
            requests, progress = 0, None
            while progress is None or not progress.is_done:
                send = sending.find_send(db.session.get(Event, event_id), send_id)
                progress = sending.advance_send(send, chunk=args.chunk)
                db.session.remove()
                requests += 1
            done = time.perf_counter()
            sent_state = sum(1 for i in services.invitations_for(db.session.get(Event, event_id))
                             if i.state == "sent")
        controller.stop()

    total = done - started
    print(f"invitations:           {args.count}")
    print(f"queue (build + store): {queued - started:6.2f} s")
    print(f"deliver over SMTP:     {done - queued:6.2f} s in {requests} progress requests "
          f"of {args.chunk}")
    print(f"total:                 {total:6.2f} s ({args.count / total:.0f} emails/s; "
          f"target under 30 s: {'met' if total < 30 else 'NOT met'})")
    print(f"server received:       {sink.count} messages, {sink.bytes / sink.count / 1024:.1f} "
          f"KiB each; sent {progress.sent}, failed {progress.failed}; "
          f"{sent_state} invitations marked sent")
    return 0 if sink.count == args.count == progress.sent else 1


if __name__ == "__main__":
    sys.exit(main())
