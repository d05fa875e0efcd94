"""A story's text: its fields, the identifying-details check over them, its canonical rendering
and the difference between two versions. Plain functions over the models; nothing is written."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from cafe.casestudies.identifiers import Finding, find_identifying_details, finding_key
from cafe.casestudies.models import CaseStudy, IdentifierDecision

CONTEXT_CHARS = 50  # shown either side of a highlighted detail


@dataclass(frozen=True)
class StoryField:
    """One piece of text the author wrote, with a label and an anchor on the writing page."""

    key: str  # the input's id on the writing page
    label: str
    text: str

    @property
    def phrase(self) -> str:
        """The field as part of a sentence: 'the title', 'life event 2: what happened'."""
        if self.key.startswith("entries-"):
            return self.label[0].lower() + self.label[1:]
        return f"the {self.label[0].lower()}{self.label[1:]}"


def story_fields(case_study: CaseStudy) -> list[StoryField]:
    """Every text field of the story, in page order."""
    fields = [
        StoryField("title", "Title", case_study.title),
        StoryField("summary", "One-line summary", case_study.summary),
    ]
    for number, entry in enumerate(case_study.entries, start=1):
        index = number - 1
        fields += [
            StoryField(f"entries-{index}-stage", f"Life event {number}: age or stage",
                       entry.stage),
            StoryField(f"entries-{index}-what_happened", f"Life event {number}: what happened",
                       entry.what_happened),
            StoryField(f"entries-{index}-services", f"Life event {number}: services involved",
                       entry.services),
        ]
    fields += [
        StoryField("themes", "Themes", case_study.themes),
        StoryField("content_warnings", "Content warnings", case_study.content_warnings),
    ]
    return [f for f in fields if f.text]


@dataclass(frozen=True)
class Flag:
    """A finding in one field, with the text around it and the author's decision, if any."""

    finding: Finding
    before: str
    after: str
    decision: IdentifierDecision | None

    @property
    def is_open(self) -> bool:
        return self.decision is None

    @property
    def key(self) -> tuple[str, str]:
        return finding_key(self.finding)


@dataclass
class FieldFlags:
    """The findings in one field."""

    field: StoryField
    flags: list[Flag] = field(default_factory=list)


@dataclass
class CheckResult:
    """The identifying-details check of a whole story."""

    fields: list[FieldFlags]

    @property
    def open_flags(self) -> list[Flag]:
        return [flag for f in self.fields for flag in f.flags if flag.is_open]

    @property
    def decided_flags(self) -> list[Flag]:
        return [flag for f in self.fields for flag in f.flags if not flag.is_open]

    @property
    def open_count(self) -> int:
        return len(self.open_flags)


def _context(text: str, finding: Finding) -> tuple[str, str]:
    before = text[max(0, finding.start - CONTEXT_CHARS):finding.start]
    after = text[finding.end:finding.end + CONTEXT_CHARS]
    if finding.start > CONTEXT_CHARS:
        before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
    if finding.end + CONTEXT_CHARS < len(text):
        after = after.rsplit(" ", 1)[0] + "…" if " " in after else after + "…"
    return before, after


def check_story(case_study: CaseStudy) -> CheckResult:
    """Run the identifying-details detector over every field and match the author's decisions."""
    decisions = {(d.kind, d.text): d for d in case_study.decisions}
    terms = case_study.sensitive_term_list
    result = []
    for story_field in story_fields(case_study):
        findings = find_identifying_details(story_field.text, sensitive_terms=terms)
        if not findings:
            continue
        flags = []
        for finding in findings:
            before, after = _context(story_field.text, finding)
            flags.append(Flag(finding, before, after, decisions.get(finding_key(finding))))
        result.append(FieldFlags(story_field, flags))
    return CheckResult(result)


def render_text(case_study: CaseStudy) -> str:
    """The story as plain text, one fact per line: the form versions are kept and compared in."""
    lines = [f"Title: {case_study.title}", f"Summary: {case_study.summary}", "", "Timeline"]
    if not case_study.entries:
        lines.append("(no life events yet)")
    # No numbering: one inserted life event would otherwise change every line after it.
    for entry in case_study.entries:
        lines.append(f"Age or stage: {entry.stage or '(not given)'}")
        lines += [f"   {line}" for line in (entry.what_happened or "").splitlines()]
        if entry.services:
            lines.append(f"   Services: {' '.join(entry.services.split())}")
    lines += ["", "Themes"] + [f"- {t}" for t in case_study.theme_list]
    lines += ["", "Content warnings"] + [f"- {w}" for w in case_study.warning_list]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DiffLine:
    """One line of a difference: 'same', 'added' or 'removed'."""

    op: str
    text: str


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """Line-by-line difference between two renderings, unchanged lines included."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", line) for line in a[i1:i2]]
            continue
        lines += [DiffLine("removed", line) for line in a[i1:i2]]
        lines += [DiffLine("added", line) for line in b[j1:j2]]
    return lines
