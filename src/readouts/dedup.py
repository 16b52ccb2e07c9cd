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
   containment; the smaller set needs ``min_shingles`` shingles for that test);
4. confirmed pairs are merged by union-find.

The canonical member of a group is the one added first: it does not move when later
copies arrive (a store can keep it), and in crawl order it is usually the original.
Confirmation is pairwise and the LSH collision relation is symmetric, so the groups
themselves (as sets) do not depend on the order documents are added.
"""
from __future__ import annotations

import hashlib
import pickle
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
LSH_THRESHOLD = 0.1  # candidate generation below the confirmation threshold: 64 bands of 2 rows
LSH_WEIGHTS = (0.5, 0.5)  # false positive vs false negative weight (datasketch default)
JACCARD = 0.17  # confirmation on exact shingle sets
CONTAINMENT = 0.5
MIN_SHINGLES = 20
STATE_VERSION = 1

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
        self._size: dict[str, int] = {}  # root -> group size

    # ---- union-find -------------------------------------------------------------------
    def _find(self, x: str) -> str:
        root = x
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[x] != root:  # path compression
            self._parent[x], x = root, self._parent[x]
        return root

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        # the root is the canonical member: the earliest added
        if self._order[rb] < self._order[ra]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size.pop(rb)

    # ---- similarity -------------------------------------------------------------------
    def similar(self, a: frozenset[int], b: frozenset[int]) -> bool:
        """Confirm a candidate pair on the exact shingle sets."""
        if not a or not b:
            return False
        common = len(a & b)
        if common == 0:
            return False
        if common / (len(a) + len(b) - common) >= self.threshold:
            return True
        small = min(len(a), len(b))
        return small >= self.min_shingles and common / small >= self.containment

    def _minhash(self, shingles: set[str]) -> MinHash:
        m = MinHash(num_perm=self.num_perm)
        m.update_batch([s.encode("utf-8") for s in shingles])
        return m

    # ---- API ----------------------------------------------------------------------------
    def add(self, doc_id: str, text: str) -> str | None:
        """Add a document; the canonical id of the group it joined, or None if it joined none.

        Adding an id again is a no-op (the text it was first added with is kept).
        """
        if doc_id in self._order:
            root = self._find(doc_id)
            return root if self._size[root] > 1 else None
        shingles = self.shingler.shingles(text)
        hashed = frozenset(_hash64(s) for s in shingles)
        self._order[doc_id] = len(self._order)
        self._parent[doc_id] = doc_id
        self._size[doc_id] = 1
        self._sets[doc_id] = hashed
        if not hashed:
            return None
        mh = self._minhash(shingles)
        for other in self._lsh.query(mh):
            if self.similar(hashed, self._sets[other]):
                self._union(doc_id, other)
        self._lsh.insert(doc_id, mh)
        root = self._find(doc_id)
        return root if self._size[root] > 1 else None

    def canonical(self, doc_id: str) -> str:
        """The canonical id of a document's group (itself when it has no copies)."""
        if doc_id not in self._parent:
            raise KeyError(f"unknown document id {doc_id!r}")
        return self._find(doc_id)

    def groups(self, *, singletons: bool = False) -> list[list[str]]:
        """Groups of copies: canonical first, the rest by id; groups ordered by canonical.

        Documents without copies are left out unless ``singletons`` is true.
        """
        members: dict[str, list[str]] = {}
        for d in self._order:
            members.setdefault(self._find(d), []).append(d)
        out = []
        for root, docs in members.items():
            if len(docs) < 2 and not singletons:
                continue
            out.append([root] + sorted(d for d in docs if d != root))
        out.sort(key=lambda g: self._order[g[0]])
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


__all__ = ["DuplicateIndex", "Shingler", "find_groups", "normalise"]
