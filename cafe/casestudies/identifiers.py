"""Flag likely identifying details in a case study before it is submitted."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "EXPLANATIONS",
    "KINDS",
    "Finding",
    "find_identifying_details",
    "finding_key",
    "nhs_check_digit_ok",
]


@dataclass(frozen=True, slots=True)
class Finding:
    """One likely identifying detail: what kind, where, the exact text and what to do."""

    kind: str
    start: int
    end: int
    text: str
    explanation: str

    @property
    def key(self) -> tuple[str, str]:
        """The (kind, text) key under which a 'not identifying' decision is stored."""
        return finding_key(self)


def finding_key(finding: Finding) -> tuple[str, str]:
    """(kind, text with whitespace collapsed), so a decision survives edits and re-wrapping."""
    # Offsets change whenever the author edits earlier text, so they are not part of the key.
    return finding.kind, " ".join(finding.text.split())


# Most specific first: when two findings overlap, the one with the lower rank is kept
# (an NHS number written 3-3-4 also looks like a phone number, a date inside an
# address is still a date, a name inside an email address is part of the email).
_RANK = {
    "email": 0,
    "nhs_number": 1,
    "ni_number": 2,
    "postcode": 3,
    "date_of_birth": 4,
    "date": 5,
    "phone": 6,
    "address": 7,
    "sensitive_term": 8,
    "name": 9,
}
KINDS: tuple[str, ...] = tuple(_RANK)

EXPLANATIONS: dict[str, str] = {
    "email": "Looks like an email address; remove it.",
    "nhs_number": "Looks like an NHS number (its check digit is valid); remove it.",
    "ni_number": "Looks like a National Insurance number; remove it.",
    "postcode": "Looks like a full postcode; name a region or type of area instead.",
    "date_of_birth": (
        "Looks like a date of birth, which can identify someone on its own; give an age instead."
    ),
    "date": "Looks like a full date; give an age or a season instead.",
    "phone": "Looks like a phone number; remove it.",
    "address": "Looks like a street address; describe the type of area instead.",
    "sensitive_term": (
        "You listed this as sensitive (for example a school or estate); describe it instead."
    ),
    "name": "Looks like a personal name; use initials (e.g. 'J') instead.",
}
_TITLED_NAME_EXPLANATION = (
    "Looks like a name with a title; use the title and an initial (e.g. 'Mr S') or a role instead."
)


class _Candidate(NamedTuple):
    start: int
    end: int
    kind: str
    explanation: str


# Several patterns below start with a lookahead for their first character, e.g. (?=\d):
# it is redundant for matching but lets the regex engine skip quickly through long texts.

# --- Email ---------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,}\b"
)


def _emails(text: str) -> Iterator[_Candidate]:
    """Email addresses."""
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        yield _Candidate(m.start(), m.end(), "email", EXPLANATIONS["email"])


# --- NHS number ----------------------------------------------------------------------

# Ten digits, together or as 3-3-4 with one consistent separator; not part of a longer number.
_NHS = re.compile(r"(?=\d)(?<![\d+])(?<!\d[ -])(\d{3})([ -]?)(\d{3})\2(\d{4})(?!\d)(?![ -]\d)")


def nhs_check_digit_ok(digits: str) -> bool:
    """True if a 10-digit string has a valid NHS modulus-11 check digit."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _nhs_numbers(text: str) -> Iterator[_Candidate]:
    """NHS numbers: ten digits with a valid check digit."""
    for m in _NHS.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        # '000 000 0000' passes the checksum but is what authors type as a placeholder.
        if len(set(digits)) > 1 and nhs_check_digit_ok(digits):
            yield _Candidate(m.start(), m.end(), "nhs_number", EXPLANATIONS["nhs_number"])


# --- National Insurance number -------------------------------------------------------

_NI = re.compile(
    r"\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])([ \t]?)(\d{2})[ \t]?(\d{2})[ \t]?(\d{2})"
    # A spaced suffix must be a capital, or "AB 12 34 56 a dog" would swallow the article.
    r"(?:(?-i:[ \t]?[A-D])|[a-d])?\b",
    re.IGNORECASE,
)
_NI_BAD_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def _ni_numbers(text: str) -> Iterator[_Candidate]:
    """National Insurance numbers (official prefix rules, optional A-D suffix)."""
    for m in _NI.finditer(text):
        prefix = m.group(1)
        if prefix.upper() in _NI_BAD_PREFIXES:
            continue
        # Lower-case words before a spaced number ("on 12 34 56") are ordinary prose.
        if not prefix.isupper() and m.group(2):
            continue
        yield _Candidate(m.start(), m.end(), "ni_number", EXPLANATIONS["ni_number"])


