"""A generated table of readout phrasings with the engagement each one reports.

Every item is built from independent slots (who the subject is and how the text names them,
the predicate with its tense and voice, the date expression and where it sits, the object,
trailing clauses and follow-up sentences, the dateline), and carries the record the text must
give: participants (name; country and title where the text says them), mode and date (resolved
against the dateline the item carries). Negatives (planned engagements, speeches, background
mentions, domestic meetings) must give no engagement.

Generation is seeded and balanced: each slot cycles through its values in a shuffled order,
so every value appears about equally often and in many combinations.

    items = generate()            # the default table: 2,000 positives and 500 negatives
    items[0].text, items[0].expected, items[0].slots
"""
from __future__ import annotations

import calendar
import hashlib
import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Generic, TypeVar

from phrasing_slots import HOST_SUFFIX, Person, Predicate, Slots, Tense, load
from phrasing_text import (
    COUNTERPART_SHAPES,
    DATE_KINDS,
    OBJECT_SHAPES,
    ORG_SHAPES,
    SHOWS_POST,
    STATE_SHAPES,
    SUBJECT_SHAPES,
    SUBNATIONAL_SHAPES,
    DateSlot,
    Official,
    capitalise,
    date_slot,
    dateline_text,
    fronted,
    headline_case,
    inflect,
    mention,
    month_day,
    name_shape,
    reference_day,
    sides,
    tidy,
    verb_forms,
    voices_of,
)

T = TypeVar("T")

SEED = 20261207
N_POSITIVE = 2000
N_NEGATIVE = 500

# --- slot values ----------------------------------------------------------------------

VOICES = ("active", "passive", "together", "nominal")
DATE_POSITIONS = ("front", "preverb", "inner", "post")
DATELINES = ("capture", "xinhua", "dateline_year", "published", "none")
LAYOUTS = ("sentence", "followup", "headline", "also")
TRAILING = ("none", "purpose", "during_which", "who_visiting", "accompanied", "as_part")
#: sentences after the engagement; "meet_again" and "last_met" name engagements that must not be listed
FOLLOWUPS = ("views", "statement", "staff_present", "staff_attended", "agreed", "meet_again", "last_met",
             "spokesperson", "airlines", "programme")
NEGATIVES = ("planned", "planned_headline", "planned_visit", "speech", "reception", "background", "press", "cancelled",
             "domestic")
IN_PERSON = ("meeting", "talks")
#: Tenses that do not take a past date ("has met on 3 May" is not English): only "today" or none.
UNDATED_TENSES = ("present", "perfect")


@dataclass(frozen=True, slots=True)
class Item:
    """One generated text, the record it must give, and the slot values it was made of."""

    id: str
    text: str
    expected: dict[str, Any]  # the record format: {"is_readout", "engagements": [...]}
    slots: dict[str, str] = field(default_factory=dict)
    staff: tuple[str, ...] = ()  # people the text names who are not participants ("accompanied by")

    @property
    def positive(self) -> bool:
        return bool(self.expected["engagements"])

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "expected": self.expected, "slots": self.slots,
                "staff": list(self.staff)}


# --- one readout being written ---------------------------------------------------------


@dataclass(slots=True)
class Draft:
    """The choices for one readout, filled in by the generator step by step."""

    pred: Predicate
    voice: str
    tense: Tense
    subj_shape: str
    obj_shape: str
    subj: Official = None  # type: ignore[assignment]  # set by Generator.officials
    objs: list[Official] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # names already in the text
    countries: set[str] = field(default_factory=set)  # states already in the text
    subj_text: str = ""
    subj_rec: dict[str, Any] = field(default_factory=dict)
    obj_mentions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    dateline: str = "none"
    reference: date = date(2000, 1, 1)
    date: DateSlot = DateSlot("none", "", None, False)
    position: str = "-"
    city: str = ""
    with_place: bool = False
    trailing: str = "none"
    tail: str = ""
    followups: dict[str, str] = field(default_factory=dict)

    @property
    def obj_text(self) -> str:
        return " and ".join(t for t, _ in self.obj_mentions)


