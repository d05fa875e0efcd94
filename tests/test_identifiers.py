"""The identifying-details check: invented examples with known answers."""

from __future__ import annotations

import time
from dataclasses import FrozenInstanceError

import pytest

from cafe.casestudies.identifiers import (
    EXPLANATIONS,
    KINDS,
    Finding,
    find_identifying_details,
    finding_key,
)

# --- helpers --------------------------------------------------------------------------


def nhs_check_digit(first_nine: str) -> int | None:
    """The NHS modulus-11 check digit for nine digits (None when no valid digit exists)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return {11: 0, 10: None}.get(check, check)


def with_check_digit(first_nine: str) -> str:
    """Nine invented digits plus their valid check digit."""
    check = nhs_check_digit(first_nine)
    assert check is not None, f"{first_nine} has no valid check digit; pick another"
    return first_nine + str(check)


def with_wrong_check_digit(first_nine: str) -> str:
    """Nine invented digits plus a check digit that is not the valid one."""
    check = nhs_check_digit(first_nine)
    return first_nine + str(((check or 0) + 1) % 10)


def spaced(ten: str, sep: str = " ") -> str:
    """'9434765919' -> '943 476 5919'."""
    return sep.join((ten[:3], ten[3:6], ten[6:]))


def found(text: str, **kwargs) -> list[tuple[str, str]]:
    """(kind, text) for each finding, in order."""
    return [(f.kind, f.text) for f in find_identifying_details(text, **kwargs)]


def assert_single(text: str, kind: str, span: str, **kwargs) -> None:
    """Exactly one finding, of `kind`, covering exactly `span`."""
    assert found(text, **kwargs) == [(kind, span)]
    (finding,) = find_identifying_details(text, **kwargs)
    assert text[finding.start : finding.end] == finding.text == span
    assert finding.explanation == EXPLANATIONS[kind] or kind == "name"


# --- positive cases: (sentence, kind, exact span) -------------------------------------

VALID_NHS = with_check_digit("401023457")
PHONE_SHAPED_NINE = "016329600"  # 10 digits starting 01: a short-format UK landline shape

POSITIVE = [
    # NHS numbers
    ("NHS number 943 476 5919 on the letter.", "nhs_number", "943 476 5919"),
    ("NHS no. 9434765919.", "nhs_number", "9434765919"),
    ("Ref 943-476-5919 noted.", "nhs_number", "943-476-5919"),
    (f"Her number is {spaced(VALID_NHS)}.", "nhs_number", spaced(VALID_NHS)),
    (f"Her number is {VALID_NHS}.", "nhs_number", VALID_NHS),
    # a phone-shaped 10-digit number with a valid check digit is an NHS number...
    (
        f"Number {with_check_digit(PHONE_SHAPED_NINE)} given.",
        "nhs_number",
        with_check_digit(PHONE_SHAPED_NINE),
    ),
    # ...and with a bad check digit it is still a phone number
    (
        f"Number {with_wrong_check_digit(PHONE_SHAPED_NINE)} given.",
        "phone",
        with_wrong_check_digit(PHONE_SHAPED_NINE),
    ),
    # National Insurance numbers
    ("NI number JW 12 34 56 C.", "ni_number", "JW 12 34 56 C"),
    ("NI JW123456C on file.", "ni_number", "JW123456C"),
    ("ni jw123456c on file.", "ni_number", "jw123456c"),
    ("NI number AB 12 34 56 without a suffix.", "ni_number", "AB 12 34 56"),
    ("Number AB 12 34 56 a week ago.", "ni_number", "AB 12 34 56"),
    ("NI number CE 98 76 54 D.", "ni_number", "CE 98 76 54 D"),
    ("NI number HZ 01 02 03 A.", "ni_number", "HZ 01 02 03 A"),
    # postcodes, every format
    ("Lived at M1 1AE for a year.", "postcode", "M1 1AE"),  # A9 9AA
    ("Lived at B33 8TH for a year.", "postcode", "B33 8TH"),  # A99 9AA
    ("Lived at W1A 0AX for a year.", "postcode", "W1A 0AX"),  # A9A 9AA
    ("Lived at CR2 6XH for a year.", "postcode", "CR2 6XH"),  # AA9 9AA
    ("Lived at DN55 1PT for a year.", "postcode", "DN55 1PT"),  # AA99 9AA
    ("Lived at EC1A 1BB for a year.", "postcode", "EC1A 1BB"),  # AA9A 9AA
    ("Lived at LS99 9ZZ for a year.", "postcode", "LS99 9ZZ"),
    ("Lived at ls999zz for a year.", "postcode", "ls999zz"),
    ("Lived at Sw1a 1aa for a year.", "postcode", "Sw1a 1aa"),
    # phone numbers
    ("Call 07700 900123 after school.", "phone", "07700 900123"),
    ("Call 07700900123 after school.", "phone", "07700900123"),
    ("Call 07700 900 123 after school.", "phone", "07700 900 123"),
    ("Call 07700-900-123 after school.", "phone", "07700-900-123"),
    ("Call 020 7946 0018 after school.", "phone", "020 7946 0018"),
    ("Call (020) 7946 0018 after school.", "phone", "(020) 7946 0018"),
    ("Call 0161 496 0000 after school.", "phone", "0161 496 0000"),
    ("Call 01632 960123 after school.", "phone", "01632 960123"),
    ("Call +44 7700 900123 after school.", "phone", "+44 7700 900123"),
    ("Call +447700900123 after school.", "phone", "+447700900123"),
    ("Call +44 (0)20 7946 0018 after school.", "phone", "+44 (0)20 7946 0018"),
    ("Call 0800 123 4567 after school.", "phone", "0800 123 4567"),
    ("Call 07700 900123 12 times a day.", "phone", "07700 900123"),
    # email addresses
    ("Email j.hartley@example.com today.", "email", "j.hartley@example.com"),
    ("Email jo_h+cafe@mail.example.org.uk.", "email", "jo_h+cafe@mail.example.org.uk"),
    ("Email Jessica.Hartley@example.com today.", "email", "Jessica.Hartley@example.com"),
    # full dates in every listed form
    ("On 12/03/2009 she moved.", "date", "12/03/2009"),
    ("On 12-03-09 she moved.", "date", "12-03-09"),
    ("On 12.03.2009 she moved.", "date", "12.03.2009"),
    ("On 3/7/2009 she moved.", "date", "3/7/2009"),
    ("On 03/25/2009 she moved.", "date", "03/25/2009"),  # American order is still a date
    ("On 2009-03-12 she moved.", "date", "2009-03-12"),
    ("On 12 March 2009 she moved.", "date", "12 March 2009"),
    ("On 12th March 2009 she moved.", "date", "12th March 2009"),
    ("On the 12th of March 2009 she moved.", "date", "12th of March 2009"),
    ("On 1st Sept 2010 she moved.", "date", "1st Sept 2010"),
    ("On 3 Sept. '09 she moved.", "date", "3 Sept. '09"),
    ("On 12 mar 2009 she moved.", "date", "12 mar 2009"),
    ("On March 12, 2009 she moved.", "date", "March 12, 2009"),
    ("On March 12 2009 she moved.", "date", "March 12 2009"),
    ("On Dec 3rd, 2009 she moved.", "date", "Dec 3rd, 2009"),
    ("On Tuesday 12 May 2009 she moved.", "date", "12 May 2009"),
    # dates of birth
    ("Date of birth: 12/03/2009.", "date_of_birth", "12/03/2009"),
    ("Her date of birth is 12 March 2009.", "date_of_birth", "12 March 2009"),
    ("DOB 12/03/2009.", "date_of_birth", "12/03/2009"),
    ("D.O.B. 12-03-09.", "date_of_birth", "12-03-09"),
    ("dob: 2009-03-12", "date_of_birth", "2009-03-12"),
    ("She was born on 3rd May 2008.", "date_of_birth", "3rd May 2008"),
    ("She was born 3 May 2008 in hospital.", "date_of_birth", "3 May 2008"),
    ("He was born on the 4th of June.", "date_of_birth", "4th of June"),
    ("Her birthday is 14 June.", "date_of_birth", "14 June"),
    ("Her birthday is on June 14.", "date_of_birth", "June 14"),
    ("DOB 14/06 (year withheld).", "date_of_birth", "14/06"),
    # street addresses
    ("She lived at 14 Eastfield Road with her nan.", "address", "14 Eastfield Road"),
    ("She lived at Flat 3, 22 Meadow Close for a year.", "address", "Flat 3, 22 Meadow Close"),
    ("She lived at Flat 3 Meadow Court for a year.", "address", "Flat 3 Meadow Court"),
    ("She lived at 7a Old Kent Road for a year.", "address", "7a Old Kent Road"),
    ("She lived at 2 St John's Crescent for a year.", "address", "2 St John's Crescent"),
    ("She lived at 14 High St for a year.", "address", "14 High St"),
    ("She lived at 9 Larch Park for a year.", "address", "9 Larch Park"),
    ("They lived on Cranbrook Road for years.", "address", "Cranbrook Road"),
    ("Then Cranbrook Road was closed.", "address", "Cranbrook Road"),
    ("The family moved to Ashby-de-la-Zouch Avenue.", "address", "Ashby-de-la-Zouch Avenue"),
    ("In 2019 Eastfield Road was closed.", "address", "Eastfield Road"),
    ("A flat off Whitmore Lane.", "address", "Whitmore Lane"),
    ("They lived on Hope Street.", "address", "Hope Street"),  # a word-name in a street
    # personal names
    ("Jessica Hartley was referred.", "name", "Jessica Hartley"),
    ("She saw Mrs Okafor weekly.", "name", "Mrs Okafor"),
    ("She saw Mrs Aisha Okafor weekly.", "name", "Mrs Aisha Okafor"),
    ("She saw Dr Jones weekly.", "name", "Dr Jones"),
    ("She saw Dr. Jones weekly.", "name", "Dr. Jones"),
    ("She saw Ms Nowak weekly.", "name", "Ms Nowak"),
    ("She saw Miss Adeyemi weekly.", "name", "Miss Adeyemi"),
    ("She told PC Whitfield everything.", "name", "PC Whitfield"),
    ("She saw Mr O'Brien weekly.", "name", "Mr O'Brien"),
    ("She saw Mr Patel's team weekly.", "name", "Mr Patel"),
    ("Mrs Hill said no.", "name", "Mrs Hill"),
    ("Aisha was 14 when she moved.", "name", "Aisha"),
    ("Her friend Priya stayed over.", "name", "Priya"),
    ("Seán McDonald was her uncle.", "name", "Seán McDonald"),
    ("Mary-Jane O'Brien was her aunt.", "name", "Mary-Jane O'Brien"),
    ("Jack Smith-Jones was her cousin.", "name", "Jack Smith-Jones"),
    ("Zoë rang the school.", "name", "Zoë"),
    ("Oliver's mum rang the school.", "name", "Oliver"),
    ("Emily Ward rang the school.", "name", "Emily Ward"),
    # given names that are also words: only with evidence
    ("Grace Okafor rang.", "name", "Grace Okafor"),
    ("Will said he was scared.", "name", "Will"),
    ("May told her teacher.", "name", "May"),
    ("Hope's mum rang the school.", "name", "Hope"),
    ("Grace is 14 and lives with her dad.", "name", "Grace"),
    ("Summer (15) was excluded.", "name", "Summer"),
    ("She met Grace at the bus stop.", "name", "Grace"),
    ("Her brother Mark had left home.", "name", "Mark"),
    ("Miss May was her teacher.", "name", "Miss May"),
    ("Amber Collins was her teacher.", "name", "Amber Collins"),
    # sensitive terms given by the author
    ("She went to Oakfield Academy.", "sensitive_term", "Oakfield Academy"),
    ("She went to oakfield academy.", "sensitive_term", "oakfield academy"),
    ("She lived on the Meadowbank  estate.", "sensitive_term", "Meadowbank  estate"),
]
SENSITIVE = ["Oakfield Academy", "Meadowbank Estate"]


@pytest.mark.parametrize(("text", "kind", "span"), POSITIVE)
def test_flags_with_kind_and_exact_span(text: str, kind: str, span: str) -> None:
    assert_single(text, kind, span, sensitive_terms=SENSITIVE)


# --- negative cases: nothing to flag -------------------------------------------------

NEGATIVE = [
    # initials and anonymised labels
    "J was referred by her school.",
    "J. was referred by her school.",
    "JS was referred by her school.",
    "J.S. was referred by her school.",
    "Mr S said she needed someone to listen.",
    "Mr S. said she needed someone to listen.",
    "Child A and Child B were placed together.",
    "Mum and Dad separated when J was 6.",
    # ages, years, months, seasons, school years
    "She was aged 14 at the time.",
    "At 15 she was excluded.",
    "In 2009 the family moved.",
    "In March 2009 the family moved.",
    "She was born in March 2009.",
    "She was born in 2009.",
    "In summer 2012 things improved.",
    "Summer holidays were hard.",
    "Autumn term started badly.",
    "In Year 9 her attendance fell.",
    "By Key Stage 4 she was back at school.",
    "The meeting was on a Tuesday in May.",
    "May was a difficult month.",
    "In May 2020 she left home.",
    "Every Monday she saw her worker.",
    "She was seen on 12 March.",  # day and month, no year, not a birthday
    "The plan was rated Amber.",
    "She started school on Christmas Eve.",
    # service and agency names
    "She was known to CAMHS and the Youth Offending Service.",
    "Children's Social Care held a strategy meeting.",
    "Mum went to Job Centre Plus about Universal Credit.",
    "The DWP and the Home Office wrote to the family.",
    "The NHS trust, her GP and A&E all saw her.",
    "The Police made a referral to the MASH.",
    "Early Help and Troubled Families funded a key worker.",
    "The case went to the Youth Court and then the Family Court.",
    "She appeared at the Magistrates' Court.",
    "Hope House offered her a room.",
    "Martin House supported the family.",
    "The school used Clare's Law and Sarah's Law checks.",
    "Marie Curie nurses visited.",
    "She went to St Mary's for a year.",
    # ordinary capitalised words, and word-names without evidence
    "Will she cope? Nobody could say.",
    "Hope was in short supply.",
    "Mark the date in the diary.",
    "Bill payments went unpaid.",
    "Faith groups offered food parcels.",
    "Grace period ended.",
    "Background. Summary. What we learned.",
    "The Grove is a supported housing scheme.",
    # numbers that are not identifiers
    "NHS number 943 476 5918 has a bad check digit.",
    "Reference 000 000 0000 is a placeholder.",
    "She scored 12 34 56 in three tests.",
    "Prefixes QQ 12 34 56 C, BG 12 34 56 A, GB 12 34 56 A, NK 12 34 56 A are invalid.",
    "Prefixes KN 12 34 56 A, TN 12 34 56 A, NT 12 34 56 A, ZZ 12 34 56 A are invalid.",
    "Prefixes DA 12 34 56 A, FA 12 34 56 A, IA 12 34 56 A, UA 12 34 56 A are invalid.",
    "Prefixes VA 12 34 56 A, AD 12 34 56 A, AO 12 34 56 A, AV 12 34 56 A are invalid.",
    "It happened on 12 34 56 different days.",
    "She was in Y9 2nd term.",
    "She lived in the LS1 area.",  # outward code only
    "She earned 1,234 pounds.",
    "The 1.5 hour session was at 10:30.",
    "Scores were 3-2-1.",
    "Call 999 or 111.",
    "She waited 32/52 weeks.",
    "It was 07700 pounds.",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_does_not_flag(text: str) -> None:
    assert found(text, sensitive_terms=SENSITIVE) == []


# --- check digits and exclusions in detail -------------------------------------------


@pytest.mark.parametrize("nine", ["943476591", "401023457", "123456781", "600000000"])
def test_nhs_valid_check_digits(nine: str) -> None:
    check = nhs_check_digit(nine)
    if check is None:
        pytest.skip("no valid check digit exists for this prefix")
    number = nine + str(check)
    assert found(f"NHS {spaced(number)}.") == [("nhs_number", spaced(number))]
    for wrong in set("0123456789") - {str(check)}:
        assert found(f"NHS {spaced(nine + wrong)}.") == []


def test_documented_test_number_is_valid() -> None:
    assert nhs_check_digit("943476591") == 9


def test_prefix_without_a_valid_check_digit_is_never_an_nhs_number() -> None:
    # 10 as the computed check digit means no NHS number starts with these nine digits.
    nine = next(
        f"{n:09d}" for n in range(400_000_000, 400_001_000) if nhs_check_digit(f"{n:09d}") is None
    )
    for last in "0123456789":
        assert found(f"NHS {spaced(nine + last)}.") == []


@pytest.mark.parametrize(
    "prefix", ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ", "DA", "FA", "IA", "QA", "UA", "VA"]
)
def test_ni_excluded_prefixes(prefix: str) -> None:
    assert found(f"NI {prefix}123456A.") == []


@pytest.mark.parametrize("second", list("DFIOQUV"))
def test_ni_excluded_second_letters(second: str) -> None:
    assert found(f"NI A{second}123456A.") == []


def test_ni_suffix_outside_a_to_d_is_not_part_of_it() -> None:
    assert found("NI AB123456E.") == []


# --- overlaps ------------------------------------------------------------------------


def test_nhs_number_beats_phone() -> None:
    number = with_check_digit(PHONE_SHAPED_NINE)
    assert found(f"Call {number}.") == [("nhs_number", number)]


def test_email_swallows_the_name_inside_it() -> None:
    assert found("Email Jack.Smith@example.com now.") == [("email", "Jack.Smith@example.com")]


def test_date_beats_name_for_month_names() -> None:
    assert found("May said she left on 12 May 2009.") == [
        ("name", "May"),
        ("date", "12 May 2009"),
    ]


def test_address_beats_name_and_sensitive_term_inside_it() -> None:
    text = "She lived at 14 Jack Lane near Cranbrook Road."
    assert found(text, sensitive_terms=["Cranbrook"]) == [
        ("address", "14 Jack Lane"),
        ("address", "Cranbrook Road"),
    ]


def test_sensitive_term_beats_name_inside_it() -> None:
    assert found(
        "She went to Jessica Hartley House.", sensitive_terms=["Jessica Hartley House"]
    ) == [("sensitive_term", "Jessica Hartley House")]


def test_date_of_birth_replaces_date_not_added_to_it() -> None:
    assert found("DOB 12 March 2009, seen 13 March 2009.") == [
        ("date_of_birth", "12 March 2009"),
        ("date", "13 March 2009"),
    ]


def test_address_and_postcode_are_separate() -> None:
    assert found("Address: 14 Eastfield Road, Leeds LS1 4AB.") == [
        ("address", "14 Eastfield Road"),
        ("postcode", "LS1 4AB"),
    ]


# --- names: spreading, sentence starts, institutions ---------------------------------


def test_a_confirmed_word_name_is_flagged_everywhere() -> None:
    text = "Grace is 14. Grace's school called. Then Grace went home."
    assert found(text) == [("name", "Grace")] * 3


def test_a_surname_from_a_title_is_flagged_later_but_not_at_a_sentence_start() -> None:
    text = "Mr Young came. Later, Young said no. Young people were there. I saw Young there."
    assert found(text) == [("name", "Mr Young"), ("name", "Young"), ("name", "Young")]
    findings = find_identifying_details(text)
    assert [f.start for f in findings] == [0, text.index("Young said"), text.index("Young there")]


def test_months_and_seasons_do_not_spread() -> None:
    assert found("May said yes. In May 2020 she left.") == [("name", "May")]


def test_names_separated_by_and() -> None:
    assert found("Jack and Will went to the park.") == [("name", "Jack"), ("name", "Will")]


def test_titles_need_a_real_word_after_them() -> None:
    assert found("Mr S and Mr Mr met Dr The.") == []


def test_given_name_before_a_surname_street_word_is_a_name() -> None:
    assert found("Jack Hill said no.") == [("name", "Jack Hill")]


# --- sensitive terms -----------------------------------------------------------------


def test_sensitive_terms_are_whole_words_and_case_insensitive() -> None:
    text = "She went to Oakfield, then OAKFIELD again, but not Oakfields or Oakfielder."
    assert found(text, sensitive_terms=["oakfield"]) == [
        ("sensitive_term", "Oakfield"),
        ("sensitive_term", "OAKFIELD"),
    ]


def test_sensitive_terms_with_punctuation_and_blank_terms() -> None:
    text = "She went to St Mary's (the Catholic one)."
    assert found(text, sensitive_terms=["", "   ", "St Mary's"]) == [
        ("sensitive_term", "St Mary's")
    ]


def test_longest_sensitive_term_wins() -> None:
    text = "She went to St Mary's School."
    assert found(text, sensitive_terms=["St Mary's", "St Mary's School"]) == [
        ("sensitive_term", "St Mary's School")
    ]


def test_sensitive_terms_accept_any_iterable() -> None:
    terms = (t for t in ["Meadowbank"])
    assert found("The Meadowbank flats.", sensitive_terms=terms) == [
        ("sensitive_term", "Meadowbank")
    ]


# --- the Finding API -----------------------------------------------------------------


def test_finding_fields_and_hashability() -> None:
    (finding,) = find_identifying_details("Call 07700 900123.")
    assert finding == Finding(
        kind="phone",
        start=5,
        end=17,
        text="07700 900123",
        explanation="Looks like a phone number; remove it.",
    )
    assert {finding, finding} == {finding}
    with pytest.raises(FrozenInstanceError):
        finding.kind = "email"  # type: ignore[misc]


def test_finding_key_survives_edits_elsewhere() -> None:
    before = find_identifying_details("Seen by Mrs Okafor.")[0]
    after = find_identifying_details("Seen twice last term by Mrs\n Okafor.")[0]
    assert before.start != after.start
    assert finding_key(before) == finding_key(after) == ("name", "Mrs Okafor")
    assert before.key == finding_key(before)


def test_kinds_and_explanations() -> None:
    assert set(KINDS) == {
        "email",
        "nhs_number",
        "ni_number",
        "postcode",
        "date_of_birth",
        "date",
        "phone",
        "address",
        "sensitive_term",
        "name",
    }
    assert set(EXPLANATIONS) == set(KINDS)
    assert all(len(e) < 120 and e.endswith(".") for e in EXPLANATIONS.values())


def test_empty_text() -> None:
    assert find_identifying_details("") == []


# --- a whole invented case study -----------------------------------------------------

CLEAN_STORY = """\
Background

