"""Language identification by script (readouts.lang.detect)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from readouts.lang.detect import language

CASES = [
    ("Wang Yi met with Sergey Lavrov in Beijing on Monday.", "en"),
    ("Wang Yi met “Sergey Lavrov” — in Beijing, naïvely.", "en"),
    ("国务委员兼外长王毅在北京会见俄罗斯外长拉夫罗夫。", "zh"),
    ("國務委員兼外長王毅在北京會見俄羅斯外長拉夫羅夫。", "zh"),
    ("外长王毅会见美国国务卿Marco Rubio (Secretary of State) 并合影。", "zh"),
    ("Министр иностранных дел России Сергей Лавров провёл переговоры с коллегой.", "ru"),
    ("Міністр закордонних справ України Дмитро Кулеба провів переговори з колегою.", "uk"),
    ("Министърът на външните работи се срещна с колегата си в София и обсъдиха двустранните връзки.", "bg"),
    ("Объявлен съезд партии, министры обсудили подъём цен.", "ru"),  # ъ in Russian words too
    ("岸田文雄首相は北京で習近平国家主席と会談した。", "ja"),
    ("윤석열 대통령은 서울에서 외교장관을 만났다.", "ko"),
    ("", "en"),
    ("2024-01-01 12:00", "en"),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_language(text: str, expected: str) -> None:
    assert language(text) == expected


@given(st.text())
def test_any_text_gets_a_code(text: str) -> None:
    assert language(text) in {"en", "zh", "ru", "uk", "bg", "ja", "ko"}
