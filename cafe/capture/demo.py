"""The demo event's intervention points: a few from every hosted table, invented."""

from __future__ import annotations

import random

from cafe.capture import services
from cafe.casestudies.tables import tables_for
from cafe.events.models import Event

# (life stage, what happened, agencies, intervention, barrier, strength)
POINTS = [
    ("Age 3", "Nursery noticed bruising and missed appointments; nothing was passed on.",
     ["Health visiting", "Children's social care"],
     "A shared early-help record that nursery staff could add to", "information_sharing", 4),
    ("Age 7", "Moved school three times in a year after evictions.",
     ["Housing", "Schools"], "A named school contact told before each move", "systems", 4),
    ("Age 11", "Referred to CAMHS; referral closed after two missed letters.",
     ["CAMHS", "GP"], "Follow up missed appointments by phone, not letter", "capacity", 5),
    ("Age 13", "Excluded for fighting; no one asked what was happening at home.",
     ["Schools", "Youth Offending Service"],
     "A welfare conversation before any exclusion", "culture", 3),
    ("Age 14", "Police found them in a flat with older men twice in a month.",
     ["Police", "Children's social care"],
     "Treat repeat missing episodes as exploitation, not behaviour", "culture", 5),
    ("Age 15", "Mother asked for help with debt; benefits were sanctioned.",
     ["DWP", "Housing"], "A hardship check before any sanction of a family with children",
     "systems", 4),
    ("Age 16", "Left school with no plan; turned down for a college place.",
     ["Schools", "Employment support"], "A transition worker from Year 10", "funding", 3),
    ("Age 17", "Arrested; the youth worker who knew them was not told.",
     ["Police", "Youth Offending Service"], "Consent to share built into the first contact",
     "consent", 4),
    ("Age 18", "Child services ended at 18; adult mental health waiting list of 9 months.",
     ["Adult mental health", "Children's social care"],
     "A handover that starts at 17, not on the birthday", "capacity", 5),
    ("Age 19", "Fire service fitted alarms after a kitchen fire; saw the hoarding, said nothing.",
     ["Fire and rescue", "Adult social care"],
     "A simple route for fire crews to raise a welfare concern", "information_sharing", 3),
    ("Age 20", "Immigration status left them unable to rent or work legally.",
     ["Immigration enforcement", "Housing"],
     "Early legal advice offered with the first contact", "other", 2),
    ("Age 22", "Sofa-surfing; three agencies each assessed them and closed the case.",
     ["Housing", "Adult social care", "Mental health"],
     "One lead professional instead of three assessments", "systems", 5),
]


def load_points(event: Event) -> str:
    """Three or four points from every hosted table, spread over the rounds; a summary line."""
    rng = random.Random(7)  # the same demo every time
    count = 0
    for table in tables_for(event):
        if table.case_study.state != "approved":
            continue
        for n, point in enumerate(rng.sample(POINTS, rng.choice([3, 4]))):
            stage, happened, agencies, intervention, barrier, strength = point
            services.upsert_point(table, {
                "client_id": services.new_client_id(), "revision": 1,
                "round": n % event.rounds + 1, "life_stage": stage, "what_happened": happened,
                "agencies": agencies, "intervention": intervention, "barrier": barrier,
                "strength": strength})
            count += 1
    return f"{count} intervention points from the tables"
