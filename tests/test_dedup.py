"""Near-duplicates: republished copies group, different readouts of one meeting do not."""
from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readouts.dedup import DuplicateIndex, Shingler, engagements_agree, find_groups, normalise, readout_signature

# Invented officials and an invented meeting.
ORIGINAL = """Foreign Minister Dalia Verhoeven Meets with Foreign Minister Sergey Ostrovsky of Ruritania

On 14 March 2023, Foreign Minister Dalia Verhoeven met with Foreign Minister Sergey Ostrovsky of Ruritania in Brussels.

Dalia Verhoeven said that relations between the two countries have grown steadily over thirty years and that her
government attaches great importance to the partnership. She proposed to expand cooperation in renewable energy,
port logistics and vocational training, and to reopen the direct flight between the two capitals before the summer.

Sergey Ostrovsky thanked his host for the warm reception and said that Ruritania regards the partnership as a
priority of its foreign policy. He welcomed the proposal on vocational training and said his ministry would send a
delegation of experts in April to prepare a joint programme for technical colleges in both countries.

The two ministers also exchanged views on the situation in the Black Sea region, food security and the
forthcoming conference on river navigation in Vienna, and agreed to keep in close contact.
"""

BOILERPLATE_COPY = """Embassy of the Kingdom in Ruritania | Home > News > Bilateral relations
Print this page  Share on social media  Font size A A A

""" + ORIGINAL + """
Related news: Ambassador attends the reception marking the national day of Ruritania
Copyright 2023 Embassy of the Kingdom. All rights reserved. Contact us | Sitemap
"""

EDITED_COPY = """Foreign Minister Dalia Verhoeven meets Foreign Minister Sergei Ostrovskiy of Ruritania

On March 14, 2023, Foreign Minister Dalia Verhoeven held a meeting with Foreign Minister Sergei Ostrovskiy of Ruritania in Brussels.

Dalia Verhoeven said relations between the two countries had grown steadily over thirty years and that her
Government attaches great importance to the partnership. She proposed to expand cooperation in renewable energy,
port logistics and vocational training and to reopen the direct flight between the two capitals before summer.

Sergei Ostrovskiy thanked his host for the warm reception, and said Ruritania regards the partnership as a
priority of its foreign policy. He welcomed the proposal on vocational training and said that his ministry would send
a delegation of experts in April to prepare a joint programme for technical colleges in both countries.

The two Ministers also exchanged views on the situation in the Black Sea region, on food security and on the
upcoming conference on river navigation in Vienna, and agreed to stay in close contact.
"""

TRUNCATED_COPY = ORIGINAL[: ORIGINAL.index("Sergey Ostrovsky thanked")] + "Read more..."

EXTENDED_COPY = ORIGINAL + """
Before the meeting, Sergey Ostrovsky laid a wreath at the memorial to the victims of the 1953 flood and visited
the new container terminal of the port, where he was briefed on the digital customs system introduced last year.
In the evening he attended a concert of the Ruritanian chamber orchestra organised by his country's embassy.
"""

# The other government's readout of the same meeting: same people, place and topics,
# its own words. Not a copy.
OTHER_SIDE = """Sergey Ostrovsky holds talks with his counterpart Dalia Verhoeven in Brussels

Brussels, 14 March. Minister of Foreign Affairs of Ruritania Sergey Ostrovsky, on a working visit, had talks today
with the Minister of Foreign Affairs Dalia Verhoeven.

The ministers reviewed the state of bilateral ties and noted the growth of trade, which last year exceeded two
billion euros. Sergey Ostrovsky stressed that Ruritanian companies are ready to take part in the construction of
wind farms on the coast and invited partners to the investment forum to be held in his capital in the autumn.

Particular attention was paid to the training of specialists: an agreement was reached on sending a group of
Ruritanian experts next month. Sergey Ostrovsky informed his colleague of Ruritania's approach to the security of
shipping in the Black Sea and to the grain trade. The sides discussed preparations for the Vienna conference on
navigation on the rivers of the region. Dalia Verhoeven accepted an invitation to visit Ruritania.
"""

