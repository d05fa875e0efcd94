"""The demo's case studies: invented, anonymised life stories at every stage of review; ten of
them approved, so the demo event has ten tables for its guests.

Every story is invented. They are written the way practitioners write them, with initials,
ages and services, and a few details the identifying-details check flags (two kept, with the
author's reason, one of which the organisers then questioned).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from cafe.auth.models import Organiser
from cafe.casestudies import common, services, tables
from cafe.casestudies.models import AuditEntry, CaseStudy
from cafe.clock import utcnow
from cafe.contacts.models import Contact, Organisation
from cafe.events.models import Event
from cafe.extensions import db
from cafe.invitations.models import Invitation
from cafe.tokens import new_link_key

E = services.EntryDraft


@dataclass
class DemoStory:
    """One demo case study: who writes it, what it says and how far it has got."""

    author: tuple[str, str]  # (organisation, words in the job title) to find a demo contact
    state: str
    brief: str
    draft: services.StoryDraft = field(default_factory=services.StoryDraft)
    decisions: list[tuple[str, str, str]] = field(default_factory=list)  # kind, text, reason
    earlier: services.StoryDraft | None = None  # the version that drew a request for changes
    comments: str = ""
    unhosted: bool = False
    co_facilitator: str = ""


STORIES = [
    DemoStory(
        author=("Redbridge Youth Offending Service", "Youth Justice Officer"),
        state="approved",
        brief="A young person who came to the youth justice service after leaving school early.",
        earlier=services.StoryDraft(
            title="Out of school, into the system",
            summary="A boy excluded at 15 whose family was already stretched to breaking point.",
            entries=[
                E("Birth to 5", "J is the second of three children. Health visitor notes say "
                  "mum was low after his birth; no referral was made.", "Health visiting, GP"),
                E("14", "Fixed-term exclusions for fighting. Older brother sentenced to custody.",
                  "School"),
                E("15", "Permanently excluded. Arrested with older boys for robbery.",
                  "School, police, Youth Offending Service"),
            ],
            themes="School exclusion\nFamily in crisis",
            content_warnings="Violence",
        ),
        comments="Thank you, this is powerful. Could you add what happened between the "
                 "exclusion and the arrest, and the family's housing, which the brief "
                 "mentions? The table will want to know where the gap was.",
        draft=services.StoryDraft(
            title="Out of school, into the system",
            summary="A boy excluded at 15, in the months when no service was holding him.",
            entries=[
                E("Birth to 5", "J is the second of three children. Health visitor notes say "
                  "mum was low after his birth; no referral was made.", "Health visiting, GP"),
                E("11", "Moves to secondary school. Described as funny, sporty and often "
                  "hungry. Mum's mental health deteriorates; dad leaves.", "School, GP"),
                E("13", "Family evicted after rent arrears and placed in temporary "
                  "accommodation 40 minutes from school. Attendance falls to 60%.",
                  "Housing, school attendance team"),
                E("14", "Two fixed-term exclusions for fighting. Older brother (19) sentenced "
                  "to custody. J tells a teaching assistant he has to be 'the man of the "
                  "house' now.", "School, probation (for his brother)"),
                E("15", "Permanently excluded in the spring term. Six weeks with no "
                  "education while a place at the pupil referral unit is found. Arrested "
                  "with older boys for a robbery. First contact with the Youth Offending "
                  "Service.", "School, alternative provision, police, Youth Offending Service"),
                E("15 to now", "Referral order completed. He attends the pupil referral unit "
                  "three days a week. Mum is on a waiting list for talking therapies.",
                  "Youth Offending Service, pupil referral unit, NHS Talking Therapies"),
            ],
            themes="School exclusion\nTemporary accommodation\nParental mental health\n"
                   "Transition to youth justice",
            content_warnings="Violence\nParental mental ill-health",
        ),
    ),
    DemoStory(
        author=("Redbridge Council Housing Service", "Domestic Abuse Housing"),
        state="approved",
        brief="A parent fleeing domestic abuse and what the housing route looked like.",
        co_facilitator="Zainab Conteh (MHCLG)",
        draft=services.StoryDraft(
            title="Safe, but starting again with nothing",
            summary="A mother who left an abusive partner and spent two years in temporary "
                    "accommodation.",
            entries=[
                E("28", "M moves to the borough with her partner. He controls the money and "
                  "her phone. GP records note bruising twice, explained as falls.", "GP"),
                E("31", "After a police call-out, a risk assessment rates her high risk. She "
                  "goes to a refuge in another borough with her two children.",
                  "Police, MARAC, independent domestic violence adviser, refuge"),
                E("31", "The children lose their school places. M's Universal Credit claim "
                  "has to be restarted and the first payment takes five weeks.",
                  "Schools, Jobcentre Plus"),
                E("32", "They were placed in a bedsit above a shop on Ilford High Road, miles "
                  "from her support network. The eldest starts refusing school.",
                  "Housing, school"),
                E("34", "Offered a two-bedroom flat. M says she has never been asked how she "
                  "is, only what she needs to fill in.", "Housing, family support"),
            ],
            themes="Domestic abuse\nTemporary accommodation\nChildren's education",
            content_warnings="Domestic abuse",
        ),
        decisions=[("address", "Ilford High Road",
                    "A main road two miles long lined with hundreds of flats; it does not "
                    "point to one home.")],
    ),
    DemoStory(
        author=("Redbridge Adult Social Services", "Hospital Discharge"),
        state="approved",
        unhosted=True,
        brief="An adult discharged from hospital with nowhere to go.",
        draft=services.StoryDraft(
            title="Discharged at 2am",
            summary="A man in his fifties who went round the door between hospital, the street "
                    "and the crisis team.",
            entries=[
                E("Childhood", "D grew up in care in the north of England. He left care at 16 "
                  "with no pathway plan.", "Children's social care"),
                E("30s", "Works in construction. Drinks heavily after an injury ends his "
                  "work. Relationship breaks down.", "GP"),
                E("50", "Evicted. Sleeps rough in the town centre. Outreach workers see him "
                  "most nights.", "Rough sleeping outreach, police"),
                E("51", "Admitted to A&E with a head injury. Discharged at 2am with no "
                  "address, no follow-up and a leaflet.", "Hospital, ambulance service"),
                E("52", "Readmitted three times in a year. A multi-agency meeting finally "
                  "agrees a supported housing place; he waits four months for it.",
                  "Adult social care, mental health, housing"),
            ],
            themes="Hospital discharge\nRough sleeping\nCare leavers in later life",
            content_warnings="Alcohol misuse\nSelf-neglect",
        ),
    ),
    DemoStory(
        author=("Metropolitan Police, East Area Command", "Child Exploitation"),
        state="approved",
        brief="A child criminally exploited through county lines.",
        co_facilitator="Kofi Mensah (contextual safeguarding)",
        draft=services.StoryDraft(
            title="Missing, found, missing again",
            summary="A 16-year-old girl exploited to carry drugs, and the thirteen times she "
                    "was reported missing.",
            entries=[
                E("12", "S's school notices new trainers and a second phone. A referral to "
                  "children's social care is closed after one visit.",
                  "School, children's social care"),
                E("14", "First missing episode: two days. Return home interview offered by "
                  "phone; she does not answer.", "Police, return home interview service"),
                E("15", "S went missing for four days and was found in a flat in another "
                  "county with class A drugs. Treated as a suspect at first, then as a "
                  "victim.", "Police in two force areas, National Referral Mechanism"),
                E("15", "The referral to the National Referral Mechanism takes 11 months to "
                  "decide. Thirteen missing episodes in that time.",
                  "Home Office, children's social care, police"),
                E("16", "A youth worker she trusts, and a move to a placement outside London, "
                  "finally hold. She is back in college.", "Youth service, children in care"),
            ],
            themes="Child criminal exploitation\nMissing children\nNational Referral Mechanism",
            content_warnings="Child exploitation\nDrugs",
        ),
    ),
    DemoStory(
        author=("London Fire Brigade, Ilford", "Community Safety"),
        state="approved",
        brief="An older person at risk at home whom no service saw as theirs.",
        draft=services.StoryDraft(
            title="The smoke alarm nobody fitted",
            summary="A woman in her late seventies living alone, hoarding, and known to five "
                    "services.",
            entries=[
                E("70", "A's husband dies. Her GP notes low mood; she declines a referral.",
                  "GP"),
                E("74", "Neighbours complain about smells and rubbish. Environmental health "
                  "visits twice.", "Environmental health"),
                E("76", "After the Grenfell Tower fire on 14 June 2017, the fire service "
                  "steps up home fire safety visits; A is on a list but is not visited for "
                  "a year.", "Fire and rescue service"),
                E("77", "A home fire safety visit finds hoarding and no working smoke alarm. "
                  "A safeguarding referral for self-neglect is made.",
                  "Fire and rescue service, adult social care"),
                E("78", "A small kitchen fire. A is unhurt. A joint visit by fire, adult "
                  "social care and her GP agrees a plan she is part of.",
                  "Fire and rescue service, adult social care, GP"),
            ],
            themes="Self-neglect\nOlder people living alone\nFire risk",
            content_warnings="Bereavement",
        ),
        decisions=[("date", "14 June 2017",
                    "The date of a national disaster that everyone knows; it says nothing "
                    "about A.")],
    ),
    DemoStory(
        author=("Ilford Jobcentre Plus", "Work Coach"),
        state="approved",
        brief="A care leaver and the benefits system.",
        draft=services.StoryDraft(
            title="Sanctioned at 19",
            summary="A care leaver whose benefits stopped when she missed an appointment she "
                    "did not know about.",
            entries=[
                E("8", "K comes into care after neglect. Four foster placements by 12.",
                  "Children's social care, fostering"),
                E("16", "Moves to semi-independent accommodation. Her personal adviser "
                  "changes three times in a year.", "Leaving care team"),
                E("18", "Claims Universal Credit. The claim is made online by her adviser; "
                  "K has no phone credit to read the messages.", "Jobcentre Plus"),
                E("19", "Misses an appointment and is sanctioned. Rent arrears follow. She "
                  "learns she is pregnant.", "Jobcentre Plus, housing, midwifery"),
                E("20", "A work coach spots the care-leaver marker, lifts the sanction on "
                  "review and refers her to a youth hub.", "Jobcentre Plus youth hub"),
            ],
            themes="Care leavers\nBenefit sanctions\nDigital exclusion",
            content_warnings="Neglect",
        ),
    ),
    DemoStory(
        author=("Redbridge Children's Social Care", "Child Protection"),
        state="approved",
        brief="A baby whose parents' drug use was known to several services.",
        draft=services.StoryDraft(
            title="The baby nobody heard",
            summary="A baby born into a home where both parents used drugs, and the missed "
                    "appointments that were each recorded and never added up.",
            entries=[
                E("Pregnancy", "Mum, N, books late and misses three antenatal appointments. "
                  "She tells the midwife she has stopped using. No one asks about dad.",
                  "Midwifery, GP"),
                E("Birth", "B is born three weeks early and spends ten days on the neonatal "
                  "unit. Staff note that the parents visit rarely.", "Hospital, neonatal unit"),
                E("3 months", "Two health visits missed; a third finds the flat cold and B "
                  "underweight. A referral is made but is screened out as 'no evidence of "
                  "harm'.", "Health visiting, children's social care front door"),
                E("7 months", "Police attend a neighbour's complaint about shouting and find "
                  "drug paraphernalia within B's reach. A strategy meeting is held the next "
                  "day and B goes onto a child protection plan.",
                  "Police, children's social care, health visiting"),
                E("1 year", "Both parents start treatment. B is thriving at nursery. The "
                  "review asks why four earlier contacts were never put together.",
                  "Drug and alcohol service, nursery, children's social care"),
            ],
            themes="Parental substance misuse\nNeglect in infancy\nInformation sharing",
            content_warnings="Neglect of a baby\nDrug use",
        ),
    ),
    DemoStory(
        author=("Redbridge Community Safety Partnership", "Anti-social Behaviour"),
        state="approved",
        brief="An adult at risk who was treated as the cause of anti-social behaviour.",
        co_facilitator="Imogen Thackeray-Bell (DHSC)",
        draft=services.StoryDraft(
            title="Cuckooed",
            summary="A man with a learning disability whose flat was taken over by dealers, "
                    "and who was warned for the noise they made.",
            entries=[
                E("Childhood", "P has a moderate learning disability. He goes to a special "
                  "school and lives with his mum until she dies when he is 38.",
                  "Special school, GP"),
                E("38", "He gets his own council flat. A support worker visits weekly for six "
                  "months; the support then ends as he is 'managing'.",
                  "Housing, adult social care"),
                E("40", "Neighbours report visitors at all hours. P receives two warning "
                  "letters and then a community protection warning for anti-social "
                  "behaviour.", "Housing, community safety"),
                E("41", "A police officer on a drugs warrant finds P sleeping in the hallway "
                  "of his own flat. Three men from outside the borough are arrested.",
                  "Police"),
                E("41 to now", "P is moved to supported housing. The warnings are withdrawn. "
                  "He says nobody asked him who the visitors were.",
                  "Adult social care, housing, community safety"),
            ],
            themes="Cuckooing\nLearning disability\nAnti-social behaviour powers",
            content_warnings="Exploitation\nDrugs",
        ),
    ),
    DemoStory(
        author=("Eastbrook Schools Partnership", "Special Educational Needs"),
        state="approved",
        brief="A child with special educational needs whose school place broke down.",
        draft=services.StoryDraft(
            title="On a part-time timetable",
            summary="An autistic boy who went from full-time school to two hours a day "
                    "while his assessment waited.",
            entries=[
                E("Reception", "A is bright and loves trains. Staff notice he finds noise and "
                  "change very hard; mum is told he will grow out of it.", "Primary school"),
                E("Year 4", "Meltdowns become frequent. A referral for an autism assessment "
                  "is made; the waiting list is two years.", "School, GP, community "
                  "paediatrics"),
                E("Year 6", "Mum asks for an education, health and care needs assessment. It "
                  "is refused at first, then agreed on appeal.", "Local authority SEND team"),
                E("Year 7", "Secondary school puts A on a part-time timetable of two hours "
                  "a day 'until the plan is in place'. Mum gives up her job to be at home.",
                  "Secondary school"),
                E("Year 8", "The plan names a specialist place, which has no space until the "
                  "following September. A spends most of the year at home.",
                  "Local authority SEND team, school"),
            ],
            themes="Special educational needs\nPart-time timetables\nWaiting lists",
            content_warnings="Distress of a child",
        ),
    ),
    DemoStory(
        author=("North East London Mental Health NHS Trust", "Crisis Team"),
        state="approved",
        brief="A young adult in repeated mental health crisis.",
        draft=services.StoryDraft(
            title="Twenty-three calls in a month",
            summary="A young woman known to every emergency service as a 'frequent caller', "
                    "and the trauma nobody asked about.",
            entries=[
                E("9", "C's dad leaves and her mum's new partner is violent. School notes "
                  "that she is withdrawn.", "School"),
                E("14", "Self-harms for the first time. Referred to CAMHS; seen twice, then "
                  "discharged when she misses an appointment.", "GP, CAMHS"),
                E("18", "Leaves home. Attends A&E eleven times in a year after self-harm or "
                  "overdose; each time she is assessed and discharged.",
                  "Hospital, liaison psychiatry, ambulance service"),
                E("20", "Twenty-three calls to police and ambulance in one month. She is "
                  "flagged as a high-intensity user and sent a letter about the calls.",
                  "Police, ambulance service, NHS 111"),
                E("21", "A peer support worker and a trauma-informed therapist, working "
                  "together, see her every week. The calls stop.",
                  "Community mental health team, peer support"),
            ],
            themes="Trauma\nSelf-harm\nHigh-intensity use of services",
            content_warnings="Self-harm\nSuicidal thoughts\nDomestic abuse",
        ),
    ),
    DemoStory(
        author=("Eastbrook Schools Partnership", "Attendance"),
        state="submitted",
        brief="A child whose school attendance is falling for reasons outside school.",
        draft=services.StoryDraft(
            title="The young carer nobody counted",
            summary="An 11-year-old missing school to look after her mum.",
            entries=[
                E("6", "T's mum is diagnosed with multiple sclerosis. Dad works nights.",
                  "GP, neurology"),
                E("9", "Attendance 88%. Lateness logged 30 times. No one asks why.", "School"),
                E("Year 6", "A teaching assistant finds T asleep in class; T says she was up "
                  "helping mum. A young carers assessment is offered; the waiting list is "
                  "five months.", "School, young carers service"),
                E("11", "Moves to secondary school. Attendance drops to 71%. A fixed penalty "
                  "notice is issued to the family.", "School, attendance service"),
            ],
            themes="Young carers\nSchool attendance\nTransition to secondary school",
            content_warnings="Parental illness",
        ),
    ),
    DemoStory(
        author=("Immigration Enforcement, East London", "Vulnerable Persons"),
        state="changes_requested",
        brief="Someone with no recourse to public funds and how services responded.",
        earlier=services.StoryDraft(
            title="No recourse",
            summary="A woman whose visa depended on the husband she needed to leave.",
            entries=[
                E("35", "R, 35, came to the UK on a spouse visa with a No Recourse to Public "
                  "Funds condition.", "Home Office"),
                E("39", "Her husband becomes violent. Refuges turn her away because she "
                  "cannot claim housing benefit. She stays.", "Refuges, police"),
                E("41", "Her daughter's teacher, Mrs Okafor, notices bruises and makes a "
                  "referral.", "School, children's social care"),
            ],
            themes="No recourse to public funds\nDomestic abuse",
            content_warnings="Domestic abuse",
        ),
        decisions=[("name", "Mrs Okafor",
                    "A common surname, and the teacher left the school two years ago.")],
        comments="Please take out the teacher's name even so: colleagues at the table may "
                 "know her. And say what happened after the referral: did the destitute "
                 "domestic violence concession come up?",
    ),
    DemoStory(
        author=("North East London Mental Health NHS Trust", "Early Intervention"),
        state="draft",
        brief="A young adult moving from children's to adult mental health services.",
        draft=services.StoryDraft(
            title="Eighteen and off the list",
            summary="",
            entries=[
                E("15", "L is referred to CAMHS for anxiety and low mood. Waits nine months.",
                  "GP, CAMHS"),
                E("18", "Discharged from CAMHS on his birthday. The referral to adult services "
                  "is rejected as 'not meeting threshold'.", "CAMHS, adult mental health"),
                E("19", "", ""),
            ],
            themes="Transition to adult services",
        ),
    ),
    DemoStory(
        author=("Metropolitan Police, East Area Command", "Missing Persons"),
        state="commissioned",
        brief="A young person repeatedly reported missing from care.",
    ),
]


def _author(organisation: str, job_words: str, used: set[int], number: int) -> Contact:
    """A demo contact fitting the story, else any unused frontline contact, else a new one."""
    candidates = list(db.session.scalars(
        select(Contact).join(Organisation).where(Contact.side == "frontline")
        .order_by(Contact.id)))
    for contact in candidates:
        if (contact.id not in used and contact.organisation.name == organisation
                and job_words.lower() in (contact.job_title or "").lower()):
            return contact
    for contact in candidates:
        if contact.id not in used and contact.organisation.name == organisation:
            return contact
    for contact in candidates:
        if contact.id not in used:
            return contact
    # The address book is not loaded: make an author so the demo still stands on its own.
    email = f"case-study-author-{number}@example.org"
    contact = db.session.scalar(select(Contact).where(Contact.email == email))
    if contact is None:
        org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
        if org is None:
            org = Organisation(name=organisation, kind="other")
            db.session.add(org)
        contact = Contact(name=f"Demo Author {number}", email=email, job_title=job_words,
                          organisation=org, side="frontline")
        db.session.add(contact)
        db.session.flush()
    return contact


def _write(case_study: CaseStudy, story: DemoStory, draft: services.StoryDraft) -> None:
    services.save_draft(case_study, draft)
    for kind, text, reason in story.decisions:
        services.mark_not_identifying(case_study, kind, text, reason)


def load_case_studies(event: Event, organiser: Organiser) -> str:
    """Commission, write and review the demo's case studies; a line for the summary."""
    today = common.today()
    on_time = min(event.date - timedelta(days=21), today + timedelta(days=60))
    used: set[int] = set()
    for number, story in enumerate(STORIES, start=1):
        author = _author(*story.author, used, number)
        used.add(author.id)
        deadline = _deadline(story.state, today, on_time, event.date)
        case_study = CaseStudy(event=event, author=author, brief=story.brief,
                               structure=services.DEFAULT_STRUCTURE, deadline=deadline,
                               commissioned_by=organiser, state="commissioned",
                               link_key=new_link_key(), revision=0, commissioned_at=utcnow())
        db.session.add(case_study)
        db.session.flush()
        if story.state == "commissioned":
            continue
        if story.earlier is not None:
            _write(case_study, story, story.earlier)
            services.submit_case_study(case_study)
            services.request_changes(case_study, organiser, story.comments, notify=False)
            if story.state == "changes_requested":
                continue
        _write(case_study, story, story.draft)
        if story.state == "draft":
            continue
        services.submit_case_study(case_study)
        if story.state == "approved":
            table = services.approve_case_study(case_study, organiser, notify=False)
            table.co_facilitator = story.co_facilitator
            if story.unhosted:
                table.host_contact_id = None
            services.record_access(case_study, "view", "Case study page", organiser=organiser)
    db.session.flush()
    _spread_history(event)
    _choose(event)
    approved = sum(s.state == "approved" for s in STORIES)
    return (f"{len(STORIES)} case studies ({approved} approved as tables, one unhosted; one "
            "waiting for review, one with changes requested, one draft, one not started)")


