"""The Chinese reader: tables of sentences written for these tests (simplified and traditional)."""
from __future__ import annotations

import pytest

from readouts.clean import clean
from readouts.extract import extract
from readouts.lang import zh
from readouts.records import RawDocument


def read(text: str, doc_id: str = "t"):
    return extract(clean(RawDocument(doc_id, "test", text=text)))


def records(text: str) -> list[dict]:
    return [e.as_record() for e in read(text).engagements]


def people(rec: dict) -> set[tuple]:
    return {(p["name"], p["country"], p["title"]) for p in rec["participants"]}


# (text, [(mode, {(name, country, title)}, date, city, loc_country, occasion)])
CASES = [
    (
        "2023年3月5日,国务委员兼外长王毅在北京会见到访的俄罗斯外长拉夫罗夫。",
        [("meeting", {("王毅", "CHN", "国务委员兼外长"), ("拉夫罗夫", "RUS", "外长")}, "2023-03-05", "Beijing", "CHN", None)],
    ),
    (
        "2021年6月2日,國務委員兼外長王毅應約同美國國務卿布林肯通電話。",
        [("phone_call", {("王毅", "CHN", "國務委員兼外長"), ("布林肯", "USA", "國務卿")}, "2021-06-02", None, None, None)],
    ),
    (
        "2024年1月8日,国家主席习近平同俄罗斯总统普京举行视频会晤。",
        [("video_call", {("习近平", "CHN", "国家主席"), ("普京", "RUS", "总统")}, "2024-01-08", None, None, None)],
    ),
    (
        "2019年9月1日,国务院总理李强在柏林同德国总理朔尔茨举行会谈。",
        [("talks", {("李强", "CHN", "国务院总理"), ("朔尔茨", "DEU", "总理")}, "2019-09-01", "Berlin", "DEU", None)],
    ),
    (
        "2022年5月4日,外长王毅在出席东盟外长会议期间在雅加达会见印度尼西亚外长蕾特诺。",
        [("meeting", {("王毅", "CHN", "外长"), ("蕾特诺", "IDN", "外长")}, "2022-05-04", "Jakarta", "IDN", "东盟外长会议")],
    ),
    (
        # one predicate, a list of people: a comma separates engagements, 和 joins one
        "2020年10月3日,中共中央对外联络部部长刘建超在首尔分别会见韩国国会议长金大中,韩国总理朴明和外长李光。",
        [
            ("meeting", {("刘建超", "CHN", "中共中央对外联络部部长"), ("金大中", "KOR", "国会议长")}, "2020-10-03", "Seoul", "KOR", None),
            ("meeting", {("刘建超", "CHN", "中共中央对外联络部部长"), ("朴明", "KOR", "总理"), ("李光", "KOR", "外长")},
             "2020-10-03", "Seoul", "KOR", None),
        ],
    ),
    (
        # the dateline gives the month and day, the page's date line the year
        "2018年7月8日\n新华社北京7月7日电 国家副主席王岐山今天在北京会见法国总统马克龙。",
        [("meeting", {("王岐山", "CHN", "国家副主席"), ("马克龙", "FRA", "总统")}, "2018-07-07", "Beijing", "CHN", None)],
    ),
    (
        "2019年12月1日,国家主席习近平致电维克多·奥班,祝贺他就任匈牙利总统。",
        [("message", {("习近平", "CHN", "国家主席"), ("维克多·奥班", "HUN", "总统")}, "2019-12-01", None, None, None)],
    ),
    (
        # a relative clause between the connector and the other side
        "2024年3月7日，外交部长王毅在北京同来华进行正式访问的新加坡外长维文举行会谈。",
        [("talks", {("王毅", "CHN", "外交部长"), ("维文", "SGP", "外长")}, "2024-03-07", "Beijing", "CHN", None)],
    ),
    (
        # two on each side, 、 lists one meeting's people, a date range gives its first day
        "2021年3月18日至19日，中央外办主任杨洁篪和国务委员兼外长王毅同美国国务卿布林肯、总统国家安全事务助理沙利文"
        "在安克雷奇举行高层战略对话。",
        [("talks", {("杨洁篪", "CHN", "中央外办主任"), ("王毅", "CHN", "国务委员兼外长"), ("布林肯", "USA", "国务卿"),
                    ("沙利文", "USA", "总统国家安全事务助理")}, "2021-03-18", "Anchorage", "USA", None)],
    ),
    (
        # "also": the second engagement shares the first one's date
        "2019年9月9日，国务委员兼外长王毅同朝鲜外务相李勇浩举行会谈。会谈后，王毅还会见了朝鲜劳动党委员长金正恩。",
        [
            ("talks", {("王毅", "CHN", "国务委员兼外长"), ("李勇浩", "PRK", "外务相")}, "2019-09-09", None, None, None),
            ("meeting", {("王毅", "CHN", "国务委员兼外长"), ("金正恩", "PRK", "劳动党委员长")}, "2019-09-09", None, None, None),
        ],
    ),
    (
        # an organisation's official; a group of a named state with no leader named
        "2022年12月1日，国家主席习近平应约同欧洲理事会主席米歇尔举行视频会晤。",
        [("video_call", {("习近平", "CHN", "国家主席"), ("米歇尔", "EU", "欧洲理事会主席")}, "2022-12-01", None, None, None)],
    ),
    (
        "2023年4月15日，外交部副部长马朝旭在北京会见美国联邦众议员访问团一行。",
        [("meeting", {("马朝旭", "CHN", "外交部副部长"), (None, "USA", "联邦众议员访问团")}, "2023-04-15", "Beijing", "CHN", None)],
    ),
    (
        "2024年1月1日，国家主席习近平同俄罗斯总统普京互致新年贺电。",
        [("message", {("习近平", "CHN", "国家主席"), ("普京", "RUS", "总统")}, "2024-01-01", None, None, None)],
    ),
    (
        "2020年5月8日，国务委员兼外长王毅通过视频方式会见联合国秘书长古特雷斯。",
        [("video_call", {("王毅", "CHN", "国务委员兼外长"), ("古特雷斯", "UN", "联合国秘书长")}, "2020-05-08", None, None, None)],
    ),
    (
        # provincial and military readouts; "在京" places it in Beijing
        "6月12日，省长王凯在郑州会见德国巴伐利亚州经济部长艾旺格一行。",
        [("meeting", {("王凯", "CHN", "省长"), ("艾旺格", "DEU", "巴伐利亚州经济部长")}, None, "Zhengzhou", "CHN", None)],
    ),
    (
        "2024年4月10日，中央军委副主席张又侠在京会见巴基斯坦陆军参谋长穆尼尔。",
        [("meeting", {("张又侠", "CHN", "中央军委副主席"), ("穆尼尔", "PAK", "陆军参谋长")}, "2024-04-10", "Beijing", "CHN", None)],
    ),
    (
        "2024年5月6日，中联部部长刘建超在京会见越南共产党代表团。",
        [("meeting", {("刘建超", "CHN", "中联部部长"), (None, "VNM", "共产党代表团")}, "2024-05-06", "Beijing", "CHN", None)],
    ),
    (
        # Hong Kong's word for a video conference
        "2022年3月18日，國家主席習近平應約同美國總統拜登舉行視像會晤。",
        [("video_call", {("習近平", "CHN", "國家主席"), ("拜登", "USA", "總統")}, "2022-03-18", None, None, None)],
    ),
    (
        # a name before its post
        "2023年8月22日，国家主席习近平在约翰内斯堡同拉马福萨总统举行会谈。",
        [("talks", {("习近平", "CHN", "国家主席"), ("拉马福萨", "ZAF", "总统")}, "2023-08-22", "Johannesburg", "ZAF", None)],
    ),
    (
        # a Taiwanese agency: a Chinese name with no state is Taiwan's
        "（中央社記者台北15日電）總統賴清德今天在台北接見美國聯邦參議員訪問團。",
        [("meeting", {("賴清德", "TWN", "總統"), (None, "USA", "聯邦參議員訪問團")}, None, "Taipei", "TWN", None)],
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
        # a plan, not a fact
        "2024年4月7日,外交部宣布,俄罗斯外长拉夫罗夫将于8日访华,届时将同外长王毅举行会谈。",
        # a joint statement, whatever it reports
        "中华人民共和国和法兰西共和国联合声明\n2019年3月5日,国家主席习近平同法国总统马克龙举行会谈。",
        # no engagement at all
        "外交部发言人今天表示,中方愿同各方一道维护地区和平稳定。",
        # a joint press conference
        "2024年3月7日，外交部长王毅与新加坡外长维文共同会见记者。",
    ],
)
def test_not_readouts(text: str) -> None:
    r = read(text)
    assert not r.is_readout
    assert r.engagements == ()


