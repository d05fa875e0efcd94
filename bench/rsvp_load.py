#!/usr/bin/env python3
"""Load-test the RSVP page with 100 concurrent clients (target: median under 50 ms).

    python bench/rsvp_load.py [--clients 100] [--seconds 10] [--workers 2] [--think 1.0]

Builds a throwaway SQLite database in a temporary folder (an event, 500 invitations sent),
serves the app with gunicorn on 127.0.0.1 as in production (`gunicorn wsgi:app`), and opens
personal links (each client its own invitation) two ways:

1. people: 100 concurrent clients, each opening its RSVP page then pausing about --think
   seconds, like people following their links (latency under load, the target);
2. saturation: `wrk` (if installed) with 100 connections and no pause: the most the server
   can do, where latency is mostly queueing (100 connections / throughput).

Prints requests, median and 95th percentile for each.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-key"
INVITATIONS = 500


def prepare(database: str) -> list[str]:
    """The database, and the paths of every invitation's RSVP page."""
    from datetime import date
    from datetime import time as clock

    from cafe import create_app
    from cafe.auth.services import create_organiser
    from cafe.contacts.models import Contact, Organisation
    from cafe.events import services as events
    from cafe.extensions import db
    from cafe.invitations import messages, services

    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        db.create_all()
        organiser = create_organiser("bench@example.org", "Bench Organiser",
                                     "bench-password-1234", min_length=1)
        event = events.create_event(events.EventDetails(
            "Benchmark café", date(2027, 5, 20), "Civic Centre", "1 High Road\nIlford",
            clock(9, 30), clock(15, 30), 60, 4, 30, 5, "An invented event."), organiser)
        organisation = Organisation(name="Housing Services", kind="local_authority")
        people = [Contact(name=f"Guest {n}", email=f"guest.{n}@example.org", side="frontline",
                          job_title="Officer", organisation=organisation)
                  for n in range(INVITATIONS)]
        db.session.add_all([organisation, *people])
        invitations = services.invite_contacts(event, people, organiser).invited
        for invitation in invitations:
            invitation.state = "sent"
        db.session.commit()
        paths = [f"/rsvp/{messages.rsvp_token(i)}" for i in invitations]
        db.engine.dispose()
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int) -> None:
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("gunicorn did not start")


def people(port: int, paths: list[str], clients: int, seconds: float, think: float):
    """Concurrent clients with pauses; returns latencies in ms and the error count."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        path = paths[n % len(paths)]
        time.sleep(rng.uniform(0, think))  # people do not all arrive in the same millisecond
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


WRK_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %%d %%d %%.1f %%.1f %%.1f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration / 1e6))
end
"""


def saturation(port: int, paths: list[str], clients: int, seconds: float, folder: str):
    """wrk with no pause: (requests, errors, median ms, p95 ms, seconds), or None without wrk."""
    if not shutil.which("wrk"):
        return None
    listing = Path(folder) / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    script = Path(folder) / "rsvp.lua"
    script.write_text(WRK_SCRIPT % listing)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "-s", str(script),
         f"http://127.0.0.1:{port}/"], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    requests, errors, median, p95, duration = line.split()[1:]
    return int(requests), int(errors), float(median), float(p95), float(duration)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0,
                        help="average pause between one client's requests, in seconds")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cafe-bench-rsvp-") as folder:
        database = f"sqlite:///{folder}/cafe.sqlite"
        paths = prepare(database)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": SECRET}
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-w", str(args.workers),
             "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env)
        try:
            wait_until_up(port)
            people(port, paths, 10, 1, 0.1)  # warm up both workers
            latencies, errors = people(port, paths, args.clients, args.seconds, args.think)
            wrk = saturation(port, paths, args.clients, args.seconds, folder)
        finally:
            server.terminate()
            server.wait(10)

    print(f"RSVP page, gunicorn with {args.workers} sync workers, SQLite, "
          f"{INVITATIONS} invitations")
    quantiles = statistics.quantiles(latencies, n=20)
    median, p95 = statistics.median(latencies), quantiles[18]
    print(f"{args.clients} people, ~{args.think:g} s between requests: {len(latencies)} requests "
          f"in {args.seconds:g} s ({len(latencies) / args.seconds:.0f}/s), {errors} errors; "
          f"median {median:.1f} ms, p95 {p95:.1f} ms "
          f"(target median under 50 ms: {'met' if median < 50 else 'NOT met'})")
    if wrk is None:
        print("saturation: skipped (install wrk: apt-get install -y wrk)")
    else:
        requests, wrk_errors, wrk_median, wrk_p95, duration = wrk
        print(f"{args.clients} connections, no pause (wrk): {requests} requests in "
              f"{duration:.0f} s ({requests / duration:.0f}/s), {wrk_errors} errors; "
              f"median {wrk_median:.1f} ms, p95 {wrk_p95:.1f} ms (mostly queueing)")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
