"""Near-duplicates: group republished copies of one readout.

The same readout is republished on many sites: embassy pages, news portals, aggregators
that rewrite it lightly, wrap it in other boilerplate, cut it short or add paragraphs.
Those copies are grouped here. Two *different* readouts of the same meeting (one by each
government, or by two agencies) are not copies: they are linked elsewhere, by matching
their engagements.

How a document joins a group:

1. the clean text is normalised (Unicode NFKD with accents stripped, lower case,
   punctuation dropped, whitespace collapsed, digits kept) and cut into shingles:
   word bigrams over content words (a short stop-word list is left out), the
   representation that separated copies from non-copies best on the development set
   (``bench/dedup_eval.py`` compares it with word 5-grams and character n-grams);
2. a 128-permutation MinHash of the shingle set is looked up in a MinHash LSH index
   (datasketch) tuned for a low Jaccard threshold, which yields candidate copies;
3. each candidate is confirmed on the exact shingle sets: Jaccard at least
   ``threshold``, or containment |A∩B| / min(|A|, |B|) at least ``containment`` (a
   truncated copy, or one with extra paragraphs, has a low Jaccard but a high
   containment). When the smaller set has fewer than ``min_shingles`` shingles, only a
   Jaccard of ``SHORT_JACCARD`` confirms: two short reports of one call by different
   publishers share the names and posts and little else;
4. documents whose extracted engagements differ are never copies, however alike their
   texts: three State Department readouts of the Secretary meeting three ministers on three
   days share most of their template. When the caller gives each document's engagements
   (``readout_signature``), a document joins a group only if it reports an engagement in
   common (``same_engagement``: the same people, compatible mode and stated date) with
   every member that reports one; documents without engagements do not decide;
5. confirmed pairs are merged by union-find.

The canonical member of a group is the best one: the most complete extraction (the
``quality`` the caller gives, see ``readout_signature``: engagements, named participants,
dates, places, statements), the first added among equals. It moves when a better copy
arrives. Without engagements, confirmation is pairwise and the LSH collision relation is
symmetric, so the groups (as sets) do not depend on the order documents are added.
"""
from __future__ import annotations

import hashlib
import pickle
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from datasketch import MinHash, MinHashLSH

from readouts.links import EngagementRef, PartRef, mode_class, names_match, time_span, times_compatible

NUM_PERM = 128
LSH_THRESHOLD = 0.1  # candidate generation below the confirmation threshold: 64 bands of 2 rows
LSH_WEIGHTS = (0.5, 0.5)  # false positive vs false negative weight (datasketch default)
JACCARD = 0.2  # confirmation on exact shingle sets
SHORT_JACCARD = 0.5  # ... when the smaller set has fewer than MIN_SHINGLES shingles (a few names decide)
CONTAINMENT = 0.5
MIN_SHINGLES = 20
STATE_VERSION = 2

# Function words left out of the word shingles: they are what light rewrites change.
STOP_WORDS = frozenset(
    "a an the of and or to in on at for with by from as into about over after before is are was "
    "were be been being that this these those their its his her our your they he she it we you "
    "both two sides side said says also which who whom will would shall has have had do did not "
    "but than then there here such".split()
)

_WORD_RE = re.compile(r"\w+")