def test_plan_is_kept_as_planned() -> None:
    r = read("2024年4月7日,外交部宣布,俄罗斯外长拉夫罗夫届时将同外长王毅举行会谈。")
    assert [p.kind for p in r.planned] == ["talks"]


def test_traditional_and_simplified_read_alike() -> None:
    simple = records("2021年6月2日,国家主席习近平同美国总统拜登通电话。")
    traditional = records("2021年6月2日,國家主席習近平同美國總統拜登通電話。")
    assert [(e["mode"], e["date"], sorted(p["country"] for p in e["participants"])) for e in simple] == \
        [(e["mode"], e["date"], sorted(p["country"] for p in e["participants"])) for e in traditional]
    assert {p["name"] for p in traditional[0]["participants"]} == {"習近平", "拜登"}  # as written


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2022年10月31日,王毅同布林肯通电话。", "2022-10-31"),
        ("发布时间:2022-11-02\n外长王毅31日同美国国务卿布林肯通电话。", "2022-10-31"),
        ("2026-02-14\n外长王毅当地时间周五（13日）在慕尼黑会见美国国务卿鲁比奥。", "2026-02-13"),
        ("2026-02-14\n外长王毅昨天在慕尼黑会见美国国务卿鲁比奥。", "2026-02-13"),
        ("外长王毅10月31日同美国国务卿布林肯通电话。", None),  # no year anywhere
        ("date 2024-05-16\n外交部长林佳龙今（15）日接见美国联邦众议员访问团。", "2024-05-15"),
    ],
)
def test_dates(text: str, expected: str | None) -> None:
    got = records(text)
    assert got and got[0]["date"] == expected