def clause(d: Draft, forms: dict[str, str]) -> tuple[str, str]:
    """(what opens the clause, the rest) in the draft's voice and tense."""
    inner = d.date.text if d.position == "inner" else ""
    if d.voice == "active":
        rest = d.pred.object.replace("|", f" {inner} " if inner else " ").format(obj=d.obj_text, city=d.city)
        return d.subj_text, f"{inflect(d.tense.active, forms)} {rest}"
    if d.voice == "passive":
        rest = (d.pred.passive or "").format(obj=d.subj_text)
        return d.obj_text, f"{inflect(d.tense.passive, forms)} {rest}"
    if d.voice == "nominal":  # "During talks with Y on Monday, X said that ..."
        nominal = d.pred.nominal or ""
        lead = (nominal[:1].lower() + nominal[1:]).format(obj=d.obj_text)  # capitalised where it opens the sentence
        return lead, (f", {d.subj_text} said that {d.subj.side} attaches great importance to its relations with "
                      f"{d.objs[0].side}")
    if d.pred.parties == 3:
        lead = f"{d.subj_text}, {d.obj_mentions[0][0]} and {d.obj_mentions[1][0]}"
    else:
        lead = f"{d.subj_text} and {d.obj_text}"
    return lead, f"{inflect(d.tense.plural, forms)} {d.pred.together}"


def assemble(d: Draft, lead: str, predicate: str) -> str:
    """The sentence: date, clause, place, date and trailing clause where the draft puts them."""
    parts = []
    if d.position == "front":
        parts.append(fronted(d.date))
    parts.append(lead)
    if d.position == "preverb":
        parts.append(d.date.text + ("," if d.date.text.endswith(",") else ""))
    if d.voice != "nominal":
        parts.append(predicate)
    if d.with_place:
        parts.append(f"in {d.city}")
    if d.position == "post":
        parts.append(d.date.text)
    if d.voice == "nominal":
        parts.append(predicate)
    return tidy(" ".join(parts) + d.tail + ".")


# --- the generator --------------------------------------------------------------------


class Cycle(Generic[T]):
    """A slot's values in shuffled rounds: balanced, seeded, and able to skip what does not fit."""

    def __init__(self, rng: random.Random, values: Sequence[T]) -> None:
        self.rng = rng
        self.values: list[T] = list(values)
        self.pending: list[T] = []

    def take(self, fits: Callable[[T], bool] = lambda v: True) -> T:
        for _ in range(3):
            for i, value in enumerate(self.pending):
                if fits(value):
                    return self.pending.pop(i)
            more = list(self.values)
            self.rng.shuffle(more)
            self.pending.extend(more)
        raise ValueError(f"no value of {self.values[:5]}... fits")