def _deadline(state: str, today: date, on_time: date, event_day: date) -> date:
    """Deadlines that make the list and the reminders realistic."""
    if state == "draft":
        return min(today + timedelta(days=5), event_day)  # a 7-day reminder is due
    if state == "commissioned":
        return min(today + timedelta(days=2), event_day)  # a 2-day reminder is due
    return on_time


def _spread_history(event: Event) -> None:
    """Put the demo's saves, submissions and reviews over the past weeks, not all today."""
    now = utcnow()
    rows = db.session.scalars(select(CaseStudy).where(CaseStudy.event_id == event.id)
                              .order_by(CaseStudy.id))
    for index, case_study in enumerate(rows):
        start = now - timedelta(days=40 - index)
        case_study.commissioned_at = start
        for number, version in enumerate(case_study.versions, start=1):
            version.created_at = start + timedelta(days=6 * number, hours=number)
        versions = {v.number: v.created_at for v in case_study.versions}
        for comment in case_study.comments:
            # A request for changes and the version it snapshots are made together.
            comment.created_at = versions.get(comment.version_number, start)
        if case_study.saved_at:
            case_study.saved_at = max(
                [start + timedelta(days=3)] + [v.created_at for v in case_study.versions])
        if case_study.submitted_at:
            case_study.submitted_at = case_study.versions[-1].created_at
        if case_study.approved_at:
            case_study.approved_at = case_study.versions[-1].created_at
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.event_id == event.id)):
        entry.created_at = now - timedelta(days=2, minutes=entry.id * 17)


def _choose(event: Event) -> None:
    """Guests who accepted pick up to three tables (when the invitations demo is loaded)."""
    studies = tables.choosable_case_studies(event)
    if not studies:
        return
    chooser = random.Random(18)  # the same choices on every load
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id,
                                 Invitation.state == "accepted").order_by(Invitation.id))
    for invitation in invitations:
        count = chooser.choice([0, 1, 2, 3, 3, 3])
        picks = chooser.sample(studies, min(count, len(studies)))
        tables.set_preferences(invitation, [c.id for c in picks], on=event.date)
