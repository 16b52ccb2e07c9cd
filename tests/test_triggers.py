"""Every engagement trigger of data/triggers.toml fires on a sentence written for it.

One row per trigger: a new trigger without a row fails ``test_every_trigger_has_a_sentence``.
Officials and texts are invented.
"""
from __future__ import annotations

import tomllib
from importlib.resources import files

import pytest

from readouts.pipeline import process
from readouts.records import RawDocument

A = "Foreign Minister Ana Lopes of Portugal"
B = "Foreign Minister Karl Berg of Sweden"
ON = "On March 3, 2021, "
BODY = f"\n\n{ON}the two ministers spoke about fisheries."

SENTENCES = {  # trigger -> (text, mode)
    "phone-held": (f"{ON}{A} held a phone call with {B}.", "phone_call"),
    "phone-spoke": (f"{ON}{A} spoke by phone with {B}.", "phone_call"),
    "call-on-pronoun": (f"{ON}{B} arrived in Lisbon. {A} paid him a courtesy call.", "meeting"),
    "phone-received": (f"{ON}{A} received a phone call from {B}.", "phone_call"),
    "phone-nominal": ("Ana Lopes's Phone Call with Karl Berg" + BODY, "phone_call"),
    "phoned": (f"{ON}{A} phoned {B}.", "phone_call"),
    "video-held": (f"{ON}{A} held a video conference with {B}.", "video_call"),
    "video-verb": (f"{ON}{A} met virtually with {B}.", "video_call"),
    "video-nominal": (f"{A} in virtual meeting with {B}" + BODY, "video_call"),
    "message-exchanged": (f"{ON}{A} exchanged congratulatory messages with {B}.", "message"),
    "message-sent": (f"{ON}{A} sent a message of condolence to {B}.", "message"),
    "talks-held": (f"{ON}{A} held talks with {B} in Lisbon.", "talks"),
    "talks-consulted": (f"{ON}{A} consulted with {B} in Lisbon.", "talks"),
    "talks-nominal": ("Ana Lopes's Talks with Karl Berg" + BODY, "talks"),
    "met": (f"{ON}{A} met with {B} in Lisbon.", "meeting"),
    "meeting-held": (f"{ON}{A} held a meeting with {B} in Lisbon.", "meeting"),
    "discussions-had": (f"{ON}in Lisbon, {A} spoke about the discussions she had with {B}.", "meeting"),
    "discussions-held": (f"{ON}{A} held discussions with {B} in Lisbon.", "meeting"),
    "received": (f"{ON}{A} received {B} in Lisbon.", "meeting"),
    "called-on": (f"{ON}{B} called on {A} in Lisbon.", "meeting"),
    "hosted-for-talks": (f"{ON}{A} hosted {B} for talks in Lisbon.", "talks"),
    "hosted-for-meeting": (f"{ON}{A} hosted {B} for a working meeting in Lisbon.", "meeting"),
    "caught-up": (f"{ON}{A} caught up with {B} in Lisbon.", "meeting"),
    "summoned": (f"{ON}{A} summoned Ambassador Karl Berg of Sweden in Lisbon.", "meeting"),
    "received-by": (f"{ON}{B} was received by {A} in Lisbon.", "meeting"),
    "meeting-nominal": ("Ana Lopes's Meeting with Karl Berg" + BODY, "meeting"),
    "spoke": (f"{ON}{A} spoke with {B}.", "phone_call"),
    "discussed-with": (f"{ON}{A} discussed with {B} the fisheries agreement in Lisbon.", "meeting"),
    "plural-discussed": (f"{ON}{A} and {B} exchanged views on fisheries in Lisbon.", "meeting"),
}


def trigger_names() -> list[str]:
    data = tomllib.loads(files("readouts").joinpath("data/triggers.toml").read_text(encoding="utf-8"))
    return [t["name"] for t in data["trigger"]]


def test_every_trigger_has_a_sentence() -> None:
    assert sorted(trigger_names()) == sorted(SENTENCES)


@pytest.mark.parametrize("name", sorted(SENTENCES))
def test_trigger_fires(name: str) -> None:
    text, mode = SENTENCES[name]
    result = process(RawDocument(id=name, source=f"{name}.txt", text=text))
    found = [(e.trigger.rule if e.trigger else None, e.mode, sorted(p.name or "" for p in e.participants))
             for e in result.readout.engagements]
    assert (f"trigger:{name}", mode, ["Ana Lopes", "Karl Berg"]) in found, found
