"""The demo's address book: invented people in the departments and services of a London borough.

Modelled on a borough case-study café: central government strategy teams and the borough's
frontline services. Every person, email address and phone number is invented; phone numbers are
in Ofcom's ranges reserved for drama (020 7946 0xxx, 07700 900xxx) and emails use example
domains. Two people appear twice, as imports often leave them, so the duplicates page has
something to merge.
"""

from __future__ import annotations

import unicodedata

from cafe.contacts.models import Contact, Organisation
from cafe.extensions import db

S, F = "strategy", "frontline"

# (organisation, kind, email domain, [(name, job title, side), ...])
DEMO_ADDRESS_BOOK: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("Home Office", "central_government", "homeoffice.example.gov.uk", [
        ("Dr Marcus Ellery", "Deputy Director, Crime and Policing Strategy", S),
        ("Priya Raghunathan", "Head of Serious Violence Strategy", S),
        ("Tobias Whitlock", "Senior Policy Adviser, Safeguarding", S),
        ("Folasade Adebayo-Clarke", "Policy Lead, County Lines", S),
        ("Ciaran Mulholland", "Analyst, Crime and Policing Analysis Unit", S),
        ("Yasmin Haddad", "Policy Adviser, Violence Against Women and Girls", S),
        ("Jonah Feldman", "Head of Local Partnerships", S),
        ("Mei Lin Chow", "Senior Research Officer", S),
    ]),
    ("Department of Health and Social Care", "central_government", "dhsc.example.gov.uk", [
        ("Eleanor Ashcombe", "Deputy Director, Mental Health Policy", S),
        ("Kwame Asante", "Policy Lead, Crisis Care", S),
        ("Rhiannon Pryce", "Senior Policy Adviser, Adult Social Care Reform", S),
        ("Arjun Mehta", "Head of Integrated Care Strategy", S),
        ("Beatriz Nogueira", "Policy Adviser, Suicide Prevention", S),
        ("Samuel Okonjo", "Economist, Social Care Analysis", S),
        ("Hannah Lindqvist", "Policy Adviser, Health Inequalities", S),
    ]),
    ("Department for Education", "central_government", "education.example.gov.uk", [
        ("Catherine Mbeki-Hall", "Deputy Director, Children's Social Care Reform", S),
        ("Imran Qureshi", "Policy Lead, School Attendance and Exclusions", S),
        ("Aoife Gallagher", "Senior Policy Adviser, Child Protection", S),
        ("Daniel Oyelaran", "Head of Family Help Strategy", S),
        ("Sofia Papadopoulos", "Policy Adviser, Alternative Provision", S),
        ("Nathaniel Brooks", "Social Researcher, Children's Services", S),
        ("Farah Siddiqui", "Policy Adviser, Special Educational Needs", S),
    ]),
    (
        "Ministry of Housing, Communities and Local Government",
        "central_government",
        "mhclg.example.gov.uk",
        [
            ("Gareth Llewellyn", "Deputy Director, Homelessness and Rough Sleeping", S),
            ("Adaeze Nwosu", "Policy Lead, Temporary Accommodation", S),
            ("Tomasz Wiśniewski", "Senior Policy Adviser, Supporting Families", S),
            ("Lucy Abernethy", "Head of Local Government Partnerships", S),
            ("Raj Chandrasekaran", "Analyst, Housing and Communities Analysis", S),
            ("Zainab Conteh", "Policy Adviser, Domestic Abuse Safe Accommodation", S),
            ("Oliver Pennington", "Policy Adviser, Community Cohesion", S),
        ],
    ),
    ("Department for Work and Pensions", "central_government", "dwp.example.gov.uk", [
        ("Margaret Osei", "Deputy Director, Employment Support Strategy", S),
        ("Hamza Rahman", "Policy Lead, Young People Not in Work", S),
        ("Fiona McAllister", "Senior Policy Adviser, Health and Work", S),
        ("Delroy Campbell", "Head of Partnership Strategy, London", S),
        ("Ana-Maria Popescu", "Policy Adviser, Universal Credit Vulnerability", S),
        ("Ewan Fraser", "Social Researcher, Labour Market Analysis", S),
    ]),
    ("Redbridge Council Housing Service", "local_authority", "redbridge.example.gov.uk", [
        ("Sandra Achterberg", "Head of Housing Needs", S),
        ("Tomasz Nowak", "Housing Options Officer", F),
        ("Abimbola Fashola", "Tenancy Sustainment Officer", F),
        ("Kieran O'Donovan", "Temporary Accommodation Officer", F),
        ("Shabnam Karimi", "Homelessness Prevention Officer", F),
        ("Lewis Grant", "Rough Sleeping Outreach Worker", F),
        ("Nuala Brennan", "Housing Officer, Estates", F),
        ("Vikram Sandhu", "Domestic Abuse Housing Caseworker", F),
    ]),
    (
        "Redbridge Community Safety Partnership",
        "local_authority",
        "redbridge.example.gov.uk",
        [
            ("Claire Whitfield", "Community Safety Partnership Manager", S),
            ("Emeka Chukwu", "Anti-social Behaviour Caseworker", F),
            ("Roxana Ionescu", "Community Safety Officer", F),
            ("Darren Holt", "Neighbourhood Enforcement Officer", F),
            ("Amina Yusuf", "Violence Reduction Coordinator", F),
            ("Patrick Quinlan", "CCTV and Town Centre Safety Officer", F),
        ],
    ),
    ("Ilford Jobcentre Plus", "central_government", "dwp.example.gov.uk", [
        ("Jasmine Bhatt", "Work Coach Team Leader", F),
        ("Oluwaseun Balogun", "Work Coach", F),
        ("Gintarė Kazlauskaitė", "Work Coach, Youth Hub", F),
        ("Mohammed Ali Khan", "Disability Employment Adviser", F),
        ("Rachel Goldberg", "Complex Needs Work Coach", F),
        ("Chinedu Eze", "Employer and Partnership Manager", F),
    ]),
    ("Redbridge Children's Social Care", "local_authority", "redbridge.example.gov.uk", [
        ("Helen Okonkwo-Reid", "Director of Children's Services", S),
        ("Grace Adeyemi", "Social Worker, Assessment Team", F),
        ("Luca Romano", "Senior Practitioner, Child Protection", F),
        ("Nadia Begum", "Family Support Worker", F),
        ("Thomas Achebe", "Team Manager, Multi-Agency Safeguarding Hub", F),
        ("Siobhan Kearney", "Social Worker, Children in Care", F),
        ("Deepa Nair", "Independent Reviewing Officer", F),
        ("Kofi Mensah", "Contextual Safeguarding Practitioner", F),
    ]),
    ("Redbridge Youth Offending Service", "local_authority", "redbridge.example.gov.uk", [
        ("Marlon Reid", "Head of Youth Justice", S),
        ("Ayesha Chaudhry", "Youth Justice Officer", F),
        ("Bogdan Marinescu", "Youth Justice Officer", F),
        ("Tanisha Lewis", "Victim Liaison Officer", F),
        ("Eoin Fitzgerald", "Education, Training and Employment Worker", F),
        ("Salma Abdi", "Speech and Language Therapist, Youth Justice", F),
    ]),
    ("Eastbrook Schools Partnership", "education", "eastbrook-schools.example.org", [
        ("Janet Oduya", "Director of Inclusion", S),
        ("Ravi Sundaram-Pillay", "Headteacher, Eastbrook Academy", F),
        ("Louise Carmichael", "Designated Safeguarding Lead, Valley Road Primary", F),
        ("Ahmed Hassan", "Attendance Officer", F),
        ("Kerry-Ann Thompson", "Pastoral Manager, Eastbrook Academy", F),
        ("Magdalena Zielińska", "Special Educational Needs Coordinator", F),
        ("Yusuf Demir", "Learning Mentor, Pupil Referral Unit", F),
    ]),
    ("Redbridge Adult Social Services", "local_authority", "redbridge.example.gov.uk", [
        ("Philippa Hargreaves", "Head of Adult Safeguarding", S),
        ("Babajide Ogunleye", "Social Worker, Adult Safeguarding", F),
        ("Mirela Dumitru", "Occupational Therapist", F),
        ("Sean Gallagher", "Approved Mental Health Professional", F),
        ("Parveen Akhtar", "Care Act Assessor", F),
        ("Winston Clarke", "Hospital Discharge Social Worker", F),
    ]),
    (
        "North East London Mental Health NHS Trust",
        "nhs",
        "nelmh-nhs.example.org",
        [
            ("Dr Anjali Kapoor", "Clinical Director, Community Mental Health", S),
            ("Femi Oladipo", "Community Psychiatric Nurse", F),
            ("Charlotte Devereux", "Crisis Team Practitioner", F),
            ("Hassan Jama", "Mental Health Liaison Nurse, Street Triage", F),
            ("Dr Niamh Corrigan", "Consultant Psychiatrist, Early Intervention", F),
            ("Precious Moyo", "Peer Support Worker", F),
            ("Cheng Wei", "Clinical Psychologist, Child and Adolescent Services", F),
        ],
    ),
    ("London Fire Brigade, Ilford", "fire", "london-fire.example.org", [
        ("Ruth Ellison", "Station Commander, Borough Commander", S),
        ("Jamal Osman", "Watch Manager", F),
        ("Gemma Doyle", "Fire Safety Inspecting Officer", F),
        ("Alexandru Rusu", "Community Safety Adviser, Home Fire Safety Visits", F),
        ("Connor Byrne", "Crew Manager", F),
    ]),
    ("Immigration Enforcement, East London", "central_government", "homeoffice.example.gov.uk", [
        ("Sunita Varma", "Immigration Officer, Community Engagement", F),
        ("Graham Whitcombe", "Chief Immigration Officer", F),
        ("Leyla Aziz", "Safeguarding Lead, Reporting Centre", F),
        ("Adrian Kowalczyk", "Immigration Enforcement Officer", F),
        ("Blessing Nnamdi", "Vulnerable Persons Officer", F),
    ]),
    ("Metropolitan Police, East Area Command", "police", "met-police.example.org", [
        ("Caroline Ashby", "Superintendent, Neighbourhood Policing", S),
        ("Devan Pateman", "Detective Sergeant, Child Exploitation Team", F),
        ("Shanice Morgan", "Police Constable, Safer Schools Officer", F),
        ("Owain Rees", "Neighbourhood Inspector", F),
        ("Alisha Ramdin", "Detective Constable, Missing Persons Unit", F),
        ("Tariq Mahmood", "Police Constable, Ward Officer for Ilford Town", F),
        ("Lindiwe Dlamini", "Police Community Support Officer", F),
    ]),
]