class Generator:
    def __init__(self, slots: Slots, seed: int) -> None:
        self.s = slots
        self.rng = random.Random(seed)
        r = self.rng
        self.cycles: dict[str, Cycle[Any]] = {
            "subject_shape": Cycle(r, SUBJECT_SHAPES),
            "object_shape": Cycle(r, OBJECT_SHAPES),
            "predicate": Cycle(r, slots.predicates),
            "planned_tense": Cycle(r, [t for t in slots.tenses if t.planned]),
            "date_kind": Cycle(r, DATE_KINDS),
            "date_position": Cycle(r, DATE_POSITIONS),
            "dateline": Cycle(r, DATELINES),
            "layout": Cycle(r, LAYOUTS),
            "trailing": Cycle(r, TRAILING),
            "followup": Cycle(r, FOLLOWUPS),
            "negative": Cycle(r, NEGATIVES),
            "negative_predicate": Cycle(r, [p for p in slots.predicates if p.parties == 2]),
            "country": Cycle(r, slots.countries),
            "post": Cycle(r, slots.posts),
            "subnational": Cycle(r, slots.subnational),
            "organisation": Cycle(r, slots.organisations),
            "place": Cycle(r, (True, False)),
        }
        held = [t for t in slots.tenses if not t.planned]
        #: per predicate, every voice it has in every tense of a held engagement, in rounds
        #: (a held engagement is mostly told in the past: the past tense comes twice in each round)
        held += [t for t in held if t.key == "past"]
        #: (a nominal phrase has no tense of its own: "During talks with Y, X said ..." is told in the past)
        self.forms = {p.key: Cycle(r, [(v, t) for v in voices_of(p) for t in held if v != "nominal" or t.key == "past"])
                      for p in slots.predicates}
        self._staff: list[str] = []  # people of the readout being written who are not participants

    # officials

    def official(self, shape: str, used: set[str], avoid_countries: set[str]) -> Official:
        c = self.cycles
        if shape in SUBNATIONAL_SHAPES:
            sub = c["subnational"].take(lambda s: s.country not in avoid_countries)
            country = self.s.country(sub.country)
            person = self.rng.choice([p for p in country.people if p.name not in used])
            return Official(person, sub.post, country.iso3, country, subnational=sub)
        country = c["country"].take(lambda k: k.iso3 not in avoid_countries)
        person = self.rng.choice([p for p in country.people if p.name not in used])
        if shape in ORG_SHAPES:
            org = c["organisation"].take()
            return Official(person, org.title, org.code, country, organisation=org)
        post = self.rng.choice(country.posts) if country.posts and self.rng.random() < 0.3 else c["post"].take()
        return Official(person, post, country.iso3, country)

    def counterpart(self, of: Official, used: set[str], avoid: set[str]) -> Official:
        country = self.cycles["country"].take(lambda k: k.iso3 not in avoid)
        person = self.rng.choice([p for p in country.people if p.name not in used])
        return Official(person, of.post, country.iso3, country)

    def staff_person(self, of: Official, used: set[str]) -> Person:
        """Someone of the subject's side who is there or speaks, and is not a participant."""
        people = [p for p in of.country.people if p.name not in used]
        if not people:  # a small state's pool is used up: any other invented official
            people = [p for c in self.s.countries for p in c.people if p.name not in used]
        person = self.rng.choice(people)
        used.add(person.name)
        self._staff.append(person.name)
        return person

    def staff(self, of: Official, used: set[str]) -> str:
        posts = self.s.phrases.org_staff_posts if of.organisation else self.s.phrases.staff_posts
        return f"{self.rng.choice(posts)} {self.staff_person(of, used).name}"

    def positive(self, n: int) -> Item:
        """One readout: the slots are drawn in a fixed order, each from its balanced cycle."""
        self._staff = []
        d = self.draft()
        self.officials(d)
        self.when_and_where(d)
        lead, predicate = clause(d, verb_forms(d.pred, self.s))
        self.trailing(d)
        sentence = assemble(d, lead, predicate)
        engagement: dict[str, Any] = {
            "date": d.date.expected(d.reference if d.dateline != "none" else None),
            "mode": d.pred.mode,
            "participants": [d.subj_rec, *(rec for _, rec in d.obj_mentions)],
        }
        layout, engagements, text = self.document_of(d, sentence, engagement)
        slots = {
            "subject_shape": d.subj_shape, "object_shape": d.obj_shape, "predicate": d.pred.key,
            "mode": d.pred.mode, "tense": d.tense.key, "voice": d.voice, "date_kind": d.date.kind,
            "date_position": d.position, "place": "yes" if d.with_place else "no", "trailing": d.trailing,
            "followup": "+".join(sorted(d.followups)) or "none", "layout": layout, "dateline": d.dateline,
            "subject_name": name_shape(d.subj.person.name),
            "object_name": name_shape(d.objs[0].person.name) if d.obj_shape != "unnamed" else "unnamed",
            "parties": str(d.pred.parties),
        }
        return Item(f"p{n:05d}", text, {"is_readout": True, "engagements": engagements}, slots, tuple(self._staff))

    def draft(self) -> Draft:
        """The predicate, its voice and tense, and the shapes of subject and object."""
        c = self.cycles
        pred: Predicate = c["predicate"].take()
        voice, tense = self.forms[pred.key].take()
        # a delegation neither joins a coordinated subject nor acts in the passive ("was received by a delegation")
        # and only a meeting in person has a delegation
        subj_shape = c["subject_shape"].take(lambda s: s != "delegation_led_by"
                                             or (voice == "active" and pred.mode in IN_PERSON))

        def object_fits(shape: str) -> bool:
            if shape in COUNTERPART_SHAPES:
                return subj_shape in SHOWS_POST and voice != "passive" and pred.parties == 2
            if shape == "delegation_led_by" and (voice == "together" or pred.mode not in IN_PERSON):
                return False
            if shape == "visiting" and pred.mode not in IN_PERSON:
                return False
            if pred.parties == 3:
                return shape in STATE_SHAPES and shape != "delegation_led_by"
            return True

        return Draft(pred, voice, tense, subj_shape, c["object_shape"].take(object_fits))

    def officials(self, d: Draft) -> None:
        """Who meets whom, and how the text names them."""
        d.subj = self.official(d.subj_shape, d.used, set())
        if d.obj_shape in COUNTERPART_SHAPES and HOST_SUFFIX in d.subj.post:
            d.subj = replace(d.subj, post=d.subj.title)  # not "Ambassador to Poland ... his Polish counterpart"
        d.used.add(d.subj.person.name)
        d.countries.add(d.subj.country.iso3)
        for _ in range(d.pred.parties - 1):
            if d.obj_shape in COUNTERPART_SHAPES:
                o = self.counterpart(d.subj, d.used, d.countries)
            else:
                o = self.official(d.obj_shape, d.used, d.countries)
            d.objs.append(o)
            d.used.add(o.person.name)
            d.countries.add(o.country.iso3)
        d.subj = replace(d.subj, host=d.objs[0].side)
        d.objs = [replace(o, host=d.subj.side) for o in d.objs]
        d.subj_text, d.subj_rec = mention(d.subj_shape, d.subj)
        d.obj_mentions = [mention(d.obj_shape, o, d.subj) for o in d.objs]

    def when_and_where(self, d: Draft) -> None:
        """The dateline, the date expression and where it sits, the city and whether the text names it."""
        c, rng = self.cycles, self.rng
        d.dateline = c["dateline"].take()
        d.reference = reference_day(rng)
        kind = c["date_kind"].take(lambda k: d.tense.key not in UNDATED_TENSES or k in ("none", "today"))
        d.date = date_slot(kind, d.reference, rng)
        if kind != "none":
            d.position = c["date_position"].take(
                lambda p: (p != "inner" or (d.pred.has_inner_slot and d.voice == "active"))
                and (d.voice != "nominal" or p in ("front", "post")))
        host = d.objs[0] if d.pred.host == "object" else d.subj
        d.city = rng.choice(host.country.cities)
        d.with_place = d.pred.mode in IN_PERSON and "{city}" not in d.pred.object and c["place"].take()

    def trailing(self, d: Draft) -> None:
        """A clause after the engagement that adds no participant."""
        rng, pred, voice = self.rng, d.pred, d.voice

        def fits(t: str) -> bool:
            if t == "who_visiting":
                return (voice == "active" and pred.parties == 2 and pred.host != "object" and pred.mode in IN_PERSON
                        and pred.object.rstrip().endswith("{obj}") and d.subj_shape not in ORG_SHAPES
                        and d.position != "post" and not d.with_place
                        and d.obj_shape not in ("unnamed", "delegation_led_by", "visiting"))
            if voice == "nominal":
                return t == "none"
            if t == "as_part":
                return (pred.mode in IN_PERSON and voice == "active" and d.subj_shape not in ORG_SHAPES
                        and pred.host != "subject" and pred.parties == 2
                        and d.obj_shape not in ("visiting", *ORG_SHAPES))
            if t == "during_which":
                return pred.mode != "message"
            if t == "accompanied":
                return pred.mode in IN_PERSON
            return True

        d.trailing = self.cycles["trailing"].take(fits)
        if d.trailing == "purpose":
            d.tail = " " + rng.choice(self.s.phrases.purposes)
        elif d.trailing == "during_which":
            verb = "exchange" if d.tense.key == "present" else "exchanged"
            d.tail = f", during which the {sides(pred.parties)} sides {verb} views on trade and energy cooperation"
        elif d.trailing == "who_visiting":
            d.tail = f", who was on an official visit to {d.subj.country.name}"
        elif d.trailing == "accompanied":
            d.tail = f", accompanied by {self.staff(d.subj, d.used)}"
        elif d.trailing == "as_part":
            d.tail = f" as part of {d.subj.person.possessive_pronoun} official visit to {d.objs[0].country.name}"
            d.city = rng.choice(d.objs[0].country.cities)

    def document_of(self, d: Draft, sentence: str, engagement: dict[str, Any]) -> tuple[str, list[dict], str]:
        """The layout (one sentence, follow-ups, a headline, a second engagement), the engagements, the text."""
        c, rng, pred = self.cycles, self.rng, d.pred
        layout = c["layout"].take(lambda lay: lay != "also" or (pred.parties == 2 and d.tense.key != "present"
                                                                  and d.subj_shape != "delegation_led_by"))
        engagements = [engagement]
        if layout == "also":  # "Berg also met with ...": a second engagement on the same day
            also_text, also_engagement = self.also(d.subj, d.subj_rec, pred.mode, d.used, d.countries,
                                                   engagement["date"])
            sentence = f"{sentence} {also_text}"
            engagements.append(also_engagement)
        if layout in ("followup", "headline"):
            count = 1 if layout == "headline" else rng.choice((1, 2))
            for _ in range(count):
                kind = c["followup"].take(lambda f: f not in d.followups and (
                    f not in ("staff_attended", "staff_present") or pred.mode in IN_PERSON))
                d.followups[kind] = self.followup(kind, d.subj, d.objs, d.used)
        headline = self.headline(d.subj, d.objs, pred, d.voice, d.city, d.obj_shape) if layout == "headline" else None
        body = " ".join([sentence, *d.followups.values()])
        return layout, engagements, self.document(d.dateline, d.reference, d.city, headline, body)

    def also(self, subj: Official, subj_rec: dict[str, Any], mode: str, used: set[str], countries: set[str],
             day: str | None) -> tuple[str, dict[str, Any]]:
        """A sentence reporting a second engagement of the subject, with no date of its own."""
        phrase, also_mode = self.rng.choice(self.s.also[mode])
        shape = self.rng.choice(("demonym_post_name", "post_name_of", "possessive", "name_post_of"))
        other = self.official(shape, used, countries)
        used.add(other.person.name)
        countries.add(other.country.iso3)
        text, rec = mention(shape, other)
        return (tidy(f"{subj.person.surname} also {phrase} {text}."),
                {"date": day, "mode": also_mode, "participants": [subj_rec, rec]})

    def followup(self, kind: str, subj: Official, objs: list[Official], used: set[str]) -> str:
        rng = self.rng
        if kind == "views":
            return (f"The {sides(len(objs) + 1)} sides also compared notes on regional security and other matters "
                    "of mutual interest.")
        if kind == "statement":
            who = rng.choice((subj.person.surname, f"{subj.person.honorific} {subj.person.surname}"))
            side = subj.side
            return (f"{capitalise(who)} said that {side} is ready to deepen cooperation with "
                    f"{objs[0].side} in trade and investment.")
        if kind == "staff_present":
            return f"{capitalise(self.staff(subj, used))} was also present."
        if kind == "staff_attended":
            return f"{capitalise(self.staff(subj, used))} also attended the meeting."
        if kind == "spokesperson":  # a spokesperson quoted is not a participant
            who = "Spokesperson" if subj.organisation else "Foreign Ministry Spokesperson"
            return (f"{who} {self.staff_person(subj, used).name} told reporters that the talks were candid and "
                    "constructive.")
        if kind == "airlines":  # capitalised words that are not people
            return (f"They also discussed direct flights by {subj.country.demonym} Airlines and the Extraordinary "
                    "Session of the Joint Commission on Scientific and Technological Cooperation.")
        if kind == "programme":
            return ("Finally, both sides welcomed progress under the Green Horizon Partnership Programme and the "
                    "Joint Action Plan.")
        lead = "Both sides" if len(objs) == 1 else "The three sides"
        if kind == "meet_again":
            return f"{lead} agreed to meet again in {rng.choice(objs[0].country.cities)} next year."
        if kind == "last_met":
            return f"They last met in {rng.choice(objs[0].country.cities)} in {rng.randrange(2005, 2011)}."
        return f"{lead} agreed to strengthen coordination on regional and international affairs."

    def headline(self, subj: Official, objs: list[Official], pred: Predicate, voice: str, city: str,
                 shape: str) -> str:
        """A title line: the names as written, the verb phrase in headline case ("Karl Berg Meets with ...")."""
        forms = verb_forms(pred, self.s)
        names = [o.person.name if shape != "unnamed" else f"{o.country.demonym} {o.title}" for o in objs]
        if voice == "together":
            people = subj.person.name + (", " if len(names) > 1 else " and ") + " and ".join(names)
            phrase = f"{forms['base']} {pred.together}".strip()
            return f"{people} {headline_case(phrase)}"
        return self.headline_of(subj, names, pred, forms["s3"], city)

    @staticmethod
    def headline_of(subj: Official, names: list[str], pred: Predicate, verb: str, city: str) -> str:
        head, _, tail = pred.object.replace("|", " ").partition("{obj}")
        verb = headline_case(re.sub(r"\s+", " ", f"{verb} {head}").strip())
        rest = headline_case(tail.format(city=city).strip()) if tail.strip() else ""
        return " ".join(x for x in (subj.person.name, verb, " and ".join(names), rest) if x)

    def document(self, style: str, reference: date, city: str, headline: str | None, body: str) -> str:
        before, opening = dateline_text(style, reference, city)
        lines = [before.rstrip("\n")] if before else []
        if headline:
            lines.append(headline)
        if style == "published":
            lines.append(f"Published: {calendar.month_name[reference.month]} {reference.day}, {reference.year}")
        lines.append(opening + body)
        return "\n".join(lines)

    # negatives

    def negative(self, n: int) -> Item:
        c, rng = self.cycles, self.rng
        kind = c["negative"].take()
        subj_shape = c["subject_shape"].take(lambda s: s != "delegation_led_by")
        used: set[str] = set()
        subj = self.official(subj_shape, used, set())
        used.add(subj.person.name)
        subj_text, _ = mention(subj_shape, subj)
        obj_shape = c["object_shape"].take(lambda s: s in STATE_SHAPES or s in ("visiting", "unnamed"))
        if kind == "domestic":
            obj_shape = rng.choice(("demonym_post_name", "post_name_of", "possessive", "name_post_of"))
            subj_shape = rng.choice(("demonym_post_name", "post_name_of", "possessive", "name_post_of"))
            subj = self.official("name", used, set())
            subj_text, _ = mention(subj_shape, subj)
            person = rng.choice([p for p in subj.country.people if p.name != subj.person.name])
            obj = Official(person, c["post"].take(lambda p: p != subj.post), subj.country.iso3, subj.country)
        else:
            obj = self.official(obj_shape, used | {subj.person.name}, {subj.country.iso3})
        obj_text, _ = mention(obj_shape, obj)
        pred: Predicate = c["negative_predicate"].take()
        forms = verb_forms(pred, self.s)
        city = rng.choice(subj.country.cities)
        tense = "-"
        headline = None
        if kind in ("planned", "planned_headline"):
            planned: Tense = c["planned_tense"].take()
            tense = planned.key
            when = rng.choice(self.s.phrases.future)
            rest = pred.object.replace("|", " ").format(obj=obj_text, city=city)
            sentence = f"{subj_text} {inflect(planned.active, forms)} {rest} {when}."
            if kind == "planned_headline":  # "Karl Berg to Hold Talks with Ana Lopes"
                headline = self.headline_of(subj, [obj.person.name], pred, "to " + forms["base"], city)
        elif kind == "reception":
            sentence = (f"{subj_text} attended a reception hosted by {obj_text} to mark the national day of "
                        f"{obj.country.name}.")
        elif kind == "planned_visit":
            start = date(2024, rng.randrange(1, 13), rng.randrange(1, 20))
            sentence = (f"At the invitation of {subj_text}, {obj_text} will pay an official visit to "
                        f"{subj.country.name} from {month_day(start)} to {start.day + 3}.")
        elif kind == "speech":
            forum = rng.choice(self.s.phrases.forums)
            sentence = f"{subj_text} delivered a keynote speech at the opening ceremony of the {forum} in {city}."
        elif kind == "background":
            year = rng.randrange(2010, 2020)
            noun = rng.choice(("talks", "meeting", "phone call"))
            sentence = (f"{subj_text} said that {subj.person.possessive_pronoun} {noun} with {obj_text} in {year} "
                        f"had opened a new chapter in relations between the two countries.")
        elif kind == "press":
            sentence = (f"Foreign Ministry Spokesperson {subj.person.name} told a regular press briefing that "
                        f"{subj.country.name} welcomes the agreement on grain exports.")
        elif kind == "cancelled":
            sentence = (f"{subj_text} postponed {subj.person.possessive_pronoun} planned visit to "
                        f"{obj.country.name}, citing the situation at home.")
        else:  # domestic
            rest = pred.object.replace("|", " ").format(obj=obj_text, city=city)
            sentence = f"{subj_text} {verb_forms(pred, self.s)['past']} {rest}."
        sentence = tidy(sentence)
        style = c["dateline"].take()
        reference = reference_day(rng)
        text = self.document(style, reference, city, headline, sentence)
        slots = {"negative": kind, "subject_shape": "-" if kind == "press" else subj_shape,
                 "object_shape": "-" if kind in ("speech", "press", "cancelled") else obj_shape,
                 "predicate": pred.key if kind in ("planned", "planned_headline", "domestic") else "-",
                 "tense": tense, "dateline": style}
        return Item(f"n{n:05d}", text, {"is_readout": False, "engagements": []}, slots)


def generate(seed: int = SEED, positives: int = N_POSITIVE, negatives: int = N_NEGATIVE,
             slots: Slots | None = None) -> list[Item]:
    """The table: ``positives`` texts reporting one engagement each, then ``negatives``."""
    gen = Generator(slots or load(), seed)
    items = [gen.positive(i) for i in range(positives)]
    items += [gen.negative(i) for i in range(negatives)]
    return items


def table_hash(items: Sequence[Item]) -> str:
    """A fingerprint of a table (texts, expectations, slots): a floor measured on one table holds for it only."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(json.dumps(item.as_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:16]