UNRELATED = """Prime Minister Tomasz Halvorsen Receives the President of the Development Bank

On 2 June 2022, Prime Minister Tomasz Halvorsen received Dr Amara Okonkwo-Lindahl, President of the Northern
Development Bank, who is on an official visit. They discussed the bank's lending programme for rural water supply,
the rehabilitation of the eastern railway line and support for small and medium-sized enterprises hit by the
drought. The Prime Minister thanked the bank for its support for the national school meals programme.
"""

UNRELATED_2 = """Deputy Minister Keiko Aaltonen Attends the Regional Forum on Fisheries

The Deputy Minister of Agriculture Keiko Aaltonen took part in the regional forum on sustainable fisheries held in
Valletta, where she presented her country's plan to protect spawning grounds and to modernise the inspection of
fishing vessels. On the margins of the forum she met the director of the regional fisheries commission.
"""


def groups_as_sets(groups):
    return {frozenset(g) for g in groups}


def test_normalise_folds_case_accents_and_punctuation_keeps_digits():
    assert normalise("Sérgéy  ÓSTROVSKY, 14-March 2023!") == ["sergey", "ostrovsky", "14", "march", "2023"]


def test_exact_copy_groups():
    assert find_groups([("a", ORIGINAL), ("b", ORIGINAL)]) == [["a", "b"]]


def test_copy_with_other_boilerplate_groups():
    assert find_groups([("a", ORIGINAL), ("b", BOILERPLATE_COPY)]) == [["a", "b"]]


def test_light_edits_and_transliteration_variants_group():
    assert find_groups([("a", ORIGINAL), ("b", EDITED_COPY)]) == [["a", "b"]]


def test_truncated_and_extended_copies_group_by_containment():
    assert find_groups([("a", ORIGINAL), ("t", TRUNCATED_COPY)]) == [["a", "t"]]
    assert find_groups([("a", ORIGINAL), ("x", EXTENDED_COPY)]) == [["a", "x"]]
    # the truncated page and the extended one meet through the shared part
    assert find_groups([("t", TRUNCATED_COPY), ("x", EXTENDED_COPY)]) == [["t", "x"]]


def test_two_governments_readouts_of_one_meeting_do_not_group():
    assert find_groups([("ours", ORIGINAL), ("theirs", OTHER_SIDE)]) == []


def test_unrelated_readouts_do_not_group():
    assert find_groups([("a", ORIGINAL), ("u", UNRELATED), ("v", UNRELATED_2)]) == []


CORPUS = [
    ("orig", ORIGINAL),
    ("embassy", BOILERPLATE_COPY),
    ("edited", EDITED_COPY),
    ("short", TRUNCATED_COPY),
    ("long", EXTENDED_COPY),
    ("theirs", OTHER_SIDE),
    ("bank", UNRELATED),
    ("fish", UNRELATED_2),
    ("empty", ""),
]
EXPECTED = {frozenset({"orig", "embassy", "edited", "short", "long"})}


def test_index_api_canonical_is_earliest_added():
    index = DuplicateIndex()
    assert index.add("theirs", OTHER_SIDE) is None
    assert index.add("embassy", BOILERPLATE_COPY) is None
    assert index.add("orig", ORIGINAL) == "embassy"
    assert index.add("short", TRUNCATED_COPY) == "embassy"
    assert index.add("orig", "anything") == "embassy"  # re-adding an id is a no-op
    assert index.add("empty", "") is None
    assert index.groups() == [["embassy", "orig", "short"]]
    assert index.canonical("orig") == "embassy"
    assert index.canonical("theirs") == "theirs"
    assert ["empty"] in index.groups(singletons=True)
    assert len(index) == 5 and "orig" in index


def test_char_shingles_also_work():
    groups = find_groups(CORPUS, 0.3, shingler=Shingler("char", 9))
    assert groups_as_sets(groups) == EXPECTED


@settings(max_examples=40, deadline=None)
@given(st.permutations(CORPUS))
def test_grouping_is_invariant_to_order(items):
    groups = find_groups(items)
    assert groups_as_sets(groups) == EXPECTED
    first = next(doc_id for doc_id, _ in items if doc_id in next(iter(EXPECTED)))
    assert groups[0][0] == first  # canonical: the earliest added
    assert groups[0][1:] == sorted(groups[0][1:])


