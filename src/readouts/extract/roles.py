"""Who is subject and who counterpart of a trigger: the mentions before and after it,
coordination ("A and B"), the passive ("Y was received by X"), fronted phrases ("During
talks with Y, X said")."""
from __future__ import annotations

import re

from readouts.annotate import Mention, Sentence
from readouts.extract.rules import in_sentence
from readouts.extract.state import Doc
from readouts.predicates import Trigger


AND = re.compile(r"\b(?:and|as well as|together with|along with|joined by)\b|&", re.I)
_COORD = re.compile(r"^\s*,?\s*(?:and|&|as well as|along with|together with|joined by|plus)?\s*,?\s*(?:the\s+|his\s+|her\s+)?(?:\d{1,3}(?:st|nd|rd|th)\s+)?(?:visiting\s+|former\s+|outgoing\s+|incoming\s+)?$", re.I)
# "Mathias Cormann, Secretary-General of the OECD, ...": a post set off by commas after a name is that name's
_APPOSITIVE = re.compile(r"\s*,\s*(?:the\s+)?(?:[\w]+-)?", re.I)
# "Wang, who arrived here last night on a visit, also had a meeting with": a relative clause after the subject
_RELATIVE_CLAUSE = re.compile(r"\s*,\s*(?:who|whose)\b[^;:.!?\"“”]{0,200}?,\s*(?:(?:also|then|later|further|today|yesterday)\s+)*", re.I)
# "X called on ... during a meeting with Y": the engagement of the main clause's subject
_DURING = re.compile(r"\b(?:during|at|in)\s+(?:(?:an?|the|his|her)\s+)?(?:[\w-]+\s+){0,3}$", re.I)
_OBJ_GAP = re.compile(r"^[\s,]*(?:and\s+(?:[\w'-]+\s+){1,6}?(?:with|for)\s+|(?:an?|the)\s+(?:[\w'-]+\s+){0,3}?delegation(?:\s+(?:of|from)\s+[^,.;]{1,60}?)?,?\s+(?:led|headed)\s+by\s+|(?:former|outgoing|incoming|newly[\s-]appointed|acting)\s+|(?-i:[A-Z][A-Z-]{1,10})(?:\s*\([^()]{1,30}\))?\s+|(?:in|at)\s+(?:the\s+)?(?:[A-Z][\w'-]*\s+){1,4}(?:of\s+[A-Z][\w-]*\s+)?(?=with\b)|(?:with|in audience|on|the|his|her|their|a|an|here|there|today|yesterday|separately|jointly|also|later|virtually|visiting|respectively|recently|earlier|in|of|by|from|to|at)\b[\s,]*|(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)[\s,]*|\d{1,2}(?:st|nd|rd|th)?\s+\w+[\s,]*|\w+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?(?:\s+\d{4})?[\s,]*)*$", re.I)
_POSSESSIVE = re.compile(r"\s*['’]s?\b")
_PERSONS_PLACE = re.compile(r"\s*['’]s?\s+(?:official\s+)?(?:office|residence|home)\b", re.I)
_DIRECT_GAP = re.compile(r"^[\s,]*(?:(?:an?|the)\s+(?:[\w'-]+\s+){0,3}?delegation(?:\s+(?:of|from)\s+[^,.;]{1,60}?)?,?\s+(?:led|headed)\s+by\s+|(?:the|his|her|their|visiting|outgoing|incoming)\s+)?$", re.I)
# between a subject and its predicate: another clause ("X said ...", "a luncheon that was hosted by")
_NOT_SUBJECT = re.compile(r"\b(?:said|says|told|noted|added|stated|announced|according)\b|\b(?:that|which)\s+(?:was|were|is|are|has|had)\b", re.I)
_SUBJ_GAP = re.compile(r"^[^.;:!?\"]{0,90}$")
# a phrase before the main clause that reports an engagement: "During talks with Y, X said",
# "On Sunday, in a phone call with Y, X said", "When meeting Y, X stressed"
_PLURAL_GAP = re.compile(r"\s*(?:(?:also|have|has|had|then|later|further|jointly|fully|today|yesterday|on\s+\w+(?:\s+\d{1,2})?,?)\s+)*", re.I)
_FRONTED = re.compile(r"\s*(?:(?:On|Yesterday|Today|Earlier|Later|Last|This)\b[^,;.]{0,40},\s*)?(?:(?:During|At|In|Over|Throughout|After)\s+(?:(?:the|a|an|their|his|her|its)\s+)?(?:[\w-]+\s+){0,3}?(?:talks|meeting|meetings|call|conversation|consultations|lunch|dinner|breakfast|session|exchange|audience|discussions?|video\s+call|telephone\s+talk|phone\s+talk|message|letter)\b|(?:When|While|Whilst|Upon)\s+\w+ing\b|\w+ing\b)", re.I)
_BE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are)\s+(?:\w+ly\s+|also\s+)?$", re.I)
_BY_AFTER = re.compile(r"\s*by\b", re.I)


