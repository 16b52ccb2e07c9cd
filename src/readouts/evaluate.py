"""Score predicted engagement records against gold records (the record format of FORMAT.md).

This is the project's own copy of the evaluation contract, so that users can check the
extractor on their own gold sets. It gives exactly the figures of the reference scorer
(``eval/score.py``): the same one-to-one alignment of engagements, the same name
normalisation, the same token F1 and the same summary score.

    gold = load_records("gold.jsonl")
    pred = load_records("predicted.jsonl")
    print(format_report(score(gold, pred)))

Note that the summary ``score`` is, as in the reference scorer, the mean of readout
accuracy, engagement F1 and every field accuracy that has at least one observation.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "FIELDS",
    "FormatError",
    "align",
    "fold",
    "format_report",
    "load_records",
    "match_participants",
    "name_tokens",
    "names_match",
    "score",
    "token_f1",
    "words",
]

# --- name-matching and field rules --------------------------------------------------

#: Words ignored by the token F1 of titles and occasions.
STOPWORDS = frozenset({"the", "of", "and", "on", "in", "for", "a", "an", "at", "to"})
#: Transliteration endings folded to "ey" (Sergei / Sergey / Sergej, Dmitrii / Dmitriy).
TRANSLIT_ENDING = re.compile(r"(ei|ej|ii|iy)$")
TRANSLIT_CANONICAL = "ey"
#: Only tokens longer than this have their ending folded ("Lei" stays "lei").
TRANSLIT_MIN_LENGTH = 4
#: Tokens with this prefix have every "w" read as "v" (Wladimir / Vladimir).
W_AS_V_PREFIX = "wl"
#: A shorter name matches a longer form of itself only with a token at least this long.
MIN_SUBSET_TOKEN = 2
#: Token F1 from which a title or an occasion counts as right.
TITLE_MIN_F1 = 0.5
OCCASION_MIN_F1 = 0.5

#: Per-field accuracies, in report order.
FIELDS = ("date", "mode", "country", "title", "loc_country", "loc_city", "occasion")
#: What a document missing from the predictions counts as.
MISSING_PREDICTION: Mapping[str, Any] = {"is_readout": False, "engagements": []}

#: what separates words: anything but letters and digits, of every script
_NON_WORD = re.compile(r"[\W_]+")
#: a Chinese character is a token of its own (Chinese has no spaces); other runs stay whole
_CJK_OR_REST = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\u3400-\u9fff\uf900-\ufaff]+")


class FormatError(Exception):
    """A records file that is not in the record format (message: ``path:line: reason``)."""


# --- text normalisation ---------------------------------------------------------------


def fold(text: str | None) -> str:
    """Lower-case, strip accents and punctuation, squeeze spaces (letters of every script kept)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(_NON_WORD.sub(" ", text).split())


def words(text: str | None) -> list[str]:
    """Tokens for overlap: folded words, each Chinese character on its own."""
    return [part for tok in fold(text).split() for part in _CJK_OR_REST.findall(tok)]


def _name_token(token: str) -> str:
    if len(token) >= TRANSLIT_MIN_LENGTH:
        token = TRANSLIT_ENDING.sub(TRANSLIT_CANONICAL, token)
    if token.startswith(W_AS_V_PREFIX):
        token = token.replace("w", "v")
    return token


def name_tokens(name: str | None) -> tuple[str, ...]:
    """The folded tokens of a person's name, with transliteration variants merged."""
    return tuple(_name_token(tok) for tok in fold(name).split())


def _content_tokens(text: str | None) -> list[str]:
    return [t for t in words(text) if t not in STOPWORDS]


def token_f1(a: str | None, b: str | None) -> float:
    """Token F1 of two texts, ignoring case, punctuation and stopwords (two empties: 1.0)."""
    ta, tb = _content_tokens(a), _content_tokens(b)
    if not ta and not tb:
        return 1.0
    if not ta or not tb:
        return 0.0
    pool = list(tb)
    common = 0
    for tok in ta:
        if tok in pool:
            pool.remove(tok)
            common += 1
    if common == 0:
        return 0.0
    precision, recall = common / len(ta), common / len(tb)
    return 2 * precision * recall / (precision + recall)


# --- participant and engagement alignment --------------------------------------------


def _unnamed_match(gold: Mapping, pred: Mapping) -> bool:
    g_country, p_country = gold.get("country"), pred.get("country")
    if g_country or p_country:
        return g_country == p_country
    return token_f1(gold.get("title"), pred.get("title")) >= TITLE_MIN_F1


def _tokens_match(g_tok: tuple[str, ...], p_tok: tuple[str, ...], same_country: bool) -> bool:
    if g_tok == p_tok:
        return True
    small, big = (set(g_tok), set(p_tok)) if len(g_tok) <= len(p_tok) else (set(p_tok), set(g_tok))
    return same_country and small <= big and any(len(t) >= MIN_SUBSET_TOKEN for t in small)