def test_pickle_round_trip():
    index = DuplicateIndex()
    for doc_id, text in CORPUS[:4]:
        index.add(doc_id, text)
    for restored in (DuplicateIndex.from_bytes(index.to_bytes()), pickle.loads(pickle.dumps(index))):
        assert restored.groups() == index.groups()
        # the restored index keeps working: later copies join the same group
        assert restored.add("long", EXTENDED_COPY) == "orig"
        assert restored.add("theirs", OTHER_SIDE) is None
        assert restored.groups() == [["orig", "edited", "embassy", "long", "short"]]


def test_from_bytes_rejects_other_state():
    with pytest.raises(ValueError, match="not a DuplicateIndex state"):
        DuplicateIndex.from_bytes(pickle.dumps({"something": "else"}))


# Same template, different meetings: a State Department-style series (invented officials).
TEMPLATE = """Secretary Marlow's Meeting with {title} {name} of {country}

Office of the Spokesperson
{when}

The following is attributable to Spokesperson Daniel Reyes:

Secretary of State Evelyn Marlow met with {title} {name} of {country} today in Washington. The Secretary and \
{title} {surname} discussed the strong partnership between the United States and {country}, including cooperation on \
economic security, critical minerals supply chains and maritime security. The Secretary reaffirmed the commitment of \
the United States to a free and open region and thanked {title} {surname} for {country}'s support for humanitarian \
relief efforts. They also discussed regional security challenges and agreed to stay in close touch.
"""
SERIES = {
    "tanabe": dict(title="Foreign Minister", name="Hiroshi Tanabe", surname="Tanabe", country="Japan",
                   when="March 3, 2024"),
    "park": dict(title="Foreign Minister", name="Min-jun Park", surname="Park", country="the Republic of Korea",
                 when="March 5, 2024"),
    "santos": dict(title="Foreign Minister", name="Maria Santos", surname="Santos", country="the Philippines",
                   when="March 8, 2024"),
    "tanabe-again": dict(title="Foreign Minister", name="Hiroshi Tanabe", surname="Tanabe", country="Japan",
                         when="April 22, 2024"),
}


def _extracted(doc_id, text):
    from readouts.pipeline import process
    from readouts.records import RawDocument

    result = process(RawDocument(doc_id, "test", text=text))
    return result.clean.text, readout_signature(result.readout)


def test_same_template_different_meetings_are_not_copies():
    docs = {k: _extracted(k, TEMPLATE.format(**v)) for k, v in SERIES.items()}
    texts_only = DuplicateIndex()
    for k, (text, _) in docs.items():
        texts_only.add(k, text)
    assert texts_only.groups()  # the texts alone look like copies: the engagements decide
    index = DuplicateIndex()
    for k, (text, (refs, quality)) in docs.items():
        assert len(refs) == 1
        assert index.add(k, text, engagements=refs, quality=quality) is None
    assert index.groups() == []


def test_a_copy_reporting_the_same_meeting_still_groups_and_the_best_is_canonical():
    full_text, (full_refs, full_q) = _extracted("full", TEMPLATE.format(**SERIES["tanabe"]))
    # a republished copy cut short and without the dateline: the same meeting, undated
    body = TEMPLATE.format(**SERIES["tanabe"]).split("Daniel Reyes:\n\n", 1)[1]
    cut = "Readout republished by a news portal\n\n" + body[: body.index("They also discussed")]
    cut_text, (cut_refs, cut_q) = _extracted("cut", cut)
    assert cut_refs and cut_refs[0].date is None and full_refs[0].date == "2024-03-03"
    assert cut_q < full_q
    index = DuplicateIndex()
    index.add("cut", cut_text, engagements=cut_refs, quality=cut_q)
    assert index.add("full", full_text, engagements=full_refs, quality=full_q) == "full"
    assert index.groups() == [["full", "cut"]]
    assert index.canonical("cut") == "full" and index.members("cut") == ["cut", "full"]


