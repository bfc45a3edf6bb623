"""The words the demo model reads and writes: entities, numbers, gists, reports.

Pure functions of text: no randomness, no I/O, no clock. `DemoModel` (`_demo.py`)
reads a conversation with them; `_demo_schema.py` builds JSON values on top.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, cast

from ..._wire.base import JsonObject

__all__ = [
    "NAME_RE",
    "STOPWORDS",
    "Entity",
    "Research",
    "bullets",
    "compact",
    "count_asked",
    "entities_in",
    "gist",
    "keywords",
    "number_near",
    "numbers_in",
    "research_report",
    "stem",
    "title_of",
    "user_facts",
    "wordset",
    "words_of",
]


def wordset(words: str) -> frozenset[str]:
    """The whitespace-separated words of `words`, as a set."""
    return frozenset(words.split())


STOPWORDS = wordset(
    """a an the and or but if then so of in on at to for from with by about into over
    under as is are was were be been being do does did done have has had i i'm i've me my
    mine you your yours we our us it its it's this that these those there here what
    what's whats which who whom whose when where why how can could would should will
    shall may might must please tell give show find get check look compare list make let
    let's also just now yes no ok okay hi hello hey thanks thank set plan book send use
    create write explain describe summarize summarise research search investigate study
    add put take see say said ask asked some any all each every more most very much many
    not don't does doesn't is isn't are aren't weather today tomorrow dear good great
    schedule remind arrange organize organise order buy call email draft translate convert
    calculate compute read open start stop run play cancel update delete remove move
    first second third last next"""
)
"""Words that are never entities, even capitalised at a sentence start."""

_PLACE_LEADS = wordset("in at to from near visit visiting around across between into")
_PERSON_LEADS = wordset("with by named called meet meeting invite ask")
_CONNECTORS = wordset("de da del di von van of la le du")
_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f][\w'\u2019\-]*|\d+(?:\.\d+)?|[.!?;:,]")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]\d)")
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    )
}
_WORD = re.compile(r"[a-z0-9]+")
NAME_RE = re.compile(
    r"(?i:\bmy name is|\bmy name's|\bi am|\bi'm|\bcall me|\bthis is)\s+"
    r"([A-Z][\w\-]+(?: [A-Z][\w\-]+)?)"
)
"""Where a user introduces themselves: the name is the capitalised word(s) after it."""


@dataclass(frozen=True, slots=True)
class Entity:
    """A proper noun of the conversation (`kind`: "place", "person" or "thing")."""

    text: str
    kind: str


def stem(word: str) -> str:
    """A crude singular lowercase form, enough to match "cities" with "city"."""
    word = word.lower().removesuffix("'s")
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def words_of(text: str) -> list[str]:
    """The stemmed lowercase words of `text`, with identifiers split at `_`."""
    return [stem(w) for w in _WORD.findall(re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower())]


def keywords(text: str, limit: int = 8) -> list[str]:
    """The first distinct content words of `text` (no stopwords, at least 4 letters)."""
    found: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z\-]+", text):
        lowered = word.lower()
        if len(lowered) >= 4 and lowered not in STOPWORDS and lowered not in found:
            found.append(lowered)
    return found[:limit]


def entities_in(text: str) -> list[Entity]:
    """Proper nouns in order: runs of capitalised words ("New York", "San Francisco").

    A run after "in/at/to/from" is a place, after "with/by/named" (or introduced as
    "my name is ...") a person; "A and B" / "A, B" lists keep the first one's kind.
    Names the user gives as their own are people, never places.
    """
    own_names = set(NAME_RE.findall(text))
    tokens = _TOKEN.findall(text)
    found: list[Entity] = []
    previous_kind, previous_end = "thing", -2
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not _is_proper(token):
            i += 1
            continue
        start, run = i, [token]
        i += 1
        while i < len(tokens):
            if _is_proper(tokens[i]):
                run.append(tokens[i])
            elif (
                tokens[i].lower() in _CONNECTORS
                and i + 1 < len(tokens)
                and _is_proper(tokens[i + 1])
            ):
                run.extend(tokens[i : i + 2])
                i += 1
            else:
                break
            i += 1
        lead = tokens[start - 1].lower() if start > 0 else ""
        kind = "thing"
        if lead in _PLACE_LEADS:
            kind = "place"
        elif lead in _PERSON_LEADS:
            kind = "person"
        elif lead in ("and", ",", "or") and previous_end in (start - 2, start - 3):
            kind = previous_kind
        name = " ".join(run)
        if name in own_names:
            kind = "person"
        if all(e.text != name for e in found):
            found.append(Entity(name, kind))
        previous_kind, previous_end = kind, i - 1
    return found


def _is_proper(token: str) -> bool:
    return (
        token[:1].isupper()
        and token.lower().replace("\u2019", "'") not in STOPWORDS
        and stem(token) not in STOPWORDS
    )


def numbers_in(text: str) -> list[float]:
    """The numbers of `text` in order, digits or words ("five")."""
    found: list[tuple[int, float]] = [(m.start(), float(m.group())) for m in _NUMBER.finditer(text)]
    for match in re.finditer(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", text, re.IGNORECASE):
        found.append((match.start(), float(_NUMBER_WORDS[match.group(1).lower()])))
    return [value for _, value in sorted(found)]


def gist(text: str, words: int = 14) -> str:
    """The first sentence of `text`, at most `words` words, without polite lead-ins."""
    sentence = re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0]
    sentence = re.sub(
        r"(?i)^(please\s+|can you\s+|could you\s+|would you\s+|tell me\s+)+", "", sentence
    ).rstrip(".!?")
    parts = sentence.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def title_of(text: str, words: int = 6) -> str:
    """A short title: the gist up to its first preposition, capitalised."""
    parts = gist(text, 30).split()
    while parts and parts[0].lower() in STOPWORDS | {"up", "a", "an", "the"}:
        parts.pop(0)
    for index, word in enumerate(parts):
        if index >= 2 and word.lower() in ("in", "with", "for", "on", "at", "from", "to"):
            parts = parts[:index]
            break
    title = " ".join(parts[:words]).strip(",;:") or gist(text, words) or "Untitled"
    return title[:1].upper() + title[1:]


def compact(value: Any, limit: int = 160) -> str:
    """A short one-line rendering of a tool result."""
    if isinstance(value, dict) and set(cast(JsonObject, value)) == {"result"}:
        value = cast(JsonObject, value)["result"]
    if isinstance(value, list):
        items = cast(list[object], value)
        blocks = [cast(JsonObject, v) for v in items if isinstance(v, dict) and "type" in v]
        if len(blocks) == len(items):
            value = " ".join(str(v.get("text", f"[{v['type']}]")) for v in blocks)
    if isinstance(value, dict):
        fields = cast(JsonObject, value)
        text = ", ".join(f"{k}={compact(v, 40)}" for k, v in fields.items())
    elif isinstance(value, str):
        text = " ".join(value.split())
    else:
        text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number_near(text: str, key: str) -> float | None:
    """A number written next to one of the key's words ("45 minute" for duration_minutes)."""
    wanted = set(words_of(key))
    tokens = re.findall(r"-?\d+(?:\.\d+)?|[A-Za-z]+", text)
    for index, token in enumerate(tokens):
        if token[-1].isdigit():
            around = tokens[max(index - 2, 0) : index] + tokens[index + 1 : index + 3]
            if wanted & {stem(t) for t in around}:
                return float(token)
    return None


