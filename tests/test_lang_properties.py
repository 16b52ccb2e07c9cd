"""Properties of the Chinese and Russian readers on any text (Hypothesis): they never fail, and
every span they report points at the text it quotes."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from readouts.clean import clean
from readouts.lang import ru, zh
from readouts.records import RawDocument

ZH_WORDS = ["国务委员兼外长", "王毅", "会见", "同", "俄罗斯", "外长", "拉夫罗夫", "通电话", "2019年7月26日", "在北京",
            "，", "。", "将", "举行会谈", "出席", "峰会", "期间", "\n", "美国总统", "拜登", "就", "问题", "交换意见", "國務卿"]
RU_WORDS = ["Министр", "иностранных", "дел", "России", "Сергей", "Лавров", "встретился", "с", "министром", "Турции",
            "Хаканом", "Фиданом", "провёл", "переговоры", "телефонный", "разговор", "и", ",", ".", "\n", "на", "полях",
            "саммита", "в", "Москве", "26", "июля", "2019", "года", "планирует", "С.В.", "Ван", "И", "принял"]


def _check(readout, text: str) -> None:
    spans = [e.trigger for e in readout.engagements] + [p.span for e in readout.engagements for p in e.participants]
    spans += [i.span for i in readout.issues] + [s.span for s in readout.statements]
    for span in spans:
        if span is not None:
            assert 0 <= span.start <= span.end <= len(text)
            assert text[span.start:span.end] == span.text
    for e in readout.engagements:
        assert len(e.participants) >= 2


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(st.sampled_from(ZH_WORDS), max_size=40).map("".join))
def test_chinese_reader_on_any_sentence(text: str) -> None:
    doc = clean(RawDocument("p", "test", text=text))
    _check(zh.read(doc), doc.text)


@SETTINGS
@given(st.lists(st.sampled_from(RU_WORDS), max_size=40).map(" ".join))
def test_russian_reader_on_any_sentence(text: str) -> None:
    doc = clean(RawDocument("p", "test", text=text))
    _check(ru.read(doc), doc.text)


@SETTINGS
@given(st.text(max_size=300))
def test_readers_on_any_text(text: str) -> None:
    doc = clean(RawDocument("p", "test", text=text))
    _check(zh.read(doc), doc.text)
    _check(ru.read(doc), doc.text)


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=50))
def test_simplified_copy_has_the_same_length(text: str) -> None:
    assert len(zh.to_simplified(text)) == len(text)
