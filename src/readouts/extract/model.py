"""Candidate engagements and the keys that tell their participants apart.

A participant is keyed by who it is, so that two sentences naming the same people give the
same key set: a person the annotator resolved (an entity index, ``int``), a name it did not
resolve (``NameKey``), or an unnamed holder of a post of a state (``PostKey``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Union

from readouts import gazetteer
from readouts.annotate import Mention
from readouts.records import Span


class NameKey(NamedTuple):
    """A named participant that is no resolved person: its folded name."""

    name: str


class PostKey(NamedTuple):
    """An unnamed participant ("the Foreign Minister of Peru"): its state and folded post."""

    state: str | None
    post: str


#: a participant: an entity index of the annotation, a name, or a post of a state
Key = Union[int, NameKey, PostKey]


class Naming(NamedTuple):
    """How a candidate names one participant: the mention, and the state it stands for when
    the mention is a plural that names several ("the ministers of A and B")."""

    mention: Mention
    state: str | None


class PerState(NamedTuple):
    """One state's member of a plural mention ("his counterparts from A, B and C")."""

    mention: int
    state: str


_ABBREVIATIONS = {"fm": "foreign minister", "pm": "prime minister", "vp": "vice president", "vice-fm": "vice foreign minister",
                  "eam": "external affairs minister", "dpm": "deputy prime minister", "nsa": "national security advisor"}


def post_text(title: str) -> str:
    """A post folded, abbreviations written out: 'PM' and 'Prime Minister' are one post."""
    return " ".join(_ABBREVIATIONS.get(w, w) for w in gazetteer.fold(title).split())


def key_order(k: Key) -> tuple[int, str]:
    """A stable order of keys of mixed kinds: names, then people."""
    return (0, k.name) if isinstance(k, NameKey) else (1, str(k))


@dataclass
class Candidate:
    """An engagement as one sentence reports it, before merging."""

    people: frozenset[Key]
    named_by: dict[Key, Naming]  # in the order the text names them
    mode: str
    strength: float
    sentence: int
    trigger: Span
    subjects: tuple[Key, ...] = ()
    date: str | None = None
    precision: str | None = None
    date_span: Span | None = None
    own_date: bool = False
    city: str | None = None
    country: str | None = None
    place_span: Span | None = None
    own_place: bool = False
    occasion: str | None = None
    occasion_span: Span | None = None
    continuation: bool = False
    vague: bool = False  # "spoke with": a call unless the text places the two together
    caption: bool = False
    headline: bool = False
    id: int = 0  # its place among the document's candidates (for explanations)