# --- Postcode ------------------------------------------------------------------------

# Outward code: A9, A99, A9A, AA9, AA99, AA9A (with the letters each position may hold);
# inward code: 9AA without C, I, K, M, O or V.
_POSTCODE = re.compile(
    r"\b[A-PR-UWYZ](?:\d[A-HJKPSTUW]|\d\d?|[A-HK-Y]\d[ABEHMNPRV-Y]|[A-HK-Y]\d\d?)"
    r"[ \t]?\d([ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})


def _postcodes(text: str) -> Iterator[_Candidate]:
    """Full UK postcodes (an outward code alone is too vague to flag)."""
    for m in _POSTCODE.finditer(text):
        # "y9 2nd" is a school year and an ordinal, not a postcode.
        if m.group(1) in _ORDINAL_SUFFIXES:
            continue
        yield _Candidate(m.start(), m.end(), "postcode", EXPLANATIONS["postcode"])


# --- Phone number --------------------------------------------------------------------

# A UK prefix (+44, +44 (0), (0..., 0) then digit groups split by single spaces or hyphens;
# which groups belong to the number is decided by counting digits afterwards.
_PHONE = re.compile(
    r"(?=[+(0])(?<![\w+/£.])"
    r"(?:\+44[ \t-]?(?:\(0\)[ \t-]?)?|\(0(?=\d{1,5}\))|0(?=\d))\d*\)?(?:[ \t-]?\d+)*"
)
_DIGITS = re.compile(r"\d+")


def _phone_end(match: re.Match[str]) -> int | None:
    """End offset of the longest run of digit groups that makes a UK number, if any."""
    international = match.group().startswith("+")
    digits = ""
    best = None
    for group in _DIGITS.finditer(match.group()):
        digits += group.group()
        if international:
            national = digits[2:]
            national = national[1:] if national.startswith("0") else national
        else:
            national = digits[1:]
        if not national or national[0] not in "1235789":
            continue
        # UK numbers have 10 digits after the 0; some 01 areas and 0800 numbers have 9.
        if len(national) == 10 or (len(national) == 9 and national[0] in "18"):
            best = match.start() + group.end()
    return best


def _phones(text: str) -> Iterator[_Candidate]:
    """UK landline, mobile and freephone numbers."""
    for m in _PHONE.finditer(text):
        end = _phone_end(m)
        if end is not None:
            yield _Candidate(m.start(), end, "phone", EXPLANATIONS["phone"])


# --- Dates ---------------------------------------------------------------------------

_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?!\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:1[89]|20)\d\d|['’]\d\d)"
_SP = r"[ \t\u00a0]+"
_FULL_DATES = [
    # 12 March 2009, 12th of March 2009, 12 Mar. '09
    re.compile(rf"(?=\d)\b{_DAY}(?:{_SP}of)?{_SP}{_MONTH}\b\.?,?{_SP}{_YEAR}\b"),
    # March 12, 2009
    re.compile(rf"(?=[JFMASONDjfmasond])\b{_MONTH}\b\.?{_SP}{_DAY},?{_SP}{_YEAR}\b"),
]
_NUMERIC_DATE = re.compile(
    r"(?=\d)(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)"
)
_ISO_DATE = re.compile(
    r"(?=\d)(?<![\d/.-])((?:19|20)\d\d)([/.-])(\d{1,2})\2(\d{1,2})(?![\d/-]|\.\d)"
)
# Day and month without a year: only identifying when it is someone's birthday.
_PARTIAL_DATES = [
    re.compile(rf"\b{_DAY}(?:{_SP}of)?{_SP}{_MONTH}\b"),
    re.compile(rf"\b{_MONTH}\b\.?{_SP}{_DAY}\b"),
    re.compile(r"(?<![\d/.-])\d{1,2}/\d{1,2}(?![\d/])"),
]
_DOB_WORD = re.compile(r"birth|born|\bd\.?[ \t]?o\.?[ \t]?b\b", re.IGNORECASE)
_DOB_CUE = re.compile(
    r"(?:\bdate[ \t]+of[ \t]+birth|\bd\.?[ \t]?o\.?[ \t]?b\b\.?|\bborn|\bbirthday)"
    r"(?:[ \t]*(?:is|was|on|the|of|:|-|–|\(|,))*[ \t]*$",
    re.IGNORECASE,
)


def _plausible_day_month(a: int, b: int) -> bool:
    """True if a/b reads as day/month or month/day."""
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


def _after_dob_cue(text: str, start: int) -> bool:
    """True if the words just before `start` say this is a date of birth."""
    return _DOB_CUE.search(text, max(0, start - 40), start) is not None


def _dates(text: str) -> Iterator[_Candidate]:
    """Full dates, and dates (or birthdays) after 'date of birth', 'DOB', 'born'."""
    spans: list[tuple[int, int]] = []
    for pattern in _FULL_DATES:
        spans += [m.span() for m in pattern.finditer(text)]
    for m in _NUMERIC_DATE.finditer(text):
        if _plausible_day_month(int(m.group(1)), int(m.group(3))):
            spans.append(m.span())
    for m in _ISO_DATE.finditer(text):
        if 1 <= int(m.group(3)) <= 12 and 1 <= int(m.group(4)) <= 31:
            spans.append(m.span())
    for start, end in spans:
        if _after_dob_cue(text, start):
            yield _Candidate(start, end, "date_of_birth", EXPLANATIONS["date_of_birth"])
        else:
            yield _Candidate(start, end, "date", EXPLANATIONS["date"])
    # Day-and-month alone is looked for only just after a cue, which keeps long texts fast.
    for cue in _DOB_WORD.finditer(text):
        window_end = min(len(text), cue.end() + 60)
        for pattern in _PARTIAL_DATES:
            for m in pattern.finditer(text, cue.end(), window_end):
                if _after_dob_cue(text, m.start()):
                    yield _Candidate(
                        m.start(), m.end(), "date_of_birth", EXPLANATIONS["date_of_birth"]
                    )


# --- Street addresses ----------------------------------------------------------------

_STREET_WORDS = (
    "Road Street Avenue Lane Close Drive Way Court Gardens Crescent Place Terrace Grove Hill"
    " Walk Mews Square Rise Row Parade Vale Boulevard Rd Ave"
).split()
# Too common as ordinary words or place names to flag without a house number in front.
_NUMBERED_ONLY_STREET_WORDS = "Park Green View St Ln".split()
_CAP_WORD = r"[A-ZÀ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*"
_NUMBERED_ADDRESS = re.compile(
    rf"(?=[\dFARU])(?<![\w/.£:-])"
    rf"(?:(?:Flat|Apartment|Apt|Unit|Room)\.?{_SP}\d{{1,4}}[A-Za-z]?,?{_SP}(?:\d{{1,4}}[A-Za-z]?,?{_SP})?"
    # A year is not a house number: "In 2019 Eastfield Road closed" (the street is still found).
    rf"|(?!(?:19|20)\d\d\b)\d{{1,4}}[A-Za-z]?,?{_SP})"
    rf"(?:{_CAP_WORD}{_SP}){{1,3}}(?:{'|'.join(_STREET_WORDS + _NUMBERED_ONLY_STREET_WORDS)})\b"
)
_STREET_NAME = re.compile(
    rf"(?=[A-ZÀ-Þ])\b(?:{_CAP_WORD}{_SP}){{1,3}}(?:{'|'.join(_STREET_WORDS)})\b"
)
# Courts and the like that share a street word but are services, not places people live.
_NOT_STREETS = {
    "Court": set(
        "Youth Family Crown County High Magistrates Coroners Coroner's Appeal Supreme Juvenile"
        " Civil Criminal Combined".split()
    ),
    "Place": {"Safe", "Safer", "Better", "Meeting"},
    "Way": {"No", "Milky", "One", "Which"},
}
# Street words that are also common surnames ("Jack Hill", "Emily Lane").
_SURNAME_STREET_WORDS = frozenset({"Hill", "Lane"})
# Words that can start a capitalised run before a street name without being part of it.
_LEADING_NON_STREET = frozenset(
    """The A An And But Or So Then When While After Before During In On At By From To Near Off
    Over Under Into Onto Along Up Down Past Via Around Behind Opposite Outside Inside His Her
    Their Our My Your This That These Those He She They We I It Later Soon Eventually Now Also
    Both Each Every Some Most Many Mum Dad Mr Mrs Ms Miss Mx Dr""".split()
)


def _addresses(text: str, given_names: dict[str, int]) -> Iterator[_Candidate]:
    """House number plus street, or a capitalised street name on its own."""
    for m in _NUMBERED_ADDRESS.finditer(text):
        words = m.group().split()
        if _is_service_street(words[-2], words[-1]):
            continue
        yield _Candidate(m.start(), m.end(), "address", EXPLANATIONS["address"])
    for m in _STREET_NAME.finditer(text):
        words = m.group().split()
        start = m.start()
        # Drop sentence-starting function words: "Then Cranbrook Road" -> "Cranbrook Road".
        while len(words) > 1 and words[0] in _LEADING_NON_STREET:
            start = text.index(words[1], start + len(words[0]))
            words.pop(0)
        if len(words) < 2 or _is_service_street(words[-2], words[-1]):
            continue
        # "Jack Hill" on its own is more likely a person; the name detector deals with it.
        if len(words) == 2 and words[1] in _SURNAME_STREET_WORDS and words[0] in given_names:
            continue
        yield _Candidate(start, m.end(), "address", EXPLANATIONS["address"])


def _is_service_street(before: str, street_word: str) -> bool:
    """True for 'Youth Court', 'Family Court' and other services named like streets."""
    exclusions = _NOT_STREETS.get(street_word, set())
    return before in exclusions or before.replace("'", "").replace("’", "") in exclusions


# --- Sensitive terms -----------------------------------------------------------------


def _sensitive_terms(text: str, terms: Iterable[str]) -> Iterator[_Candidate]:
    """Whole-word, case-insensitive matches of the author's own sensitive terms."""
    words = {tuple(term.split()) for term in terms if term and term.strip()}
    if not words:
        return
    # Longest first so "St Mary's School" wins over "St Mary's"; any run of spaces matches.
    alternatives = sorted((r"\s+".join(map(re.escape, w)) for w in words), key=len, reverse=True)
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)
    for m in pattern.finditer(text):
        yield _Candidate(m.start(), m.end(), "sensitive_term", EXPLANATIONS["sensitive_term"])


