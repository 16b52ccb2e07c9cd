"""How the phrasing table writes things: verb forms, mentions of officials, date expressions,
datelines and tidy sentences. Pure functions of their arguments (and of a seeded ``random.Random``
where a choice is made), used by ``phrasing_gen``.
"""
from __future__ import annotations

import calendar
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from phrasing_slots import HOST_SUFFIX, Country, Organisation, Person, Predicate, Slots, Subnational

# --- slot values that decide how a thing is written ------------------------------------

#: How a state official is named (the brief's subject shapes).
STATE_SHAPES = ("name", "post_name", "demonym_post_name", "post_name_of", "possessive", "name_post_of",
                "the_post_of_name", "mr_name", "delegation_led_by")
SUBNATIONAL_SHAPES = ("place_post_name", "post_of_place_name")
ORG_SHAPES = ("org_prefix", "org_name_post_of", "org_the_post")
#: Shapes only an object takes: they lean on the subject or on the visit.
COUNTERPART_SHAPES = ("counterpart", "colleague")
OBJECT_ONLY_SHAPES = COUNTERPART_SHAPES + ("visiting", "unnamed")
SUBJECT_SHAPES = STATE_SHAPES + SUBNATIONAL_SHAPES + ORG_SHAPES
OBJECT_SHAPES = SUBJECT_SHAPES + OBJECT_ONLY_SHAPES
#: Shapes that show the official's post (a counterpart takes that post).
SHOWS_POST = ("post_name", "demonym_post_name", "post_name_of", "possessive", "name_post_of", "the_post_of_name",
              "delegation_led_by")
DATE_KINDS = ("none", "weekday", "afternoon_of", "today", "yesterday", "paren", "dmy", "mdy", "md")
#: Date kinds that need the dateline to be resolved (no dateline: the date is unknown).
RELATIVE_KINDS = ("weekday", "afternoon_of", "today", "yesterday", "paren", "md")
TODAY_WORDS = ("today", "earlier today", "this morning")
HEADLINE_SMALL = frozenset({"with", "by", "to", "for", "on", "a", "an", "and", "of", "the", "via", "from", "in"})
AP_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")


# --- words ----------------------------------------------------------------------------


def verb_forms(pred: Predicate, slots: Slots) -> dict[str, str]:
    """base, s3, past and pp of the predicate's verb (irregular ones from the slots file)."""
    if pred.forms:
        return dict(pred.forms)
    lemma = pred.verb
    if lemma in slots.verbs:
        past, pp = slots.verbs[lemma]
    else:
        past = lemma + "d" if lemma.endswith("e") else lemma + "ed"
        pp = past
    if lemma == "have":
        s3 = "has"
    elif lemma.endswith(("s", "sh", "ch", "x", "o")):
        s3 = lemma + "es"
    else:
        s3 = lemma + "s"
    return {"base": lemma, "s3": s3, "past": past, "pp": pp}


def voices_of(pred: Predicate) -> list[str]:
    """active, and passive / together / nominal where the predicate has them."""
    return (["active"] + ["passive"] * (pred.passive is not None) + ["together"] * (pred.together is not None)
            + ["nominal"] * (pred.nominal is not None))


def inflect(template: str, forms: dict[str, str]) -> str:
    return template.format(**forms)


def name_shape(name: str) -> str:
    """A coarse class of how a name is written (for the failure breakdown)."""
    if re.search(r"\b[A-Z]\.", name):
        return "initial"
    if any(t[0].islower() for t in name.split()):
        return "particle"
    if "'" in name:
        return "apostrophe"
    if "-" in name:
        return "hyphen"
    if not name.isascii():
        return "accented"
    return f"{min(len(name.split()), 3)}-word"


def headline_case(text: str) -> str:
    return " ".join(w if w in HEADLINE_SMALL or not w else w[0].upper() + w[1:] for w in text.split(" "))


def sides(parties: int) -> str:
    return "two" if parties == 2 else "three"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def tidy(sentence: str) -> str:
    """One space between words, no comma before a comma or the full stop."""
    sentence = re.sub(r"\s+", " ", sentence).strip()
    sentence = re.sub(r",\s*([,.])", r"\1", sentence)
    sentence = re.sub(r"\s+([,.])", r"\1", sentence)
    return capitalise(sentence)


def month_day(d: date) -> str:
    return f"{calendar.month_name[d.month]} {d.day}"


# --- mentions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Official:
    """A person in a role: who they are, the post and whom they represent."""

    person: Person
    post: str
    represents: str  # ISO3 or organisation code
    country: Country  # the person's state (a sub-national official's, an organisation official's own)
    subnational: Subnational | None = None
    organisation: Organisation | None = None
    host: str | None = None  # the other side's state, for a post "Ambassador to {host}"

    @property
    def side(self) -> str:
        """Whom the official speaks for, as running text names it ("Sweden", "the United Nations")."""
        return self.organisation.name if self.organisation else self.country.name

    @property
    def title(self) -> str:
        """The post as the record gives it ("Ambassador" for "Ambassador to China")."""
        return self.post.replace(HOST_SUFFIX, "")

    @property
    def shown_post(self) -> str:
        """The post as a short mention writes it ("Ambassador to China")."""
        return self.post.replace(HOST_SUFFIX, f" to {self.host}") if self.host else self.title