J is 14 and lives with her mum and two younger siblings in a market town in the North \
East. She first became known to Children's Social Care when she was 9, after her primary \
school raised concerns about her attendance. Mum has claimed Universal Credit since the \
summer of 2019 and sees her work coach at Job Centre Plus every fortnight.

In Year 9, J's attendance fell to 60%. The school referred the family to Early Help in \
the autumn term, and a Team Around the Family meeting was held in March 2021. The plan was \
rated Amber. CAMHS assessed J at 15 and offered six sessions; the waiting list at the time \
was eleven months. Will she keep going? Nobody could say.

What happened next

In spring 2022, J and an older friend, K, were arrested and J was referred to the Youth \
Offending Service. Her YOS worker, Mr S, said she "just needed someone to listen". The \
Police and the MASH shared information, and her GP referred her to the NHS eating disorder \
service after a visit to A&E in May.

Mum told the DWP about a change in her circumstances, and Troubled Families funding paid \
for a key worker for 12 weeks. By Key Stage 4, J.S. (as she now signs her work) was back \
at school four days a week, and at 16 she started a college course.

What we learned

Services worked with J in parallel rather than together. Hope came from small things: a \
lift to an appointment, a text the night before. Summer holidays were the hardest time.
"""

PLANTED_STORY = """\
Background