# --- Personal names ------------------------------------------------------------------
#
# The heuristic, so authors and reviewers can predict it:
#   1. A title followed by a capitalised word ("Mrs Okafor", "Dr. Jones"); a title with a
#      single initial ("Mr S") is fine.
#   2. A capitalised given name from the list below, plus any capitalised surname after it.
#   3. Given names that are also ordinary words, months or places are flagged only with
#      evidence that they are names: a surname after them, a title before them, a verb
#      only people do after them ("Will said"), an age ("Grace is 14", "Grace (14)"), a
#      possessive about a person ("Hope's mum"), or, for word-names such as Grace or Will,
#      a capital in mid-sentence. Months, seasons, colours and places (May, Summer, Amber,
#      Jordan) never get the mid-sentence rule, so "in May" and "rated Amber" stay quiet.
#   4. Once a word is flagged as a name, its other capitalised uses are flagged too (not
#      for months, seasons and places; surnames only away from the start of a sentence).
# Not flagged: initials ("J", "J.S.", "JS"), "Child A", acronyms (CAMHS, DWP), given names
# in institutions ("St Mary's", "Martin House", "Clare's Law", "Marie Curie").

_TIER_PLAIN, _TIER_WORD, _TIER_CALENDAR = 0, 1, 2

_PLAIN_GIVEN_NAMES = """
Oliver George Harry Noah Leo Arthur Muhammad Mohammed Mohammad Mohamed Oscar Charlie Jacob
Thomas Henry William Alfie Joshua Freddie Archie Ethan Isaac Alexander Joseph Edward Samuel
Logan Lucas Daniel James Theo Theodore Finley Adam Harrison Dylan Benjamin Sebastian Zachary
Elijah Reuben Toby Louie Louis Tommy Jake Riley Mason Ryan Luca Caleb Kai Hugo Tyler Nathan
Jayden Aaron Liam Callum Connor Kieran Lewis Jamie Kyle Bradley Luke Matthew Michael
Christopher Andrew David Paul Peter John Richard Robert Stephen Steven Anthony Kevin Gary
Darren Wayne Lee Craig Shane Jason Scott Simon Neil Ian Alan Colin Keith Kenneth Brian Barry
Trevor Graham Martin Philip Phillip Patrick Sean Seán Shaun Declan Ciaran Niall Conor Rhys Dafydd
Gareth Owen Evan Huw Ifan Cai Alistair Angus Hamish Fraser Ewan Euan Calum Ross Duncan Malcolm
Stuart Gordon Ahmed Ali Omar Hassan Hussain Ibrahim Yusuf Abdullah Ismail Bilal Hamza Imran
Tariq Khalid Zain Ayaan Rayan Arjun Rohan Ravi Raj Sanjay Vikram Aarav Harpreet Gurpreet
Jaspreet Mandeep Sandeep Kwame Kofi Chinedu Emeka Oluwaseun Tunde Femi Segun Kayode Abdi
Mustafa Jamal Jerome Marcus Andre Dwayne Leon Luis Carlos Diego Mateo Jakub Kacper Szymon
Filip Piotr Tomasz Marek Bartosz Andrei Mihai Florin Bogdan Dmitri Erik Nikola Stefan Marco
Giovanni Matteo Francesco Antonio Jose Juan Pedro Miguel Ahmet Mehmet Emre Yosef Moshe Levi
Jack Ezra Eli Ronan Cian Oisin Finn Darragh Brandon Kian Jenson Bobby Frankie Stanley Albert Alfred
Ernest Harvey Jude Rory Elliot Elliott Tobias Jasper Felix Rafael Gabriel Nathaniel Jonathan
Jonah Vincent Dominic Nicholas Tom Sam Ben Joe Dan Danny Alex Chris Matt Mike Steve Dave Tony
Jim Jimmy Johnny Billy Reece Reggie Ollie Teddy Ronnie Ricky Jay Curtis Damian Damien Adrian
Julian Carl Karl Derek Dennis Raymond Roger Terry Tim Timothy Frederick Harold Leonard Victor
Walter Arnold Cyril Clive Nigel Roy Lloyd Olivia Amelia Isla Ava Mia Lily Isabella Rosie
Sophia Sophie Freya Evie Ella Emily Millie Sienna Harper Isabelle Elsie Phoebe Matilda Eva
Evelyn Chloe Jessica Charlotte Emma Hannah Megan Lauren Rebecca Laura Sarah Amy Katie Kayleigh
Chantelle Leanne Stacey Gemma Kirsty Nicola Claire Clare Michelle Kelly Lisa Joanne Donna
Tracey Tracy Sharon Karen Julie Susan Linda Elaine Deborah Debbie Angela Helen Jennifer Jenny
Jane Mary Margaret Patricia Elizabeth Catherine Katherine Kathryn Anne Ann Alice Lucy Zoe Zoë
Abigail Molly Maisie Scarlett Layla Aisha Ayesha Fatima Maryam Zainab Amina Khadija Noor Zara
Zahra Safiya Hafsa Iqra Sana Samira Yasmin Yasmine Leila Nadia Priya Anjali Divya Pooja Simran
Harleen Manpreet Navdeep Deepa Sunita Asha Chidinma Ngozi Chiamaka Adaeze Amara Folake Funmi
Abena Akosua Efua Wanjiru Nia Seren Ffion Cerys Carys Bethan Sian Siân Rhiannon Eilidh Ailsa
Morag Kirsten Niamh Aoife Siobhan Saoirse Roisin Róisín Caoimhe Orla Ciara Sinead Bridget
Maria Ana Anna Julia Natalia Zuzanna Agnieszka Katarzyna Magdalena Oliwia Wiktoria Ioana Elena
Andreea Alina Irina Olena Oksana Svetlana Giulia Francesca Sofia Lucia Carmen Ines Leah Naomi
Rachel Rebekah Esther Miriam Shanice Tanisha Keisha Latoya Jasmine Tia Kiera Keira Demi
Courtney Bethany Paige Jodie Eleanor Harriet Beatrice Imogen Madison Amelie Esme Thea Aria
Luna Lottie Mabel Edith Ada Rosa Marie Nicole Natasha Samantha Vanessa Danielle Jemma Toni
Terri Vicky Becky Jess Jessie Kate Katy Beth Ellie Libby Tilly Gracie Lola Nancy Betty Dorothy
Doreen Joan Jean Brenda Pauline Maureen Sheila Janet Lynn Wendy Gillian Jacqueline Lorraine
Sandra Denise Shirley Valerie Hilary Frances Caroline Louise Kim Sally Ruth Judith Amanda
Alison Fiona Heidi Tina Mandy Lesley
"""
# Also ordinary English words: flagged with evidence or when capitalised mid-sentence.
_WORD_GIVEN_NAMES = """
Grace Hope Faith Joy Will Mark Bill Rose Holly Ivy Iris Violet Hazel Heather Pearl Dawn
Daisy Poppy Ruby Jade Willow Max Rob Pat Sue Don Ray Guy Drew Dean Frank Carol Eve Kit Robin
Angel Blessing Precious Destiny Harmony Patience Mercy Sunny Honey Crystal Penny Noel
Nick Sandy
"""
# Also months, seasons, colours or places: flagged only with direct evidence, never spread.
_CALENDAR_GIVEN_NAMES = """
May April June August Summer Autumn Jan Amber Jordan India Georgia Chelsea Victoria Florence
Sydney Kerry Shannon Tyrone Lincoln Austin Paris Beverley Sky Skye Brooklyn Dallas Phoenix
Christian Leigh Chester
"""
_GIVEN_NAMES: dict[str, int] = {
    **{n: _TIER_PLAIN for n in _PLAIN_GIVEN_NAMES.split()},
    **{n: _TIER_WORD for n in _WORD_GIVEN_NAMES.split()},
    **{n: _TIER_CALENDAR for n in _CALENDAR_GIVEN_NAMES.split()},
}