def mention(shape: str, off: Official, counterpart_of: Official | None = None) -> tuple[str, dict[str, Any]]:
    """The text naming an official in this shape, and the participant the text states.

    Country and title are None where the text does not say them (they are then not checked).
    """
    p, c, post, shown = off.person, off.country, off.title, off.shown_post
    name = p.name
    if shape == "name":
        return name, {"name": name, "country": None, "title": None}
    if shape == "mr_name":
        return f"{p.honorific} {name}", {"name": name, "country": None, "title": None}
    if shape == "post_name":
        return f"{shown} {name}", {"name": name, "country": None, "title": post}
    said = {"name": name, "country": off.represents, "title": post}
    if shape == "demonym_post_name":
        return f"{c.demonym} {shown} {name}", said
    if shape == "post_name_of":
        return f"{post} {name} of {c.name}", said
    if shape == "possessive":
        return f"{c.possessive} {shown}, {name},", said
    if shape == "name_post_of":
        return f"{name}, {post} of {c.name},", said
    if shape == "the_post_of_name":
        return f"the {post} of {c.name}, {name},", said
    if shape == "delegation_led_by":
        article = "an" if c.demonym[0] in "AEIOU" and not c.demonym.isupper() else "a"  # "a US delegation"
        return f"{article} {c.demonym} delegation led by {shown} {name}", said
    if shape == "visiting":
        return f"visiting {c.demonym} {shown} {name}", said
    if shape == "unnamed":
        return f"the {post} of {c.name}", {"name": None, "country": off.represents, "title": post}
    if shape in COUNTERPART_SHAPES:  # "his Polish counterpart X": the post is the subject's
        assert counterpart_of is not None
        pronoun = counterpart_of.person.possessive_pronoun
        return f"{pronoun} {c.demonym} {shape} {name}", {"name": name, "country": off.represents,
                                                          "title": counterpart_of.title}
    if shape in SUBNATIONAL_SHAPES:
        sub = off.subnational
        assert sub is not None
        if shape == "place_post_name":
            return f"{sub.place} {sub.post} {name}", said
        return f"{sub.post} of {sub.place} {name}", said
    if shape in ORG_SHAPES:
        org = off.organisation
        assert org is not None
        if shape == "org_prefix":
            return f"{org.prefix} {org.title} {name}", said
        if shape == "org_name_post_of":
            return f"{name}, {org.title} of {org.name},", said
        return f"the {org.title} of {org.name}, {name},", said
    raise ValueError(f"unknown mention shape {shape!r}")


# --- dates ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateSlot:
    kind: str
    text: str  # as it reads after a preposition-less slot: "on Monday", "earlier today"
    value: date | None  # the day it names
    relative: bool  # needs the dateline

    def expected(self, dateline: date | None) -> str | None:
        if self.value is None or (self.relative and dateline is None):
            return None
        return self.value.isoformat()


def date_slot(kind: str, reference: date, rng: random.Random) -> DateSlot:
    """A date expression of this kind for a day at or shortly before the reference day."""
    if kind == "none":
        return DateSlot(kind, "", None, False)
    if kind == "weekday":
        day = reference - timedelta(days=rng.randrange(7))
        return DateSlot(kind, f"on {calendar.day_name[day.weekday()]}", day, True)
    if kind == "afternoon_of":
        day = reference - timedelta(days=rng.randrange(11))
        part = rng.choice(("afternoon", "morning", "evening"))
        return DateSlot(kind, f"on the {part} of {month_day(day)}", day, True)
    if kind == "today":
        return DateSlot(kind, rng.choice(TODAY_WORDS), reference, True)
    if kind == "yesterday":
        return DateSlot(kind, "yesterday", reference - timedelta(days=1), True)
    if kind == "paren":
        day = reference - timedelta(days=rng.randrange(7))
        lead = rng.choice(("this", "on"))
        return DateSlot(kind, f"{lead} {calendar.day_name[day.weekday()]} ({month_day(day)})", day, True)
    day = reference - timedelta(days=rng.randrange(21))
    if kind == "dmy":
        return DateSlot(kind, f"on {day.day} {calendar.month_name[day.month]} {day.year}", day, False)
    if kind == "mdy":
        return DateSlot(kind, f"on {month_day(day)}, {day.year},", day, False)
    if kind == "md":
        return DateSlot(kind, f"on {month_day(day)}", day, True)
    raise ValueError(f"unknown date kind {kind!r}")


def fronted(slot: DateSlot) -> str:
    """The date expression opening the sentence ("On Monday," / "Earlier today,")."""
    text = slot.text.rstrip(",")
    return capitalise(text) + ","


def reference_day(rng: random.Random) -> date:
    """A dateline day far enough into its year that the dates before it stay in that year."""
    return date(rng.randrange(2012, 2026), 1, 1) + timedelta(days=rng.randrange(30, 360))


def dateline_text(style: str, day: date, city: str) -> tuple[str, str]:
    """(text before the headline, text opening the body) for a dateline style."""
    if style == "capture":
        return f"date {day.isoformat()}\n", ""
    if style == "xinhua":
        return f"date {day.isoformat()}\n", f"{city.upper()}, {AP_MONTHS[day.month - 1]} {day.day} (Xinhua) -- "
    if style == "dateline_year":
        return "", f"{city.upper()}, {month_day(day)}, {day.year} -- "
    if style == "published":
        return "", ""  # the date line goes under the headline (see Generator.document)
    return "", ""