@pytest.mark.parametrize("a, b, agree", [
    ("tanabe", "tanabe", True),
    ("tanabe", "park", False),
    ("tanabe", "tanabe-again", False),
])
def test_engagements_agree(a, b, agree):
    ra = _extracted(a, TEMPLATE.format(**SERIES[a]))[1][0]
    rb = _extracted(b, TEMPLATE.format(**SERIES[b]))[1][0]
    assert engagements_agree(ra, rb) is agree
    assert engagements_agree(ra, ()) is True  # a document without engagements does not decide


SHORT_A = ("Norwegian Foreign Minister Ingrid Solberg spoke by telephone with Chilean Foreign Minister Alberto "
           "Fuentes. They discussed renewable energy and lithium.")
SHORT_B = ("Foreign Minister Ingrid Solberg held a phone call with Foreign Minister Alberto Fuentes of Chile "
           "on 12 May. The ministers discussed ocean management.")


def test_short_reports_of_one_call_are_not_copies_but_short_copies_are():
    assert find_groups([("a", SHORT_A), ("b", SHORT_B)]) == []
    assert find_groups([("a", SHORT_A), ("c", "Print | Share\n" + SHORT_A + "\nAll rights reserved.")]) == [["a", "c"]]


@settings(max_examples=15, deadline=None)
@given(st.permutations(CORPUS))
def test_the_store_state_groups_like_the_memory_state(tmp_path_factory, items):
    from readouts.dedup import SQLiteState
    from readouts.store import Store

    with Store(tmp_path_factory.mktemp("dd") / "d.db") as store:
        conn = store._conn  # noqa: SLF001 - the store's own connection, as the store uses it
        conn.execute("BEGIN")
        stored = DuplicateIndex(state=SQLiteState(conn))
        memory = DuplicateIndex()
        for doc_id, text in items:
            assert stored.add(doc_id, text) == memory.add(doc_id, text)
        assert stored.groups() == memory.groups() and len(stored) == len(memory) == len(CORPUS)
        assert stored.members("short") == memory.members("short")
        conn.execute("ROLLBACK")


# An invented readout in simplified Chinese, and the same text republished in traditional characters.
HANS = ("外交部长林浩然同挪威外交大臣英格丽德举行会谈。双方就双边关系、海洋合作、清洁能源和渔业交流深入交换意见，"
        "同意加强在北极事务和航运安全方面的沟通，并欢迎两国大学扩大学生交流。林浩然表示，中方愿同挪方共同办好明年的建交纪念活动。")


def test_a_copy_in_traditional_characters_is_a_copy():
    import opencc

    hant = opencc.OpenCC("s2t").convert(HANS)
    assert hant != HANS
    assert normalise(hant) == normalise(HANS) and normalise("林浩然表示")[:2] == ["林", "浩"]
    assert find_groups([("hans", HANS), ("hant", "首页 | 新闻\n" + hant)]) == [["hans", "hant"]]
    other = ("副部长陈思远会见来访的智利经济部长代表团，双方回顾了铜矿贸易的发展，讨论了港口物流、农产品检疫和"
             "电动汽车电池供应链问题。陈思远说，希望双方尽快召开经贸混委会会议。")
    assert find_groups([("hans", HANS), ("other", other)]) == []


# -- the project's MinHash and band choice are datasketch's, without importing it at run time ----

@pytest.mark.parametrize("shingles", [
    [f"shingle {i}" for i in range(300)],
    ["wang yi met", "yi met sergey", "met sergey lavrov"],
    ["王毅 会见", "拉夫罗夫"],
    [],
])
def test_minhash_equals_datasketch(shingles):
    datasketch = pytest.importorskip("datasketch")
    from readouts.dedup import MinHash

    ours, theirs = MinHash(128), datasketch.MinHash(num_perm=128)
    values = [s.encode("utf-8") for s in shingles]
    ours.update_batch(values)
    theirs.update_batch(values)
    assert ours.hashvalues.dtype == theirs.hashvalues.dtype
    assert (ours.hashvalues == theirs.hashvalues).all()


@pytest.mark.parametrize("threshold", [0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_lsh_bands_equal_datasketch(threshold, num_perm):
    datasketch = pytest.importorskip("datasketch")
    from readouts.dedup import LSH_WEIGHTS, lsh_bands

    lsh = datasketch.MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
    assert lsh_bands(threshold, num_perm) == (lsh.b, lsh.r)
