"""What every gold record the project writes must satisfy (FORMAT.md): the golden files of the
sample corpus and of the invented held-out set are checked with it."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from readouts.records import MODES

ISO_DATE = re.compile(r"\d{4}(-\d\d(-\d\d)?)?")
CODE = re.compile(r"[A-Z]{2,6}")
REMOTE = {"phone_call", "video_call", "message"}


def check_gold_record(rec: Mapping[str, Any], text: str) -> None:
    """Assert that ``rec`` follows the record format and that its values come from ``text``."""
    assert set(rec) == {"id", "is_readout", "engagements"}
    assert bool(rec["engagements"]) == rec["is_readout"]
    for eng in rec["engagements"]:
        assert set(eng) == {"date", "mode", "participants", "location", "occasion"}
        assert eng["mode"] in MODES
        assert eng["date"] is None or ISO_DATE.fullmatch(eng["date"])
        assert len(eng["participants"]) >= 2
        for p in eng["participants"]:
            assert {"name", "country", "title"} <= set(p) <= {"name", "country", "title", "aliases"}
            assert p["country"] is None or CODE.fullmatch(p["country"])
            assert p["name"] is None or p["name"] in text  # fullest form as the text gives it
            assert p["title"] is None or p["title"].lower() in text.lower()
        if eng["mode"] in REMOTE:
            assert eng["location"] == {"city": None, "country": None}
        if eng["location"]["city"]:
            assert eng["location"]["city"].lower() in text.lower()  # datelines: "HANOI, Oct. 17"
        if eng["occasion"]:
            assert eng["occasion"] in text