def find_roles(d: Doc, sent: Sentence, ments: list[int], start: int, end: int, trig: Trigger, text: str) -> tuple[list[int], list[int]]:
    a = d.ann
    before = [mi for mi in ments if a.mentions[mi].end <= start]
    after = [mi for mi in ments if a.mentions[mi].start >= end]
    if trig.shape == "plural":
        # "X and Y exchanged views": the subjects stand right before ("..., during which the
        # three sides exchanged views" speaks of an engagement already found)
        if before and not _PLURAL_GAP.fullmatch(a.text, a.mentions[before[-1]].end, start):
            return [], []
        return coordinated_back(d, before, start), []
    if trig.shape == "passive" or (trig.direct and _BE_BEFORE.search(a.text, 0, start) and _BY_AFTER.match(a.text, end)):
        # "Y was received by X", and any verb of the lexicon in the passive: "Y was hosted by X"
        return object_chain(d, after, end), coordinated_back(d, before, start)
    if text.lower().endswith("between"):
        chain = object_chain(d, after, end)
        if chain or trig.nominal:
            return chain[:1], chain[1:]
        # "X and Y held consultations between the two ministries": the subjects are the participants
    inner = [mi for mi in ments if start <= a.mentions[mi].start < end and a.mentions[mi].pronoun]
    subs = inner[:1] or coordinated_back(d, before, start)  # "the discussions he had with Y"
    objs = object_chain(d, after, end, trig.direct)
    if not subs and objs and _FRONTED.match(a.text, _after_dateline(d, sent), end):
        fronted = _fronted_roles(d, sent, objs, after)
        if fronted is not None:
            return fronted
    if not subs and objs and trig.nominal and _DURING.search(a.text, sent.start, start):
        subs = _clause_subject(d, sent, before, objs)
    return subs, objs


def _clause_subject(d: Doc, sent: Sentence, before: list[int], objs: list[int]) -> list[int]:
    """'X on Tuesday called on ... and ..., during a meeting with Y': the person who begins the
    sentence (its subject) is the one who met Y."""
    a = d.ann
    if not before or before[0] in objs:
        return []
    first = a.mentions[before[0]]
    if first.entity is None and not first.pronoun:
        return []
    lead = a.text[_after_dateline(d, sent):first.start]
    if len(lead) > 40 or not _LEAD.fullmatch(lead):
        return []
    return [before[0]]


# before a sentence's subject: "On Tuesday, ", "Meanwhile, ", "The "
_LEAD = re.compile(r"\s*(?:(?:On|Yesterday|Today|Earlier|Later|Meanwhile|Separately|Also|This|Last)\b[^,;.]{0,25},\s*)?(?:the\s+)?", re.I)


def _after_dateline(d: Doc, sent: Sentence) -> int:
    """Where the sentence's own words begin ("TOKYO, Oct. 25 (Xinhua) -- At a ...")."""
    dl = d.doc.dateline_span
    if dl is not None and sent.start <= dl.start < sent.end:
        m = _DATELINE_TAIL.match(d.ann.text, dl.end)
        return m.end() if m else dl.end
    return sent.start


_DATELINE_TAIL = re.compile(r"[^A-Za-z\n]{0,40}?(?:\([^()]{1,30}\))?\s*(?:--|—|–|-|:)\s*")