_TITLES = frozenset(
    "Mr Mrs Ms Miss Mx Dr Prof Professor Sir Dame Rev Revd PC PCSO DC DS DI Sgt Cllr".split()
)
# Words that start a clause or point at something; never a name after a title.
_FUNCTION_WORDS = frozenset(
    """The A An And But Or So Then When While After Before During In On At By From To For With
    His Her Their Our My Your This That These Those He She They We I It Also""".split()
)
# Capitalised words that are never a surname after a given name: institutions, services,
# calendar words and the like ("Hope House", "May Day", "Amber Alert"). Street words that are
# also common surnames (Hill, Lane, Green, Park, Hall, Ward) are left out on purpose.
_NOT_SURNAMES = _FUNCTION_WORDS | frozenset(
    """House Centre Center Project Projects Trust Foundation Unit Team Teams Service Services
    Care School Schools Academy College University Primary Secondary Nursery Hospital Hospice
    Clinic Surgery Practice Council Police Court Office Plus Help Credit Families Family Health
    Home Homes Hostel Refuge Partnership Network Group Groups Club Mosque Temple Gurdwara
    Synagogue Lodge Estate Estates Day Days Term Holiday Holidays Alert Appeal Garden Christmas
    Easter Eid Diwali Year Years Stage Level Plan Order Act Board Panel Conference Meeting
    Review Assessment Ambulance View Street Road Avenue Close Drive Way Gardens Crescent Place
    Terrace Grove Walk Mews Square Rise Row Parade Vale Boulevard Station Library Festival Fund
    Scheme Programme Campaign Award Awards Prize Cup League Wing Suite Room Building Tower
    Towers Flats Village Town City Ltd Limited Society Association Charity Hub Forum Zone
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Spring Summer Autumn Winter Mum
    Dad Nan Gran Grandad Grandma Palace Social Youth Early Universal Children Child Adult Adults
    Mental Housing Education Probation Prison Offending Job Jobcentre Troubled Local Community
    Citizens Victim Women Domestic Drug Alcohol Sure Virtual Integrated Safeguarding Special
    Educational Needs Pupil Referral Commission""".split()
)
# After a given name (or "Clare's") these mean an institution named after someone.
_INSTITUTION_WORDS = frozenset(
    """House Centre Center Project Trust Foundation Unit School Academy College University
    Primary Nursery Hospital Hospice Clinic Surgery Practice Lodge Fund Appeal Scheme Programme
    Award Awards Building Library""".split()
)
_ORG_PHRASES = re.compile(
    r"\b(?:Marie Curie|Sue Ryder|Leonard Cheshire|Anna Freud|Joseph Rowntree|Jack Petchey"
    r"|Florence Nightingale|Mary Seacole|Dr\.? Barnardo['’]s|Barnardo['’]s|Prince['’]?s Trust"
    r"|King['’]?s Trust|St\.? John Ambulance|Princess Alice|Duke of Edinburgh|Union Jack"
    r"|Jack Russell)\b"
)
_SAINTS = frozenset({"St", "Saint", "Ste"})
# Verbs that only a person does; "was" and "is" are left out ("Hope was fading").
_PERSON_VERBS = frozenset(
    """said says told tells asked asks explained explains felt feels wanted wants thought
    thinks knew knows decided decides disclosed discloses refused refuses agreed agrees cried
    shouted admitted admits described describes reported reports remembered remembers recalled
    recalls loves loved likes liked hates hated enjoyed enjoys worried worries spoke speaks wrote
    writes lives lived moved attended attends stayed stays struggled struggles joined joins met
    meets missed misses""".split()
)
# Nouns after a possessive that show the possessor is a person ("Hope's mum").
_PERSON_NOUNS = frozenset(
    """mum mother dad father stepdad stepmum brother brothers sister sisters siblings nan nana
    gran granny grandmother grandfather grandparents grandad grandma aunt auntie uncle cousin
    partner boyfriend girlfriend friend friends son daughter baby children child carer carers
    foster family parents husband wife ex school teacher worker behaviour attendance bedroom
    room needs views wishes voice""".split()
)
# Before a mid-sentence capital these show a thing, not a person ("the Hope project").
_DETERMINERS = frozenset("the a an this that these those its of no every each".split())
_AGE_AFTER = re.compile(
    r"[ \t]*\([ \t]*(?:aged[ \t]+)?\d{1,2}[ \t]*\)"
    r"|[ \t]+(?:is|was|who[ \t]+is|who[ \t]+was)[ \t]+(?:(?:now|aged|only|just)[ \t]+)?"
    r"\d{1,2}\b(?![:.]\d|[ \t]*(?:%|am\b|pm\b|per\b|percent|degrees|miles|minutes|hours|days"
    r"|weeks|months|times))"
)
_COMMA_AGE_AFTER = re.compile(r"[ \t]*,[ \t]*(?:aged[ \t]+)?\d{1,2}[ \t]*[,.;)]")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_BREAKS = frozenset('.!?:;\n"“”‘(•*–—')