def test_spans_point_into_the_original_text() -> None:
    text = "2021年6月2日,國務委員兼外長王毅應約同美國國務卿布林肯通電話。"
    r = read(text)
    doc = clean(RawDocument("t", "test", text=text))
    eng = r.engagements[0]
    assert doc.text[eng.trigger.start:eng.trigger.end] == "通電話"
    for p in eng.participants:
        assert doc.text[p.span.start:p.span.end].endswith(p.name)


def test_statements() -> None:
    r = read("2021年6月2日,国家主席习近平同美国总统拜登通电话。习近平表示,中美应当加强对话。")
    assert [(s.speaker, s.verb) for s in r.statements] == [("习近平", "表示")]


@pytest.mark.parametrize("text", ["國務委員兼外長王毅", "台灣", "乾隆年間著書", "abc 國家"])
def test_simplified_copy_keeps_offsets(text: str) -> None:
    assert len(zh.to_simplified(text)) == len(text)


@pytest.mark.parametrize(
    "text,issues",
    [
        ("2021年6月2日,国家主席习近平同美国总统拜登通电话。双方就乌克兰危机和朝鲜半岛局势交换了意见。",
         ["乌克兰危机", "朝鲜半岛局势"]),
        ("2021年6月2日,國家主席習近平同美國總統拜登通電話。習近平強調,台灣問題是最重要的問題。", ["台灣問題"]),
        ("2021年6月2日,国家主席习近平同美国总统拜登通电话。", []),
    ],
)
def test_issues(text: str, issues: list[str]) -> None:
    assert [i.text for i in read(text).issues] == issues


COMMENTARY = (
    "今年以来，全球经济复苏乏力，各国面临的挑战明显增多，国际社会普遍关注多边贸易体制的前景。\n"
    "分析人士认为，各主要经济体应当加强宏观政策协调，共同应对通胀压力和供应链风险。\n"
    "专家指出，发展中国家在全球治理中的代表性和发言权仍有待进一步提升。\n"
    "在这一背景下，区域合作机制的作用日益凸显，各方对加强互联互通寄予厚望。\n"
    "此前，国务委员兼外长王毅曾在北京会见来访的印度尼西亚外长蕾特诺。\n"
)


def test_an_engagement_mentioned_late_in_commentary_is_not_the_subject() -> None:
    assert not read(COMMENTARY).is_readout


def test_a_headline_that_reports_an_engagement_keeps_it() -> None:
    r = read("王毅会见印度尼西亚外长\n" + COMMENTARY)
    assert r.is_readout and {p.name for p in r.engagements[0].participants} == {"王毅", "蕾特诺"}


def test_statement_issues() -> None:
    r = read("2021年6月2日,国家主席习近平同美国总统拜登通电话。习近平强调,台湾问题是中美关系中最重要的问题。")
    assert [(s.speaker, s.issues) for s in r.statements] == [("习近平", ("台湾问题",))]