# ---- conversation facts, reports and summaries ----------------------------------------------

_COUNT = re.compile(
    r"(?i)\b(\d+|" + "|".join(_NUMBER_WORDS) + r")\s+(?:\w+\s+)?"
    r"(?:bullet|point|item|line|takeaway|finding|sentence)"
)
_LEAD = (
    r"(?i)^(research|investigate|study|look into|find out about|tell me about|analy[sz]e|"
    r"(write|give me|prepare) (me )?(a|an) (short |brief )?(report|overview) (on|about|of))\s+"
)


_MY_FACT = re.compile(
    r"(?i)\bmy ([a-z][a-z ]{0,24}?) is ([^.,!?;]+?)(?=\s+(?:and|but)\b|[.,!?;]|$)"
)


def user_facts(texts: list[str]) -> dict[str, str]:
    """What the user said about themselves: "my X is Y" as {X: Y}, "I live in Z" as home."""
    facts: dict[str, str] = {}
    for text in texts:
        for key, value in _MY_FACT.findall(text):
            facts[key.lower()] = value.strip()
        lives = r"(?i:\bi live in|\bi'm from|\bi am from)\s+([A-Z][\w\- ]*\w)"
        for value in re.findall(lives, text):
            facts["home"] = re.split(r"\s+(?:and|but)\s+", value)[0]
    return facts


