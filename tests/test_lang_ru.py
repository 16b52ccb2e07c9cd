"""The Russian reader: tables of sentences written for these tests."""
from __future__ import annotations

import pytest

from readouts.clean import clean
from readouts.extract import extract
from readouts.lang import ru
from readouts.records import RawDocument


def read(text: str, doc_id: str = "t"):
    return extract(clean(RawDocument(doc_id, "test", text=text)))


def records(text: str) -> list[dict]:
    return [e.as_record() for e in read(text).engagements]


def people(rec: dict) -> set[tuple]:
    return {(p["name"], p["country"], (p["title"] or "").lower() or None) for p in rec["participants"]}


# (text, [(mode, {(name, country, title lower-cased)}, date, city, loc_country, occasion)])
CASES = [
    (
        "Министр иностранных дел России Сергей Лавров 12 марта 2023 года провёл переговоры с министром "
        "иностранных дел Турции Хаканом Фиданом в Анкаре.",
        [("talks", {("Сергей Лавров", "RUS", "министр иностранных дел"), ("Хакан Фидан", "TUR", "министр иностранных дел")},
          "2023-03-12", "Ankara", "TUR", None)],
    ),
    (
        "Президент России Владимир Путин провёл телефонный разговор с премьер-министром Венгрии Виктором Орбаном.",
        [("phone_call", {("Владимир Путин", "RUS", "президент"), ("Виктор Орбан", "HUN", "премьер-министр")}, None, None, None, None)],
    ),
    (
        "Президенты России и Франции Владимир Путин и Эммануэль Макрон провели переговоры в Москве.",
        [("talks", {("Владимир Путин", "RUS", "президент"), ("Эммануэль Макрон", "FRA", "президент")}, None, "Moscow", "RUS", None)],
    ),
    (
        "Глава МИД России Сергей Лавров встретился с госсекретарём США Марко Рубио на полях Генеральной Ассамблеи ООН "
        "в Нью-Йорке.",
        [("meeting", {("Сергей Лавров", "RUS", "глава мид"), ("Марко Рубио", "USA", "госсекретарь")}, None, "New York", "USA",
          "Генеральная Ассамблея ООН")],
    ),
    (
        # one verb, a list of people: one engagement each
        "Президент Узбекистана Шавкат Мирзиёев провёл встречи с президентами Киргизии Садыром Жапаровым и "
        "Таджикистана Эмомали Рахмоном.",
        [
            ("meeting", {("Шавкат Мирзиёев", "UZB", "президент"), ("Садыр Жапаров", "KGZ", "президент")}, None, None, None, None),
            ("meeting", {("Шавкат Мирзиёев", "UZB", "президент"), ("Эмомали Рахмон", "TJK", "президент")}, None, None, None, None),
        ],
    ),
    (
        "ТАШКЕНТ, 5 мая. Президент Узбекистана Шавкат Мирзиёев принял делегацию Турции во главе с министром "
        "иностранных дел Хаканом Фиданом.",
        [("meeting", {("Шавкат Мирзиёев", "UZB", "президент"), ("Хакан Фидан", "TUR", "министр иностранных дел")},
          None, "Tashkent", "UZB", None)],
    ),
    (
        "Переговоры президента России Владимира Путина и канцлера Германии Олафа Шольца прошли в Кремле.",
        [("talks", {("Владимир Путин", "RUS", "президент"), ("Олаф Шольц", "DEU", "канцлер")}, None, None, "RUS", None)],
    ),
    (
        "date 2024-01-24\nПрезидент Азербайджана Ильхам Алиев сегодня принял делегацию США.",
        [("meeting", {("Ильхам Алиев", "AZE", "президент"), (None, "USA", "делегация")}, "2024-01-24", None, None, None)],
    ),
    (
        # initials on both sides, a state's long name, the visitor "находящимся в Москве"
        "25 марта 2024 года Министр иностранных дел Российской Федерации С.В.Лавров провел переговоры с Министром "
        "иностранных дел Турецкой Республики Х.Фиданом, находящимся в Москве с рабочим визитом.",
        [("talks", {("С.В. Лавров", "RUS", "министр иностранных дел"), ("Х. Фидан", "TUR", "министр иностранных дел")},
          "2024-03-25", "Moscow", "RUS", None)],
    ),
    (
        # adjectives of the post belong to it
        "Сергей Лавров провел телефонный разговор с Государственным секретарем США Энтони Блинкеном.",
        [("phone_call", {("Сергей Лавров", "RUS", None), ("Энтони Блинкен", "USA", "государственный секретарь")},
          None, None, None, None)],
    ),
    (
        # a noun with one person in the genitive and the other after "с"; a city's state
        "Состоялась встреча Президента Республики Беларусь Александра Лукашенко с Губернатором Санкт-Петербурга "
        "Александром Бегловым.",
        [("meeting", {("Александр Лукашенко", "BLR", "президент"), ("Александр Беглов", "RUS", "губернатор санкт-петербурга")},
          None, None, None, None)],
    ),
    (
        # a dateline, a weekday without the text's own date
        "МОСКВА, 5 марта. /ТАСС/. Министр иностранных дел РФ Сергей Лавров в понедельник провел в Москве переговоры "
        "с главой МИД Индии Субраманьямом Джайшанкаром.",
        [("talks", {("Сергей Лавров", "RUS", "министр иностранных дел"), ("Субраманьям Джайшанкар", "IND", "глава мид")},
          None, "Moscow", "RUS", None)],
    ),
    (
        # a known official written with a case ending ("Си Цзиньпином")
        "Президент Казахстана Касым-Жомарт Токаев провел переговоры с председателем КНР Си Цзиньпином в Астане.",
        [("talks", {("Касым-Жомарт Токаев", "KAZ", "президент"), ("Си Цзиньпин", "CHN", "председатель")},
          None, "Astana", "KAZ", None)],
    ),
    (
        "Состоялся телефонный разговор Владимира Путина с Президентом Франции Эммануэлем Макроном.",
        [("phone_call", {("Владимир Путин", "RUS", None), ("Эммануэль Макрон", "FRA", "президент")}, None, None, None, None)],
    ),
    (
        # talks held by video link
        "Сергей Лавров провел переговоры с министром иностранных дел Китая Ван И в режиме видеоконференции.",
        [("video_call", {("Сергей Лавров", "RUS", None), ("Ван И", "CHN", "министр иностранных дел")}, None, None, None, None)],
    ),
    (
        "В Минске состоялись переговоры Александра Лукашенко и Владимира Путина.",
        [("talks", {("Александр Лукашенко", "BLR", None), ("Владимир Путин", "RUS", None)}, None, "Minsk", "BLR", None)],
    ),
    (
        "Ранее в Кремле сообщили, что Путин направил послание президенту Франции Эммануэлю Макрону.",
        [("message", {("Путин", "RUS", None), ("Эммануэль Макрон", "FRA", "президент")}, None, None, None, None)],
    ),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_engagements(text: str, expected: list) -> None:
    got = records(text)
    assert len(got) == len(expected), got
    for rec, (mode, who, when, city, country, occasion) in zip(got, expected):
        assert rec["mode"] == mode
        assert people(rec) == who
        assert rec["date"] == when
        assert rec["location"] == {"city": city, "country": country}
        assert rec["occasion"] == occasion


@pytest.mark.parametrize(
    "text",
    [
        # plans
        "Сергей Лавров и Марко Рубио планируют провести встречу в ближайшее время.",
        "Министр иностранных дел России Сергей Лавров проведёт переговоры с главой МИД Сербии Марко Джуричем.",
        # a past call named as a time, in a text about something else
        "После телефонного разговора Лаврова с министром Германии Хайко Маасом стороны согласовали дату видеоконференции.",
        # the noun's own verb makes it a plan, whoever reports it
        "Песков заявил, что встреча Путина и Трампа может состояться в ближайшие месяцы.",
        # a domestic meeting
        "Президент России Владимир Путин встретился с председателем правительства России Михаилом Мишустиным.",
        # a ceremony
        "Президент Казахстана Касым-Жомарт Токаев встретился с послом Испании Мигелем Ортисом, который вручил "
        "верительные грамоты.",
    ],
)
def test_not_readouts(text: str) -> None:
    r = read(text)
    assert not r.is_readout, r.engagements
    assert r.engagements == ()


@pytest.mark.parametrize(
    "words,case,expected",
    [
        (["Хаканом", "Фиданом"], "ablt", "Хакан Фидан"),
        (["Владимира", "Путина"], "gent", "Владимир Путин"),
        (["Ирину", "Винер-Усманову"], "accs", "Ирина Винер-Усманова"),
        (["Петером", "Сийярто"], "ablt", "Петер Сийярто"),  # indeclinable surname
        (["С.В.", "Лавров"], None, "С.В. Лавров"),
        (["Сергей", "Лавров"], "nomn", "Сергей Лавров"),
    ],
)
def test_nominative_names(words: list[str], case: str | None, expected: str) -> None:
    assert ru.nominative_name(words, case) == expected


@pytest.mark.parametrize(
    "words,expected",
    [
        (["Министром", "иностранных", "дел"], "Министр иностранных дел"),
        (["заместителя", "главы", "МИД"], "заместитель главы МИД"),
        (["Генеральной", "Ассамблеи", "ООН"], "Генеральная Ассамблея ООН"),
        (["президентами"], "президент"),
    ],
)
def test_nominative_phrases(words: list[str], expected: str) -> None:
    assert ru.nominative_phrase(words) == expected


def test_initials_and_known_officials() -> None:
    got = records("С.В.Лавров провёл переговоры с министром иностранных дел Венгрии Петером Сийярто.")
    assert people(got[0]) == {("С.В.Лавров", "RUS", None), ("Петер Сийярто", "HUN", "министр иностранных дел")} or \
        people(got[0]) == {("С.В. Лавров", "RUS", None), ("Петер Сийярто", "HUN", "министр иностранных дел")}


def test_post_without_name_is_the_person_the_text_names() -> None:
    got = records(
        "Президент России Владимир Путин провёл телефонный разговор с президентом Казахстана Касым-Жомартом Токаевым. "
        "Ранее президент России созвонился с главой Узбекистана. Шавкат Мирзиёев выразил соболезнования."
    )
    assert [sorted(p["name"] for p in e["participants"]) for e in got] == [
        ["Владимир Путин", "Касым-Жомарт Токаев"], ["Владимир Путин", "Шавкат Мирзиёев"]]


def test_statements_and_spans() -> None:
    text = "Президент России Владимир Путин провёл телефонный разговор с премьер-министром Венгрии Виктором Орбаном. " \
           "Путин заявил, что стороны договорились о контактах."
    r = read(text)
    doc = clean(RawDocument("t", "test", text=text))
    assert [(s.speaker, s.verb) for s in r.statements] == [("Владимир Путин", "заявить")]
    eng = r.engagements[0]
    assert doc.text[eng.trigger.start:eng.trigger.end] == "телефонный разговор"


@pytest.mark.parametrize(
    "text,issues",
    [
        ("Президент России Владимир Путин провёл телефонный разговор с премьер-министром Венгрии Виктором Орбаном. "
         "Обсуждалась ситуация вокруг Украины и ближневосточное урегулирование.",
         ["ситуация вокруг Украины", "ближневосточное урегулирование"]),
        ("Сергей Лавров встретился с Хаканом Фиданом. Обсуждены вопросы в области энергетики.", []),
    ],
)
def test_issues(text: str, issues: list[str]) -> None:
    assert [i.text for i in read(text).issues] == issues


NAV = "Главная\nНовости\nПолитика\nЭкономика\nВ мире\nОбщество\nСпорт\nКультура\nВидео\nФото\n"


def test_page_furniture_before_the_report_does_not_push_it_out_of_the_lead() -> None:
    r = read(NAV + "Министр иностранных дел России Сергей Лавров провёл переговоры с министром иностранных дел "
                   "Турции Хаканом Фиданом в Анкаре.")
    assert r.is_readout


def test_an_engagement_mentioned_late_in_another_story_is_background() -> None:
    text = ("Правительство Казахстана утвердило план развития транспортной инфраструктуры на ближайшие пять лет. "
            "Документ предусматривает строительство новых железных дорог и модернизацию аэропортов страны. "
            "По словам министра транспорта, на реализацию плана потребуются значительные средства из бюджета. "
            "Эксперты считают, что проект укрепит транзитный потенциал республики в регионе. "
            "В сентябре президент Казахстана Касым-Жомарт Токаев провёл телефонный разговор с президентом России "
            "Владимиром Путиным.")
    assert not read(text).is_readout


def test_statement_after_a_quote_and_its_issues() -> None:
    r = read("Президент России Владимир Путин провёл телефонный разговор с премьер-министром Венгрии Виктором Орбаном. "
             "«Мы обсудили ситуацию вокруг Украины», — сказал Путин.")
    assert [(s.speaker, s.verb, s.issues) for s in r.statements] == [
        ("Владимир Путин", "сказать", ("ситуацию вокруг Украины",))]