# People entered twice (a personal address, a title typed differently): the duplicates to merge.
DEMO_DUPLICATES: list[tuple[str, str, str, str]] = [
    (
        "Redbridge Council Housing Service",
        "Tomasz Nowak",
        "housing options officer",
        "t.nowak.housing@example.org",
    ),
    (
        "Redbridge Children's Social Care",
        "Grace Adeyemi",
        "Social Worker",
        "grace.adeyemi.sw@example.org",
    ),
]

DEMO_NOTES = {
    "Dr Marcus Ellery": "Speaking at the opening session. Prefers email to phone.",
    "Helen Okonkwo-Reid": "Chairing the closing session.",
    "Lewis Grant": "Works evenings on outreach; best reached by mobile before 2pm.",
    "Precious Moyo": "Has lived experience of services; offered to co-host a table.",
    "Jonah Feldman": "Part-time: works Monday to Wednesday.",
    "Deepa Nair": "Asked for a step-free route and a hearing loop.",
}



def _email(name: str, domain: str) -> str:
    """firstname.lastname@domain, no title or accents: 'Dr Niamh Corrigan' → niamh.corrigan@..."""
    name = name.removeprefix("Dr ")
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    parts = [part.lower().replace("'", "") for part in plain.split()]
    return f"{parts[0]}.{parts[-1]}@{domain}"