def normalise(text: str) -> list[str]:
    """Words of a text: accents stripped, lower case, punctuation gone, digits kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _WORD_RE.findall(plain)


@dataclass(frozen=True, slots=True)
class Shingler:
    """How a text becomes a set of shingles: ``word`` n-grams or ``char`` n-grams."""

    kind: str = "word"
    size: int = 2
    drop_stop_words: bool = True

    def __post_init__(self) -> None:
        if self.kind not in ("word", "char"):
            raise ValueError(f"shingle kind must be 'word' or 'char', not {self.kind!r}")
        if self.size < 1:
            raise ValueError(f"shingle size must be at least 1, not {self.size}")

    def shingles(self, text: str) -> set[str]:
        words = normalise(text)
        if self.kind == "char":
            s = " ".join(words)
            k = self.size
            return {s[i:i + k] for i in range(max(1, len(s) - k + 1))} if s else set()
        if self.drop_stop_words:
            words = [w for w in words if w not in STOP_WORDS]
        k = self.size
        if not words:
            return set()
        return {" ".join(words[i:i + k]) for i in range(max(1, len(words) - k + 1))}


DEFAULT_SHINGLER = Shingler()


def readout_signature(readout: Any) -> tuple[tuple[EngagementRef, ...], tuple[int, ...]]:
    """(engagements to compare, quality) of a ``readouts.records.Readout`` for ``DuplicateIndex.add``.

    The engagements keep their stated dates only (a copy republished later has another
    publication date). Quality orders extractions: engagements naming two or more states,
    named participants, dated engagements, located engagements, statements, issues.
    """
    refs = tuple(
        EngagementRef(f"{readout.id}-{i}", readout.id, e.mode, e.date,
                      tuple(PartRef(p.name, p.country) for p in e.participants), None, e.location.city)
        for i, e in enumerate(readout.engagements) if e.participants
    )
    quality = (
        sum(1 for r in refs if len(r.countries) >= 2),
        sum(1 for e in readout.engagements for p in e.participants if p.name),
        sum(1 for e in readout.engagements if e.date),
        sum(1 for e in readout.engagements if e.location.city or e.location.country),
        len(readout.statements),
        len(readout.issues),
    )
    return refs, quality


def _same_participant(p: PartRef, q: PartRef) -> bool:
    if p.country and q.country and p.country.upper() != q.country.upper():
        return False
    if p.name and q.name:
        return names_match(p, q)
    return bool(p.country and q.country) or not (p.country or q.country)


def same_engagement(x: EngagementRef, y: EngagementRef) -> bool:
    """Whether two extracted engagements can be one (for copies): the same mode class,
    compatible stated dates, and every participant of the shorter list found in the other."""
    if mode_class(x.mode) != mode_class(y.mode):
        return False
    sx, sy = time_span(x.date, None), time_span(y.date, None)
    if sx is not None and sy is not None and not times_compatible(sx, sy):
        return False
    small, big = sorted((x.participants, y.participants), key=len)
    return all(any(_same_participant(p, q) for q in big) for p in small)


def engagements_agree(a: Sequence[EngagementRef], b: Sequence[EngagementRef]) -> bool:
    """False when both documents report engagements and none of them is one engagement."""
    if not a or not b:
        return True
    return any(same_engagement(x, y) for x in a for y in b)


def _hash64(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "little")


class DuplicateIndex:
    """Incremental near-duplicate grouping. Picklable; see ``to_bytes`` / ``from_bytes``."""

    def __init__(
        self,
        threshold: float = JACCARD,
        *,
        containment: float = CONTAINMENT,
        min_shingles: int = MIN_SHINGLES,
        shingler: Shingler = DEFAULT_SHINGLER,
        num_perm: int = NUM_PERM,
        lsh_threshold: float = LSH_THRESHOLD,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold}")
        if not 0.0 < containment <= 1.0:
            raise ValueError(f"containment must be in (0, 1], not {containment}")
        self.threshold = threshold
        self.containment = containment
        self.min_shingles = min_shingles
        self.shingler = shingler
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
        self._sets: dict[str, frozenset[int]] = {}
        self._order: dict[str, int] = {}  # doc id -> position it was added at
        self._parent: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}  # root -> members, in the order added
        self._canon: dict[str, str] = {}  # root -> canonical member
        self._engagements: dict[str, tuple[EngagementRef, ...]] = {}
        self._quality: dict[str, tuple[int, ...]] = {}

    # ---- union-find -------------------------------------------------------------------
    def _find(self, x: str) -> str:
        root = x
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[x] != root:  # path compression
            self._parent[x], x = root, self._parent[x]
        return root

    def _rank(self, doc: str) -> tuple:
        return (self._quality.get(doc, ()), -self._order[doc])

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if len(self._members[ra]) < len(self._members[rb]):
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._members[ra].extend(self._members.pop(rb))
        self._members[ra].sort(key=self._order.__getitem__)
        ca, cb = self._canon[ra], self._canon.pop(rb)
        self._canon[ra] = ca if self._rank(ca) >= self._rank(cb) else cb

    def _agrees_with_group(self, doc: str, other: str) -> bool:
        mine = self._engagements.get(doc, ())
        if not mine:
            return True
        return all(engagements_agree(mine, self._engagements.get(m, ()))
                   for m in self._members[self._find(other)])

    # ---- similarity -------------------------------------------------------------------
    def similar(self, a: frozenset[int], b: frozenset[int]) -> bool:
        """Confirm a candidate pair on the exact shingle sets."""
        if not a or not b:
            return False
        common = len(a & b)
        if common == 0:
            return False
        small = min(len(a), len(b))
        jaccard = common / (len(a) + len(b) - common)
        if small < self.min_shingles:  # two short reports of one call share little else than names
            return jaccard >= max(self.threshold, SHORT_JACCARD)
        return jaccard >= self.threshold or common / small >= self.containment

    def _minhash(self, shingles: set[str]) -> MinHash:
        m = MinHash(num_perm=self.num_perm)
        m.update_batch([s.encode("utf-8") for s in shingles])
        return m

    # ---- API ----------------------------------------------------------------------------
    def add(self, doc_id: str, text: str, *, engagements: Sequence[EngagementRef] = (),
            quality: tuple[int, ...] = ()) -> str | None:
        """Add a document; the canonical id of the group it joined, or None if it joined none.

        ``engagements`` and ``quality`` (``readout_signature``) keep documents that report
        different engagements apart and choose the canonical copy. Adding an id again is a
        no-op (what it was first added with is kept).
        """
        if doc_id in self._order:
            root = self._find(doc_id)
            return self._canon[root] if len(self._members[root]) > 1 else None
        shingles = self.shingler.shingles(text)
        hashed = frozenset(_hash64(s) for s in shingles)
        self._order[doc_id] = len(self._order)
        self._parent[doc_id] = doc_id
        self._members[doc_id] = [doc_id]
        self._canon[doc_id] = doc_id
        self._sets[doc_id] = hashed
        if engagements:
            self._engagements[doc_id] = tuple(engagements)
        if quality:
            self._quality[doc_id] = tuple(quality)
        if not hashed:
            return None
        mh = self._minhash(shingles)
        for other in sorted(self._lsh.query(mh), key=self._order.__getitem__):
            if self._find(other) == self._find(doc_id):
                continue
            if self.similar(hashed, self._sets[other]) and self._agrees_with_group(doc_id, other) \
                    and all(self._agrees_with_group(m, other) for m in self._members[self._find(doc_id)]
                            if m != doc_id):
                self._union(doc_id, other)
        self._lsh.insert(doc_id, mh)
        root = self._find(doc_id)
        return self._canon[root] if len(self._members[root]) > 1 else None

    def canonical(self, doc_id: str) -> str:
        """The canonical id of a document's group (itself when it has no copies)."""
        if doc_id not in self._parent:
            raise KeyError(f"unknown document id {doc_id!r}")
        return self._canon[self._find(doc_id)]

    def members(self, doc_id: str) -> list[str]:
        """Every document of ``doc_id``'s group (itself included), in the order added."""
        if doc_id not in self._parent:
            raise KeyError(f"unknown document id {doc_id!r}")
        return list(self._members[self._find(doc_id)])

    def groups(self, *, singletons: bool = False) -> list[list[str]]:
        """Groups of copies: canonical first, the rest by id; groups in the order their first
        member was added.

        Documents without copies are left out unless ``singletons`` is true.
        """
        out = []
        for root, docs in self._members.items():
            if len(docs) < 2 and not singletons:
                continue
            canon = self._canon[root]
            out.append([canon] + sorted(d for d in docs if d != canon))
        out.sort(key=lambda g: min(self._order[d] for d in g))
        return out

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._order

    # ---- persistence ------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The whole state (pickle). Load only bytes this library wrote: pickle is not safe
        against tampered input."""
        return pickle.dumps({"version": STATE_VERSION, "index": self}, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, data: bytes) -> DuplicateIndex:
        state = pickle.loads(data)  # noqa: S301 - our own state, see to_bytes
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            raise ValueError("not a DuplicateIndex state, or one written by another version")
        index = state["index"]
        if not isinstance(index, cls):
            raise ValueError("not a DuplicateIndex state")
        return index


def find_groups(
    items: Iterable[tuple[str, str]],
    threshold: float = JACCARD,
    *,
    containment: float = CONTAINMENT,
    shingler: Shingler = DEFAULT_SHINGLER,
) -> list[list[str]]:
    """Groups of near-duplicate copies among ``(doc_id, text)`` pairs (see ``DuplicateIndex``)."""
    index = DuplicateIndex(threshold, containment=containment, shingler=shingler)
    for doc_id, text in items:
        index.add(doc_id, text)
    return index.groups()


__all__ = ["DuplicateIndex", "Shingler", "engagements_agree", "find_groups", "normalise", "readout_signature",
           "same_engagement"]