def _fronted_roles(d: Doc, sent: Sentence, objs: list[int], after: list[int]) -> tuple[list[int], list[int]] | None:
    """'During talks with Y (, on Monday, in Z), X said ...': the subject is the speaker of the
    main clause, the counterparts are the people named before it."""
    a = d.ann
    verbs = [v for v in in_sentence(d.r.reporting_p, a, sent) if sent.start + v.start() > a.mentions[objs[0]].end]
    if not verbs:
        # no reporting verb: the subject is the first person after the comma that ends the phrase
        chain = objs + [mi for mi in after if a.mentions[mi].start >= a.mentions[objs[-1]].end][:1]
        for k in range(1, len(chain)):
            if re.fullmatch(r"\s*,\s*(?:the\s+)?", a.text[a.mentions[chain[k - 1]].end:a.mentions[chain[k]].start]):
                return chain[k:k + 1], chain[:k]
        return None
    verb_at = sent.start + verbs[0].start()
    before_verb = [mi for mi in after if a.mentions[mi].end <= verb_at]
    speaker = coordinated_back(d, before_verb, verb_at)[-1:]  # the one right before the verb
    if not speaker or speaker[0] in objs[:1]:
        return None
    counterparts = [mi for mi in objs if a.mentions[mi].end <= a.mentions[speaker[0]].start and mi not in speaker]
    return (speaker[:1], counterparts) if counterparts else None


def coordinated_back(d: Doc, before: list[int], start: int) -> list[int]:
    """The subject: the mention nearest before the trigger, with any coordinated with it."""
    a = d.ann
    if not before:
        return []
    last = before[-1]
    gap = a.text[a.mentions[last].end:start]
    if not _SUBJ_GAP.match(gap) or _NOT_SUBJECT.search(gap):
        # "Trump said that he spoke to": a pronoun right before the trigger still works
        if not (a.mentions[last].pronoun and len(gap) < 30):
            return _before_relative(d, before, start)
    out = [last]
    for mi in reversed(before[:-1]):
        g = a.text[a.mentions[mi].end:a.mentions[out[-1]].start]
        if _COORD.match(g) and re.search(r"\S", g):
            out.append(mi)
        else:
            break
    return list(reversed(out))


def object_chain(d: Doc, after: list[int], end: int, direct: bool = False) -> list[int]:
    """The objects: the first mention right after the trigger and those coordinated with it
    (``direct``: a direct object, with no preposition before it)."""
    a = d.ann
    if not after:
        return []
    first = after[0]
    gap = a.text[end:a.mentions[first].start]
    if len(gap) > 60 or not (_DIRECT_GAP if direct else _OBJ_GAP).match(gap):
        return []
    if direct and _POSSESSIVE.match(a.text, a.mentions[first].end) and not _PERSONS_PLACE.match(a.text, a.mentions[first].end):
        return []  # "welcomed Y's remarks": Y is not the one welcomed; "visited Y's office" is a visit to Y
    out = [first]
    last_end = a.mentions[first].end
    for mi in after[1:]:
        g = a.text[last_end - 1:a.mentions[mi].start]
        g = g if g[:1] == "," else g[1:]  # a plural's list may end in its comma: "the ministers of A and B, X and Y"
        m = a.mentions[mi]
        if m.plural and not m.countries and not AND.search(g):
            break  # "..., the two ministers discussed": the same people again, not more of them
        if (m.name is None and m.title and not m.plural and not m.pronoun and a.mentions[out[-1]].name
                and last_end == a.mentions[out[-1]].end and _APPOSITIVE.fullmatch(g) and "," in g):
            last_end = m.end  # the post of the name before it, not another participant
            continue
        prev = a.mentions[out[-1]]
        if (m.name and not m.plural and prev.name is None and prev.title and not prev.plural and not prev.pronoun
                and prev.entity is None and re.fullmatch(r"\s*,\s*", g) and _same_state(d, prev, m)):
            out[-1] = mi  # "Special Envoy of Mexico, Ambassador, Juan Gomez": the post's holder
            last_end = m.end
            if not m.country and prev.country:
                m.country, m.country_rule = prev.country, "appositive"
            continue
        if _COORD.match(g) and re.search(r"\S", g):
            out.append(mi)
            last_end = m.end
        else:
            break
    return out


def _same_state(d: Doc, post: Mention, named: Mention) -> bool:
    """Can a named mention be the holder of an unnamed post (no two different states)?"""
    state = named.country or (d.ann.entities[named.entity].country if named.entity is not None else None)
    return not (post.country and state and post.country != state)


def _before_relative(d: Doc, before: list[int], start: int) -> list[int]:
    """The subject before a relative clause that ends right before the trigger."""
    a = d.ann
    for mi in reversed(before):
        if _RELATIVE_CLAUSE.fullmatch(a.text, a.mentions[mi].end, start):
            return [mi]
    return []