def names_match(gold: Mapping, pred: Mapping) -> bool:
    """Whether a predicted participant is the gold one.

    Named on both sides: the normalised names (or one of the gold ``aliases``) are equal,
    or one is a subset of the other and the countries agree. Otherwise: the countries are
    equal, or, with no country on either side, the titles agree.
    """
    p_name = pred.get("name")
    if not gold.get("name") or not p_name:
        return _unnamed_match(gold, pred)
    g_country = gold.get("country")
    same_country = bool(g_country) and g_country == pred.get("country")
    p_tok = name_tokens(p_name)
    for g_name in [gold.get("name"), *(gold.get("aliases") or [])]:
        g_tok = name_tokens(g_name)
        if g_tok and p_tok and _tokens_match(g_tok, p_tok, same_country):
            return True
    return False


def match_participants(gold: Sequence[Mapping], pred: Sequence[Mapping]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairing of participants: ``(gold_index, pred_index)`` pairs.

    Named gold participants go first, so an unnamed one cannot take a named one's match.
    """
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    order = sorted(range(len(gold)), key=lambda i: gold[i].get("name") is None)
    for gi in order:
        for pi, participant in enumerate(pred):
            if pi not in used and names_match(gold[gi], participant):
                pairs.append((gi, pi))
                used.add(pi)
                break
    return pairs


def _participants(engagement: Mapping) -> list[Mapping]:
    return engagement.get("participants") or []


def align(gold_engs: Sequence[Mapping], pred_engs: Sequence[Mapping]) -> list[tuple[int, int, list]]:
    """One-to-one alignment of engagements: ``(gold_index, pred_index, participant_pairs)``.

    Candidates are ranked by matched participants, then same date, then closeness of
    position, and taken greedily.
    """
    candidates = []
    for gi, g in enumerate(gold_engs):
        for pi, p in enumerate(pred_engs):
            pairs = match_participants(_participants(g), _participants(p))
            if pairs:
                same_date = (g.get("date") or "") == (p.get("date") or "")
                candidates.append((len(pairs), same_date, -abs(gi - pi), gi, pi, pairs))
    candidates.sort(key=lambda c: c[:5], reverse=True)
    out: list[tuple[int, int, list]] = []
    g_used: set[int] = set()
    p_used: set[int] = set()
    for *_, gi, pi, pairs in candidates:
        if gi not in g_used and pi not in p_used:
            g_used.add(gi)
            p_used.add(pi)
            out.append((gi, pi, pairs))
    return out


# --- loading --------------------------------------------------------------------------


def load_records(path: str | Path) -> dict[str, dict]:
    """Read a JSONL file of records, keyed by ``str(id)`` (a later duplicate id wins).

    Raises ``FormatError("path:line: not JSON: ...")``, ``"path:line: record has no id"``,
    ``"path:line: not UTF-8 text (a binary file?)"`` or ``"path: cannot read: ..."``.
    """
    records: dict[str, dict] = {}
    try:
        with open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                rec = _parse_record(raw, path, n)
                if rec is not None:
                    records[str(rec["id"])] = rec
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return records


def _parse_record(raw: bytes, path: str | Path, n: int) -> dict | None:
    """One line of a records file; None for a blank line."""
    if n == 1:
        raw = raw.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in raw:
        raise FormatError(f"{path}:{n}: not JSON text (a binary file?)")
    try:
        line = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path}:{n}: not UTF-8 text (a binary file?)") from exc
    if not line:
        return None
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path}:{n}: not JSON: {exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"{path}:{n}: not JSON: {exc or type(exc).__name__}") from exc
    if not isinstance(rec, dict):
        raise FormatError(f"{path}:{n}: not a JSON object")
    if "id" not in rec:
        raise FormatError(f"{path}:{n}: record has no id")
    return rec


def coverage(gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> tuple[int, int]:
    """(gold ids with a prediction, predicted ids that are not in the gold)."""
    return sum(1 for k in gold if k in predicted), sum(1 for k in predicted if k not in gold)


# --- scoring --------------------------------------------------------------------------


@dataclass
class _Tally:
    ok: int = 0
    n: int = 0

    def add(self, good: bool) -> None:
        self.n += 1
        self.ok += bool(good)

    @property
    def value(self) -> float | None:
        return self.ok / self.n if self.n else None


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    recall = tp / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


class _Scorer:
    """Accumulates counts over documents; ``result()`` gives the figures."""

    def __init__(self, errors: list | None) -> None:
        self.errors = errors
        self.readout = _Tally()
        self.fields = {key: _Tally() for key in FIELDS}
        self.eng_tp = self.eng_pred = self.eng_gold = 0
        self.par_tp = self.par_pred = self.par_gold = 0

    def miss(self, doc_id: str, what: str, want: Any, got: Any) -> None:
        if self.errors is not None:
            self.errors.append({"id": doc_id, "field": what, "gold": want, "pred": got})

    def check(self, doc_id: str, key: str, want: Any, got: Any, ok: bool) -> None:
        self.fields[key].add(ok)
        if not ok:
            self.miss(doc_id, key, want, got)

    def document(self, doc_id: str, gold: Mapping, pred: Mapping) -> None:
        good = bool(gold.get("is_readout")) == bool(pred.get("is_readout"))
        self.readout.add(good)
        if not good:
            self.miss(doc_id, "is_readout", gold.get("is_readout"), pred.get("is_readout"))
        g_engs, p_engs = gold.get("engagements") or [], pred.get("engagements") or []
        self.eng_gold += len(g_engs)
        self.eng_pred += len(p_engs)
        self.par_gold += sum(len(_participants(e)) for e in g_engs)
        self.par_pred += sum(len(_participants(e)) for e in p_engs)
        aligned = align(g_engs, p_engs)
        if len(aligned) < len(g_engs) or len(aligned) < len(p_engs):
            self.miss(doc_id, "engagements", len(g_engs), len(p_engs))
        for gi, pi, pairs in aligned:
            self.engagement(doc_id, g_engs[gi], p_engs[pi], pairs)

    def engagement(self, doc_id: str, ge: Mapping, pe: Mapping, pairs: list[tuple[int, int]]) -> None:
        gp, pp = _participants(ge), _participants(pe)
        self.par_tp += len(pairs)
        exact = len(pairs) == len(gp) == len(pp)
        self.eng_tp += exact
        if not exact:
            self.miss(doc_id, "participants", [x.get("name") for x in gp], [x.get("name") for x in pp])
        for key in ("date", "mode"):
            self.check(doc_id, key, ge.get(key), pe.get(key), ge.get(key) == pe.get(key))
        gl, pl = ge.get("location") or {}, pe.get("location") or {}
        g_country, p_country = gl.get("country"), pl.get("country")
        self.check(doc_id, "loc_country", g_country, p_country, g_country == p_country)
        g_city, p_city = gl.get("city"), pl.get("city")
        self.check(doc_id, "loc_city", g_city, p_city, fold(g_city) == fold(p_city))
        g_occ, p_occ = ge.get("occasion"), pe.get("occasion")
        self.check(doc_id, "occasion", g_occ, p_occ, token_f1(g_occ, p_occ) >= OCCASION_MIN_F1)
        for a, b in pairs:
            g_c, p_c = gp[a].get("country"), pp[b].get("country")
            self.check(doc_id, "country", g_c, p_c, g_c == p_c)
            g_t, p_t = gp[a].get("title"), pp[b].get("title")
            self.check(doc_id, "title", g_t, p_t, token_f1(g_t, p_t) >= TITLE_MIN_F1)

    def result(self) -> dict:
        ep, er, ef = _prf(self.eng_tp, self.eng_pred, self.eng_gold)
        pp, pr, pf = _prf(self.par_tp, self.par_pred, self.par_gold)
        values = [self.readout.value, ef] + [t.value for t in self.fields.values()]
        parts: list[float] = [x for x in values if x is not None]
        return {
            "documents": self.readout.n,
            "readout_accuracy": self.readout.value,
            "engagement": {"precision": ep, "recall": er, "f1": ef, "gold": self.eng_gold, "predicted": self.eng_pred},
            "participant": {"precision": pp, "recall": pr, "f1": pf, "gold": self.par_gold, "predicted": self.par_pred},
            "fields": {key: {"accuracy": t.value, "n": t.n} for key, t in self.fields.items()},
            "score": sum(parts) / len(parts) if parts else 0.0,
        }


def score(gold: Mapping[str, Mapping], pred: Mapping[str, Mapping], errors: list | None = None) -> dict:
    """Score ``pred`` against ``gold`` (both keyed by document id).

    Only gold documents are scored; a gold document with no prediction counts as "not a
    readout, no engagements". When ``errors`` is a list, one dict per disagreement
    (``{"id", "field", "gold", "pred"}``) is appended to it.

    Returns ``{"documents", "readout_accuracy", "engagement": {precision, recall, f1,
    gold, predicted}, "participant": {...}, "fields": {name: {"accuracy", "n"}}, "score"}``;
    an accuracy with no observation is None.
    """
    scorer = _Scorer(errors)
    for doc_id, g in gold.items():
        scorer.document(doc_id, g, pred.get(doc_id, MISSING_PREDICTION))
    return scorer.result()


# --- report ---------------------------------------------------------------------------


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def format_report(result: Mapping[str, Any]) -> str:
    """The plain-text report of ``score``'s result, line for line as the reference scorer prints it."""
    lines = [
        f"documents           {result['documents']}",
        f"readout accuracy    {_fmt(result['readout_accuracy'])}",
    ]
    for key in ("engagement", "participant"):
        r = result[key]
        lines.append(
            f"{key:<19} P {_fmt(r['precision'])}  R {_fmt(r['recall'])}  F1 {_fmt(r['f1'])}"
            f"  (gold {r['gold']}, predicted {r['predicted']})"
        )
    for key, r in result["fields"].items():
        lines.append(f"{key:<19} {_fmt(r['accuracy'])}  (n={r['n']})")
    lines.append(f"score: {result['score']:.3f}")
    return "\n".join(lines)
