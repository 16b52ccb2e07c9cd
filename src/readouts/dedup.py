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
2. a 128-permutation MinHash of the shingle set (datasketch's scheme, computed here) is cut into
   LSH bands (as many as datasketch's MinHashLSH picks for a low Jaccard threshold); documents sharing a
   band are candidate copies, at most ``MAX_CANDIDATES`` of them, those sharing the most
   bands (texts that only share a template share one band or two; copies share many). The
   bands live in memory (``MemoryState``) or in a store's tables (``SQLiteState``), so
   adding a document to a large store reads only its bands and its best candidates;
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
import json
import pickle
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from readouts.links import EngagementRef, PartRef, mode_class, names_match, time_span, times_compatible

NUM_PERM = 128
LSH_THRESHOLD = 0.1  # candidate generation below the confirmation threshold: 64 bands of 2 rows
LSH_WEIGHTS = (0.5, 0.5)  # false positive vs false negative weight (datasketch default)
JACCARD = 0.2  # confirmation on exact shingle sets
SHORT_JACCARD = 0.5  # ... when the smaller set has fewer than MIN_SHINGLES shingles (a few names decide)
CONTAINMENT = 0.5
MIN_SHINGLES = 20
MAX_CANDIDATES = 100  # candidates confirmed per new document: those sharing the most LSH bands
# Documents read per LSH band: the most recently added. A band that thousands of documents share
# (boilerplate, a template) says little, and reading all of it would make each new document cost
# more as the store grows; a real copy shares most of the 64 bands, the specific ones included.
BAND_CAP = 50
STATE_VERSION = 3

# Function words left out of the word shingles: they are what light rewrites change.
STOP_WORDS = frozenset(
    "a an the of and or to in on at for with by from as into about over after before is are was "
    "were be been being that this these those their its his her our your they he she it we you "
    "both two sides side said says also which who whom will would shall has have had do did not "
    "but than then there here such".split()
)

_WORD_RE = re.compile(r"\w+")


_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD_OR_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=1)
def _to_simplified() -> Any:
    import opencc  # imported only for Chinese text

    return opencc.OpenCC("t2s")


def normalise(text: str) -> list[str]:
    """Words of a text: accents stripped, lower case, punctuation gone, digits kept.

    Chinese has no spaces between words: each Han character is a word, traditional
    characters written as simplified (OpenCC ``t2s``), so a copy republished in the other
    script is still a copy.
    """
    if _HAN_RE.search(text):
        text = _to_simplified().convert(text)
        pattern = _WORD_OR_HAN_RE
    else:
        pattern = _WORD_RE
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return pattern.findall(plain)


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
        return names_match(p, q) is True  # a name that cannot be compared is no evidence of a copy
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


# ---- MinHash and LSH bands (what datasketch's MinHash and MinHashLSH compute, without
# importing datasketch, whose import pulls in scipy: about half a second on every ingest).
# tests/test_dedup.py checks that both give the same signatures and the same bands.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)  # the MurmurHash3 finalizer, 32 bits
_MAX32 = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations h -> a*h + b (mod 2^32), a odd, of datasketch's 'affine32' scheme."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class MinHash:
    """A MinHash of byte strings: 32-bit SHA-1 prefix, MurmurHash3 mix, affine permutations."""

    def __init__(self, num_perm: int = NUM_PERM) -> None:
        self.num_perm = num_perm
        self.hashvalues = np.full(num_perm, _MAX32, dtype=np.uint32)

    def update_batch(self, values: Iterable[bytes]) -> None:
        hv = np.array([int.from_bytes(hashlib.sha1(v).digest()[:4], "little") for v in values], dtype=np.uint32)
        if not len(hv):
            return
        s1, m1, s2, m2, s3 = (np.uint32(x) for x in _FMIX32)
        with np.errstate(over="ignore"):  # multiplication wraps: arithmetic mod 2^32
            hv = hv ^ (hv >> s1)
            hv = hv * m1
            hv = hv ^ (hv >> s2)
            hv = hv * m2
            hv = (hv ^ (hv >> s3)).reshape(-1, 1)
            a, b = _permutations(self.num_perm)
            phv = hv * a + b
        self.hashvalues = np.minimum(self.hashvalues, phv.min(axis=0))


def _simpson(lo: float, hi: float, steps: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Points and weights of Simpson's rule on [lo, hi]."""
    s = np.linspace(lo, hi, steps + 1)
    w = np.ones(steps + 1)
    w[1:-1:2], w[2:-1:2] = 4, 2
    return s, w * (hi - lo) / steps / 3


@lru_cache(maxsize=8)
def lsh_bands(threshold: float = LSH_THRESHOLD, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) that weigh false positives and false negatives of a Jaccard
    ``threshold`` best, as datasketch's MinHashLSH chooses them."""
    s_fp, w_fp = _simpson(0.0, threshold)
    s_fn, w_fn = _simpson(threshold, 1.0)
    best, choice = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = float(w_fp @ (1 - (1 - s_fp ** r) ** b))
            fn = float(w_fn @ ((1 - s_fn ** r) ** b))
            error = fp * LSH_WEIGHTS[0] + fn * LSH_WEIGHTS[1]
            if error < best:
                best, choice = error, (b, r)
    return choice


def band_keys(mh: MinHash, bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per LSH band of a MinHash: documents sharing a key are candidates."""
    values = mh.hashvalues
    return [
        int.from_bytes(hashlib.blake2b(i.to_bytes(2, "little") + values[i * rows:(i + 1) * rows].tobytes(),
                                       digest_size=8).digest(), "little", signed=True)
        for i in range(bands)
    ]


class MemoryState:
    """What a ``DuplicateIndex`` keeps, in memory (picklable)."""

    def __init__(self) -> None:
        self._sets: dict[str, frozenset[int]] = {}
        self._order: dict[str, int] = {}
        self._root: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}  # root -> members, in the order added
        self._engagements: dict[str, tuple[EngagementRef, ...]] = {}
        self._quality: dict[str, tuple[int, ...]] = {}
        self._bands: dict[int, list[str]] = {}

    def has(self, doc: str) -> bool:
        return doc in self._order

    def __len__(self) -> int:
        return len(self._order)

    def add_doc(self, doc: str, hashed: frozenset[int], engagements: tuple[EngagementRef, ...],
                quality: tuple[int, ...], keys: Sequence[int]) -> None:
        self._order[doc] = len(self._order)
        self._sets[doc] = hashed
        self._root[doc] = doc
        self._members[doc] = [doc]
        if engagements:
            self._engagements[doc] = engagements
        if quality:
            self._quality[doc] = quality
        for key in keys:
            self._bands.setdefault(key, []).append(doc)

    def shingles(self, doc: str) -> frozenset[int]:
        return self.info(doc)[0]

    def candidates(self, keys: Sequence[int], limit: int = MAX_CANDIDATES) -> list[str]:
        shared = Counter(d for key in set(keys) for d in self._bands.get(key, ())[-BAND_CAP:])
        return [d for d, _ in sorted(shared.items(), key=lambda x: (-x[1], self._order[x[0]]))[:limit]]

    def info(self, doc: str) -> tuple[frozenset[int], tuple[EngagementRef, ...], tuple[int, ...], int]:
        return self._sets[doc], self._engagements.get(doc, ()), self._quality.get(doc, ()), self._order[doc]

    def root(self, doc: str) -> str:
        return self._root[doc]

    def members(self, root: str) -> list[str]:
        return list(self._members[root])

    def merge(self, keep: str, gone: str) -> None:
        moved = self._members.pop(gone)
        for d in moved:
            self._root[d] = keep
        self._members[keep] = sorted(self._members[keep] + moved, key=self._order.__getitem__)

    def roots(self) -> list[str]:
        return list(self._members)


class SQLiteState:
    """What a ``DuplicateIndex`` keeps, in the tables ``dedup_docs`` and ``dedup_bands`` of a
    readouts store (migration 006, `EVENT_LINKS_MIGRATION`): adding a document reads only its LSH bands' rows and its
    candidates' rows, so the cost does not grow with the store, and the index is written in
    the store's own transactions."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def has(self, doc: str) -> bool:
        return self._conn.execute("SELECT 1 FROM dedup_docs WHERE doc = ?", (doc,)).fetchone() is not None

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM dedup_docs").fetchone()[0])

    def add_doc(self, doc: str, hashed: frozenset[int], engagements: tuple[EngagementRef, ...],
                quality: tuple[int, ...], keys: Sequence[int]) -> None:
        packed = array("Q", sorted(hashed)).tobytes()
        refs = json.dumps([[r.id, r.document, r.mode, r.date, [[p.name, p.country] for p in r.participants], r.city]
                           for r in engagements], ensure_ascii=False)
        self._conn.execute(
            "INSERT INTO dedup_docs (doc, grp, shingles, quality, engagements) VALUES (?, ?, ?, ?, ?)",
            (doc, doc, packed, json.dumps(list(quality)), refs),
        )
        self._conn.executemany("INSERT INTO dedup_bands (band, doc) VALUES (?, ?)", [(k, doc) for k in set(keys)])

    def candidates(self, keys: Sequence[int], limit: int = MAX_CANDIDATES) -> list[str]:
        """The documents sharing the most bands (of the ``BAND_CAP`` latest of each band), the
        first added among equals (a document's band rows are written together, in the order
        added): each band is read through its index, so the cost is bounded."""
        bands = sorted(set(keys))
        if not bands:
            return []
        latest = " UNION ALL ".join(
            ["SELECT * FROM (SELECT doc, rowid AS r FROM dedup_bands WHERE band = ? ORDER BY rowid DESC LIMIT ?)"]
            * len(bands))
        rows = self._conn.execute(
            f"SELECT doc, count(*) AS shared, min(r) FROM ({latest}) GROUP BY doc ORDER BY shared DESC, 3 LIMIT ?",
            [*(v for band in bands for v in (band, BAND_CAP)), limit],
        ).fetchall()
        return [r[0] for r in rows]

    def shingles(self, doc: str) -> frozenset[int]:
        values = array("Q")
        values.frombytes(self._conn.execute("SELECT shingles FROM dedup_docs WHERE doc = ?", (doc,)).fetchone()[0])
        return frozenset(values)

    def info(self, doc: str) -> tuple[frozenset[int], tuple[EngagementRef, ...], tuple[int, ...], int]:
        packed, quality, refs, seq = self._conn.execute(
            "SELECT shingles, quality, engagements, seq FROM dedup_docs WHERE doc = ?", (doc,)
        ).fetchone()
        values = array("Q")
        values.frombytes(packed)
        engagements = tuple(
            EngagementRef(i, d, m, dt, tuple(PartRef(n, c) for n, c in parts), None, city)
            for i, d, m, dt, parts, city in json.loads(refs)
        )
        return frozenset(values), engagements, tuple(json.loads(quality)), int(seq)

    def root(self, doc: str) -> str:
        return str(self._conn.execute("SELECT grp FROM dedup_docs WHERE doc = ?", (doc,)).fetchone()[0])

    def members(self, root: str) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT doc FROM dedup_docs WHERE grp = ? ORDER BY seq", (root,))]

    def merge(self, keep: str, gone: str) -> None:
        self._conn.execute("UPDATE dedup_docs SET grp = ? WHERE grp = ?", (keep, gone))

    def roots(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT DISTINCT grp FROM dedup_docs")]


class DuplicateIndex:
    """Incremental near-duplicate grouping over a state: ``MemoryState`` (the default;
    picklable, see ``to_bytes`` / ``from_bytes``) or a store's ``SQLiteState``."""

    def __init__(
        self,
        threshold: float = JACCARD,
        *,
        containment: float = CONTAINMENT,
        min_shingles: int = MIN_SHINGLES,
        shingler: Shingler = DEFAULT_SHINGLER,
        num_perm: int = NUM_PERM,
        lsh_threshold: float = LSH_THRESHOLD,
        state: MemoryState | SQLiteState | None = None,
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
        self.bands, self.rows = lsh_bands(lsh_threshold, num_perm)
        self._state = state if state is not None else MemoryState()

    # ---- groups ---------------------------------------------------------------------------
    def _best(self, docs: Sequence[str]) -> str:
        """The canonical member: the most complete extraction, the first added among equals."""
        def rank(doc: str) -> tuple:
            _, _, quality, order = self._state.info(doc)
            return (quality, -order)
        return max(docs, key=rank)

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._state.root(a), self._state.root(b)
        if ra == rb:
            return
        if len(self._state.members(ra)) < len(self._state.members(rb)):
            ra, rb = rb, ra
        self._state.merge(ra, rb)

    def _agrees_with_group(self, engagements: Sequence[EngagementRef], group: Sequence[str]) -> bool:
        if not engagements:
            return True
        return all(engagements_agree(engagements, self._state.info(m)[1]) for m in group)

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
        if not self._state.has(doc_id):
            shingles = self.shingler.shingles(text)
            hashed = frozenset(_hash64(s) for s in shingles)
            keys = band_keys(self._minhash(shingles), self.bands, self.rows) if hashed else []
            candidates = self._state.candidates(keys) if keys else []
            self._state.add_doc(doc_id, hashed, tuple(engagements), tuple(quality), keys)
            mine = tuple(engagements)
            for other in candidates:
                if not self.similar(hashed, self._state.shingles(other)):
                    continue
                ra, rb = self._state.root(doc_id), self._state.root(other)
                if ra == rb:
                    continue
                theirs = self._state.members(rb)
                if self._agrees_with_group(mine, theirs) and all(
                        self._agrees_with_group(self._state.info(m)[1], theirs)
                        for m in self._state.members(ra) if m != doc_id):
                    self._union(doc_id, other)
        group = self._state.members(self._state.root(doc_id))
        return self._best(group) if len(group) > 1 else None

    def canonical(self, doc_id: str) -> str:
        """The canonical id of a document's group (itself when it has no copies)."""
        return self._best(self.members(doc_id))

    def members(self, doc_id: str) -> list[str]:
        """Every document of ``doc_id``'s group (itself included), in the order added."""
        if not self._state.has(doc_id):
            raise KeyError(f"unknown document id {doc_id!r}")
        return self._state.members(self._state.root(doc_id))

    def groups(self, *, singletons: bool = False) -> list[list[str]]:
        """Groups of copies: canonical first, the rest by id; groups in the order their first
        member was added."""
        out = []
        for root in self._state.roots():
            docs = self._state.members(root)
            if len(docs) < 2 and not singletons:
                continue
            canon = self._best(docs)
            out.append((self._state.info(docs[0])[3], [canon] + sorted(d for d in docs if d != canon)))
        return [g for _, g in sorted(out)]

    def __len__(self) -> int:
        return len(self._state)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._state.has(doc_id)

    # ---- persistence ------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The whole state (pickle) of an in-memory index. Load only bytes this library wrote:
        pickle is not safe against tampered input."""
        if not isinstance(self._state, MemoryState):
            raise TypeError("only an in-memory index is pickled; a store's index lives in its tables")
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


__all__ = ["DuplicateIndex", "MemoryState", "SQLiteState", "Shingler", "engagements_agree", "find_groups", "normalise", "readout_signature",
           "same_engagement"]
