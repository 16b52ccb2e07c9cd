"""Typed records passed between the stages of the pipeline.

raw document -> clean document -> readout (engagements, statements, issues, ...).
Every record is a frozen dataclass with ``as_dict`` / ``from_dict`` so it can cross a
process boundary, go into the store and come back unchanged.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, TypeVar

T = TypeVar("T", bound="Record")

MODES = ("meeting", "talks", "phone_call", "video_call", "message")


class Record:
    """Mixin: dict round-trip for frozen dataclasses with nested records."""

    _nested: ClassVar[Mapping[str, type]] = {}
    _nested_lists: ClassVar[Mapping[str, type]] = {}

    def as_dict(self) -> dict[str, Any]:
        """Plain dicts and lists all the way down (faster than ``dataclasses.asdict``)."""
        return {name: _plain(getattr(self, name)) for name in _field_names(type(self))}

    def replace(self: T, **changes: Any) -> T:
        """A copy with these fields changed (``dataclasses.replace``, with the field names cached)."""
        values = {name: getattr(self, name) for name in _field_names(type(self))}
        values.update(changes)
        return type(self)(**values)

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # by the constructor: also right for the compiled (mypyc) classes, whose frozen
        # fields refuse the attribute setting that pickle's default would do
        return type(self), tuple(getattr(self, name) for name in _field_names(type(self)))

    @classmethod
    def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in names:
                continue
            if key in cls._nested and value is not None:
                value = cls._nested[key].from_dict(value)  # type: ignore[attr-defined]
            elif key in cls._nested_lists:
                value = tuple(cls._nested_lists[key].from_dict(v) for v in value or ())  # type: ignore[attr-defined]
            elif isinstance(value, list):
                value = tuple(value)
            kwargs[key] = value
        return cls(**kwargs)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    return names


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return value.as_dict()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def content_hash(text: str) -> str:
    """Stable id of a text: sha256 of its whitespace-normalised form, 16 hex digits."""
    normal = " ".join(text.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class RawDocument(Record):
    """One input document as read: nothing interpreted yet."""

    id: str
    source: str  # where it came from: a path, or path:line for JSONL
    text: str | None = None
    html: str | None = None
    url: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IngestError(Record):
    """An input that could not be turned into a document, with the reason."""

    source: str
    reason: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Span(Record):
    """Provenance of a value: offsets into the clean text and the rule that found it."""

    start: int
    end: int
    text: str
    rule: str


@dataclass(frozen=True, slots=True)
class CleanDocument(Record):
    """Boilerplate removed. ``text`` is the clean text every span points into."""

    id: str
    source: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD, YYYY-MM or YYYY) the text carries
    published_span: Span | None = None
    dateline: str | None = None  # place of the dateline ("BEIJING")
    dateline_date: str | None = None  # date of the dateline, resolved as far as the text allows
    dateline_span: Span | None = None
    removed: tuple[str, ...] = ()  # boilerplate lines that were dropped
    metadata: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    language: str | None = None  # "en", "zh", "ru", ... (readouts.lang.detect); None: not told yet

    _nested: ClassVar[Mapping[str, type]] = {"published_span": Span, "dateline_span": Span}


@dataclass(frozen=True, slots=True)
class Participant(Record):
    name: str | None
    country: str | None  # ISO3 or organisation short name
    title: str | None
    side: str = "object"  # "subject" (who met) or "object" (who was met)
    span: Span | None = None  # the whole mention
    country_rule: str | None = None  # how the country was told

    _nested: ClassVar[Mapping[str, type]] = {"span": Span}

    def as_record(self) -> dict[str, Any]:
        return {"name": self.name, "country": self.country, "title": self.title}


@dataclass(frozen=True, slots=True)
class Location(Record):
    city: str | None = None
    country: str | None = None
    span: Span | None = None

    _nested: ClassVar[Mapping[str, type]] = {"span": Span}


@dataclass(frozen=True, slots=True)
class EventCode(Record):
    plover: str
    plover_mode: str | None
    cameo: str
    goldstein: float


@dataclass(frozen=True, slots=True)
class Engagement(Record):
    date: str | None
    mode: str
    participants: tuple[Participant, ...]
    location: Location = Location()
    occasion: str | None = None
    date_precision: str | None = None  # "day", "month", "year" or None
    visitor: str | None = None  # country (or name) that visited, when the text says so
    host: str | None = None
    trigger: Span | None = None
    date_span: Span | None = None
    occasion_span: Span | None = None
    codes: EventCode | None = None

    _nested: ClassVar[Mapping[str, type]] = {
        "location": Location,
        "trigger": Span,
        "date_span": Span,
        "occasion_span": Span,
        "codes": EventCode,
    }
    _nested_lists: ClassVar[Mapping[str, type]] = {"participants": Participant}

    def as_record(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "mode": self.mode,
            "participants": [p.as_record() for p in self.participants],
            "location": {"city": self.location.city, "country": self.location.country},
            "occasion": self.occasion,
        }


@dataclass(frozen=True, slots=True)
class Statement(Record):
    speaker: str | None  # participant name (or the side, "CHN") that said it
    speaker_country: str | None
    verb: str
    stance: str | None
    issues: tuple[str, ...]
    span: Span

    _nested: ClassVar[Mapping[str, type]] = {"span": Span}


@dataclass(frozen=True, slots=True)
class ThirdParty(Record):
    """A third party named in the text: a person, a state or an organisation."""

    kind: str  # "person", "state", "organisation"
    name: str
    country: str | None = None
    title: str | None = None
    span: Span | None = None

    _nested: ClassVar[Mapping[str, type]] = {"span": Span}


@dataclass(frozen=True, slots=True)
class PlannedEngagement(Record):
    """An engagement announced or agreed, not (yet) held."""

    kind: str  # "visit", "meeting", "talks", "phone_call", ...
    participants: tuple[Participant, ...]
    date: str | None = None
    location: Location = Location()
    span: Span | None = None
    codes: EventCode | None = None

    _nested: ClassVar[Mapping[str, type]] = {"location": Location, "span": Span, "codes": EventCode}
    _nested_lists: ClassVar[Mapping[str, type]] = {"participants": Participant}


@dataclass(frozen=True, slots=True)
class Issue(Record):
    text: str
    span: Span

    _nested: ClassVar[Mapping[str, type]] = {"span": Span}


@dataclass(frozen=True, slots=True)
class Readout(Record):
    """Everything extracted from one document."""

    id: str
    is_readout: bool
    engagements: tuple[Engagement, ...] = ()
    statements: tuple[Statement, ...] = ()
    issues: tuple[Issue, ...] = ()
    mentions: tuple[ThirdParty, ...] = ()  # third parties: people, states and organisations named
    planned: tuple[PlannedEngagement, ...] = ()
    reason: str | None = None  # why it is (not) a readout
    title: str | None = None
    published: str | None = None
    url: str | None = None
    source: str | None = None
    content_hash: str = ""

    _nested_lists: ClassVar[Mapping[str, type]] = {
        "engagements": Engagement,
        "statements": Statement,
        "issues": Issue,
        "mentions": ThirdParty,
        "planned": PlannedEngagement,
    }

    def as_record(self) -> dict[str, Any]:
        """The evaluation record of FORMAT.md plus the richer fields."""
        out = {
            "id": self.id,
            "is_readout": self.is_readout,
            "engagements": [e.as_record() for e in self.engagements],
        }
        full = self.as_dict()
        out["details"] = {k: v for k, v in full.items() if k not in ("id", "is_readout")}
        return out

    def as_json(self) -> str:
        """``as_record`` as one line of JSON (what ``readouts extract`` writes)."""
        return _JSON.encode(self.as_record())


# records are trees of plain values: no cycles to look for
_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False)
