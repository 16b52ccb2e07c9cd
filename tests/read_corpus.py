"""An invented corpus for the read side (tests/test_read_table.py, tests/test_web_browser.py):
one call reported by three publishers (``test_sides.REPORTS``), an identical republication
under another id and URL, a near-duplicate copy, an undated meeting, a surname-only report, and
a text whose words FTS5 would read as syntax ("U.S.", "Xi's", "one-China", "China-US").

All names are invented officials of real states.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_sides import REPORTS

NOR_CALL = REPORTS[0]["text"]

MORE = [
    # the same text under another id and URL: one stored text, two sources
    {"id": "nor-call-repost", "url": "https://example-aggregator.test/nor-call", "text": NOR_CALL},
    # a near-duplicate copy: a copy of the call report (not canonical)
    {"id": "nor-call-copy", "url": "https://example-daily.test/world/nor-call",
     "text": NOR_CALL + "\nReprinted from the ministry's website.\n"},
    # no date anywhere: undated, not charted
    {"id": "arctic-undated", "url": "https://example-nor-mfa.test/arctic",
     "text": "Polar research on the agenda in Reykjavik\n\n"
             "On the sidelines of the Arctic Circle Assembly, Norway's Foreign Minister Ingrid Solberg had a "
             "meeting with her Chilean colleague Alberto Fuentes. Both sides want more joint expeditions, "
             "data sharing between polar institutes and a common position on krill quotas.\n"},
    # words FTS5 would read as syntax
    {"id": "oslo-talks-2024", "url": "https://example-nor-mfa.test/talks-2024",
     "text": "Foreign Minister Ingrid Solberg holds talks with Foreign Minister Alberto Fuentes\n\n3 March 2024\n\n"
             "Foreign Minister Ingrid Solberg of Norway held talks with Foreign Minister Alberto Fuentes of Chile "
             "in Oslo on 3 March 2024.\n\nThe ministers discussed the U.S. tariffs on steel, President Xi's "
             "proposal on shipping lanes, China-US trade and the one-China policy.\n"},
    # a surname only: the actor registry resolves it to the one Fuentes
    {"id": "chl-january-call", "url": "https://example-chl-mfa.test/january",
     "text": "Foreign Minister Fuentes speaks with Peruvian counterpart\n\n9 January 2024\n\n"
             "Foreign Minister Fuentes of Chile held a phone call with Foreign Minister Rosa Huaman of Peru "
             "on 9 January 2024.\n\nThe ministers discussed border crossings.\n"},
]

DOCUMENTS = [*REPORTS, *MORE]


def write(folder: Path) -> Path:
    """The corpus as one JSON Lines file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "read_corpus.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DOCUMENTS), encoding="utf-8")
    return path


def ingest(folder: Path) -> Path:
    """The corpus ingested by ``readouts ingest`` (a real process) into ``folder``/r.db."""
    db = folder / "r.db"
    proc = subprocess.run([sys.executable, "-m", "readouts", "ingest", str(write(folder)), "--db", str(db),
                           "--no-progress"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return db