class _Token(NamedTuple):
    start: int
    end: int  # end of the word without any possessive 's
    word: str  # the word without any possessive 's
    possessive: bool


def _tokens(text: str) -> list[_Token]:
    """Words with possessive 's split off."""
    tokens = []
    for m in _WORD.finditer(text):
        word = m.group()
        possessive = len(word) > 2 and word[-2] in "'’" and word[-1] in "sS"
        if possessive:
            word = word[:-2]
        tokens.append(_Token(m.start(), m.start() + len(word), word, possessive))
    return tokens


def _name_like(word: str) -> bool:
    """Capitalised with some lower case: 'Okafor', 'McDonald', not 'J', 'JS' or 'CAMHS'."""
    return len(word) > 1 and word[0].isupper() and any(c.islower() for c in word)


def _tier(word: str) -> int | None:
    """The given-name tier of a word (or of any part of 'Mary-Jane'), if it is one."""
    if "-" not in word:
        return _GIVEN_NAMES.get(word)
    tiers = [_GIVEN_NAMES[p] for p in word.split("-") if p in _GIVEN_NAMES]
    return min(tiers) if tiers else None


class _NameScanner:
    """Applies the personal-name heuristic to a list of tokens."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.masked = [m.span() for m in _ORG_PHRASES.finditer(text)]

    def gap_before(self, i: int) -> str:
        """Text between token i-1 and token i (or the start of the text)."""
        previous_end = self.tokens[i - 1].end if i else 0
        return self.text[previous_end : self.tokens[i].start]

    def sentence_initial(self, i: int) -> bool:
        """True if token i starts a sentence, line, quotation or bracket."""
        if i == 0:
            return True
        previous = self.tokens[i - 1]
        gap = self.text[previous.end : self.tokens[i].start]
        # A possessive 's is part of the previous word, not a break.
        return any(c in _SENTENCE_BREAKS for c in gap.removeprefix("'s").removeprefix("’s"))

    def joined(self, i: int) -> bool:
        """True if token i follows token i-1 across spaces only (same line, no punctuation)."""
        return i > 0 and not self.tokens[i - 1].possessive and self.gap_before(i).strip(" \t") == ""

    def surname_at(self, i: int) -> bool:
        """True if token i can be a surname after the token before it."""
        if i >= len(self.tokens) or not self.joined(i):
            return False
        word = self.tokens[i].word
        return _name_like(word) and word not in _NOT_SURNAMES and word not in _TITLES

    def name_end(self, i: int, extra: int) -> int:
        """Index after the last of up to `extra` surname tokens following token i."""
        j = i + 1
        while j <= i + extra and self.surname_at(j):
            j += 1
        return j

    def is_masked(self, token: _Token) -> bool:
        """True inside a known organisation named after a person."""
        return bool(self.masked) and any(s <= token.start < e for s, e in self.masked)

    def institution(self, i: int) -> bool:
        """True for given names that belong to an institution: 'St Mary', 'Martin House'."""
        token = self.tokens[i]
        if self.is_masked(token):
            return True
        if i > 0 and self.tokens[i - 1].word in _SAINTS and self.gap_before(i).strip(" .") == "":
            return True
        if i + 1 >= len(self.tokens) or not _name_like(self.tokens[i + 1].word):
            return False
        following = self.tokens[i + 1].word
        if token.possessive:
            # "Clare's Law", "Rachel's House"; but "Grace's mum" is a person.
            return following in _INSTITUTION_WORDS or following == "Law"
        return following in _INSTITUTION_WORDS and self.joined(i + 1)

    def evidence(self, i: int, tier: int) -> bool:
        """True if the context shows that an ambiguous given name is used as a name."""
        token = self.tokens[i]
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        if self.surname_at(i + 1):
            return True
        if i > 0 and self.tokens[i - 1].word in _TITLES and self.gap_before(i).strip(" .") == "":
            return True
        if nxt and not token.possessive and nxt.word in _PERSON_VERBS and self.joined(i + 1):
            return True
        if token.possessive and nxt and nxt.word.lower() in _PERSON_NOUNS:
            return True
        if _AGE_AFTER.match(self.text, token.end):
            return True
        if tier == _TIER_CALENDAR:
            return False
        if _COMMA_AGE_AFTER.match(self.text, token.end):
            return True
        if self.sentence_initial(i) or self.tokens[i - 1].word.lower() in _DETERMINERS:
            return False
        # The second word of a capitalised phrase ("Christmas Eve", "Union Jack") is not a name.
        return not (_name_like(self.tokens[i - 1].word) and self.joined(i))

    def scan(self) -> Iterator[_Candidate]:
        """Yield name candidates: titled names, given names (+surnames), repeated names."""
        tokens = self.tokens
        explanation = EXPLANATIONS["name"]
        found: dict[int, int] = {}  # first token index -> index after the last token
        titled: set[int] = set()
        spread_given: set[str] = set()
        spread_surnames: set[str] = set()

        for i, token in enumerate(tokens):
            if not token.word[0].isupper():
                continue  # most words; the cheapest test first keeps long texts fast
            if token.word in _TITLES and not self.is_masked(token):
                gap = self.text[token.end : tokens[i + 1].start] if i + 1 < len(tokens) else ""
                if i + 1 < len(tokens) and gap.strip(" .\t\n") == "" and gap.count("\n") < 2:
                    following = tokens[i + 1].word
                    if (
                        _name_like(following)
                        and following not in _FUNCTION_WORDS
                        and following not in _TITLES
                    ):
                        end = self.name_end(i + 1, 1)
                        found[i] = end
                        titled.add(i)
                        for t in tokens[i + 1 : end]:
                            self._remember(t.word, spread_given, spread_surnames)
                continue
            tier = _tier(token.word)
            if tier is None or not _name_like(token.word) or self.institution(i):
                continue
            if tier != _TIER_PLAIN and not self.evidence(i, tier):
                continue
            end = self.name_end(i, 2)
            found[i] = end
            for t in tokens[i:end]:
                self._remember(t.word, spread_given, spread_surnames)

        # Repeated uses of a word already shown to be a name.
        covered = {j for i, end in found.items() for j in range(i, end)}
        for i, token in enumerate(tokens):
            if token.word not in spread_given and token.word not in spread_surnames:
                continue
            if i in covered or not _name_like(token.word) or self.is_masked(token):
                continue
            if token.word in spread_given and not self.institution(i):
                found[i] = i + 1
            elif token.word in spread_surnames and (
                not self.sentence_initial(i)
                or (i + 1 < len(tokens) and tokens[i + 1].word in _PERSON_VERBS)
            ):
                found[i] = i + 1

        for i, end in found.items():
            yield _Candidate(
                tokens[i].start,
                tokens[end - 1].end,
                "name",
                _TITLED_NAME_EXPLANATION if i in titled else explanation,
            )

    @staticmethod
    def _remember(word: str, spread_given: set[str], spread_surnames: set[str]) -> None:
        """Note a confirmed name word so its other uses are flagged too."""
        tier = _tier(word)
        if tier is None:
            spread_surnames.add(word)
        elif tier != _TIER_CALENDAR:
            spread_given.add(word)


# --- Putting it together -------------------------------------------------------------


def _resolve(text: str, candidates: Iterable[_Candidate]) -> list[Finding]:
    """Keep the most specific (then longest) of overlapping candidates; sort by start."""
    ordered = sorted(candidates, key=lambda c: (_RANK[c.kind], c.start - c.end, c.start))
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Finding] = []
    for c in ordered:
        # Kept spans never overlap, so their starts and ends are sorted together.
        i = bisect_right(starts, c.start)
        if (i > 0 and ends[i - 1] > c.start) or (i < len(starts) and starts[i] < c.end):
            continue
        starts.insert(i, c.start)
        ends.insert(i, c.end)
        kept.append(Finding(c.kind, c.start, c.end, text[c.start : c.end], c.explanation))
    return sorted(kept, key=lambda f: f.start)


def find_identifying_details(text: str, *, sensitive_terms: Iterable[str] = ()) -> list[Finding]:
    """Every likely identifying detail in `text`, sorted by position, none overlapping."""
    candidates: list[_Candidate] = []
    candidates += _emails(text)
    candidates += _nhs_numbers(text)
    candidates += _ni_numbers(text)
    candidates += _postcodes(text)
    candidates += _dates(text)
    candidates += _phones(text)
    candidates += _addresses(text, _GIVEN_NAMES)
    candidates += _sensitive_terms(text, sensitive_terms)
    candidates += _NameScanner(text).scan()
    return _resolve(text, candidates)