def count_asked(text: str, default: int = 3) -> int:
    """How many bullets (points, items, ...) the text asks for, between 1 and 20."""
    match = _COUNT.search(text)
    if match is None:
        return default
    word = match.group(1).lower()
    return max(1, min(20, int(word) if word.isdigit() else _NUMBER_WORDS[word]))


def bullets(report: str, count: int) -> str:
    """Exactly `count` bullets: the report's list items first, then its sentences."""
    items: list[str] = []
    prose: list[str] = []
    for line in report.splitlines():
        line = line.replace("**", "").strip()
        listed = re.match(r"^(?:\d+[.)]|[-*•])\s+(.*)$", line)
        if listed and "http" not in line:
            items.append(listed.group(1))
        elif line and not line.startswith("#") and not listed:
            prose += [s for s in re.split(r"(?<=[.!?])\s+", line) if s]
    items += prose
    while len(items) < count:
        items.append(f"Point {len(items) + 1}: see the full report for details.")
    return "\n".join(f"- {item}" for item in items[:count])


@dataclass(frozen=True, slots=True)
class Research:
    """A research run's findings, written up."""

    title: str
    """What the report is about, as a title ("The history of the Google TPUs")."""
    subject: str
    """Its shortest name, for search queries ("Google TPUs")."""
    report: str
    """The report, in Markdown, with numbered findings."""
    sources: list[str]


def research_report(text: str) -> Research:
    """The report of a research run on what `text` asks about."""
    topic = re.sub(_LEAD, "", gist(text, 40).rstrip(".")).strip() or "the topic"
    title = re.split(r"(?i)\s+(?:with a focus|focusing|including|and summari[sz]e)\b", topic)[0]
    title = title[:1].upper() + title[1:]
    entities = [e.text for e in entities_in(title)]
    subject = entities[0] if entities else " ".join(keywords(title, 3)) or title
    years = [str(int(n)) for n in numbers_in(topic) if 1900 <= n <= 2100 and n.is_integer()]
    span = f", above all in {' and '.join(years)}" if years else ""
    slug = "-".join(words_of(subject))[:48] or "topic"
    sources = [
        f"https://example.com/{slug}/{page}" for page in ("overview", "timeline", "analysis")
    ]
    findings = [
        f"**Origins**: {subject} began as an answer to a practical need; early work set "
        "the direction later efforts followed.",
        f"**Milestones**: the sources agree on a handful of turning points{span}.",
        f"**Key players**: a small number of teams drive most of the work on {subject}.",
        "**Current state**: the emphasis today is on scale, cost and reliability.",
        f"**Outlook**: expect the next milestones for {subject} to follow the same pattern.",
    ]
    lines = [
        f"# {title}: research report",
        "",
        f"Scope: {topic}. Based on 2 searches and {len(sources)} sources (agentloop demo data).",
        "",
        "## Findings",
        *(f"{number}. {finding}" for number, finding in enumerate(findings, start=1)),
        "",
        "## Sources",
        *(f"- {url}" for url in sources),
    ]
    return Research(title, subject, "\n".join(lines), sources)