Jessica Hartley (date of birth 12/03/2008) lives with her mum at 14 Eastfield Road, LS99 \
9ZZ, in a market town in the North East. She first became known to Children's Social Care \
when she was 9, after Oakfield Primary raised concerns about her attendance. Mum has \
claimed Universal Credit since 3 June 2019 (NI number JW 12 34 56 C) and sees her work \
coach at Job Centre Plus every fortnight.

In Year 9, J's attendance fell to 60%. The school referred the family to Early Help in \
the autumn term, and a Team Around the Family meeting was held in March 2021. The plan was \
rated Amber. CAMHS assessed J at 15 and offered six sessions; her NHS number is \
943 476 5919. Will she keep going? Nobody could say.

What happened next

In spring 2022, J and an older friend, K, were arrested and J was referred to the Youth \
Offending Service. Her YOS worker, Mrs Okafor, said she "just needed someone to listen" \
and gave her number, 07700 900123, and email, yos.worker@example.org. Jessica's GP \
referred her to the NHS eating disorder service after a visit to A&E in May.

What we learned

Services worked with J in parallel rather than together. Summer holidays on the \
Meadowbank estate were the hardest time.
"""

PLANTED = [
    ("name", "Jessica Hartley"),
    ("date_of_birth", "12/03/2008"),
    ("address", "14 Eastfield Road"),
    ("postcode", "LS99 9ZZ"),
    ("sensitive_term", "Oakfield Primary"),
    ("date", "3 June 2019"),
    ("ni_number", "JW 12 34 56 C"),
    ("nhs_number", "943 476 5919"),
    ("name", "Mrs Okafor"),
    ("phone", "07700 900123"),
    ("email", "yos.worker@example.org"),
    ("name", "Jessica"),
    ("sensitive_term", "Meadowbank estate"),
]
STORY_TERMS = ["Oakfield Primary", "Meadowbank Estate"]


def test_clean_case_study_has_no_findings() -> None:
    assert find_identifying_details(CLEAN_STORY, sensitive_terms=STORY_TERMS) == []


def test_planted_case_study_finds_exactly_the_planted_details() -> None:
    findings = find_identifying_details(PLANTED_STORY, sensitive_terms=STORY_TERMS)
    assert [(f.kind, " ".join(f.text.split())) for f in findings] == [
        (kind, " ".join(span.split())) for kind, span in PLANTED
    ]
    for f in findings:
        assert PLANTED_STORY[f.start : f.end] == f.text
    starts = [f.start for f in findings]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


def test_long_text_is_fast() -> None:
    text = ((CLEAN_STORY + PLANTED_STORY) * 20)[:20_000]
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        find_identifying_details(text, sensitive_terms=STORY_TERMS)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.05