def load_contacts() -> list[Contact]:
    """Add the demo organisations and about 110 contacts; return the contacts, in order."""
    contacts: list[Contact] = []
    organisations: dict[str, Organisation] = {}
    landline, mobile = 100, 100
    for name, kind, domain, people in DEMO_ADDRESS_BOOK:
        organisation = Organisation(name=name, kind=kind)
        organisations[name] = organisation
        db.session.add(organisation)
        for index, (person, job_title, side) in enumerate(people):
            if side == S or index % 3 == 0:
                phone = f"020 7946 0{landline:03d}"
                landline += 7
            else:
                phone = f"07700 900{mobile:03d}"
                mobile += 11
            if index % 5 == 4:
                phone = ""  # not everyone's spreadsheet row has a phone number
            contacts.append(
                Contact(
                    name=person,
                    email=_email(person, domain),
                    job_title=job_title,
                    organisation=organisation,
                    side=side,
                    phone=phone,
                    notes=DEMO_NOTES.get(person, ""),
                )
            )
    for organisation_name, person, job_title, email in DEMO_DUPLICATES:
        original = next(c for c in contacts if c.name == person)
        contacts.append(
            Contact(
                name=person,
                email=email,
                job_title=job_title,
                organisation=organisations[organisation_name],
                side=original.side,
                phone="",
                notes="Added from the 2025 partnership event sign-in sheet.",
            )
        )
    db.session.add_all(contacts)
    db.session.flush()
    return contacts
