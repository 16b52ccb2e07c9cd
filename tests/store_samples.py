"""Hand-built results for the store and export tests (invented officials, invented texts)."""
from __future__ import annotations

from readouts.pipeline import Result
from readouts.records import (
    CleanDocument,
    Engagement,
    Location,
    Participant,
    RawDocument,
    Readout,
    content_hash,
)


def make_result(
    doc_id: str,
    text: str,
    engagements: tuple[Engagement, ...] = (),
    *,
    title: str | None = None,
    url: str | None = None,
    is_readout: bool | None = None,
    hash_: str = "",
) -> Result:
    raw = RawDocument(id=doc_id, source=f"{doc_id}.txt", text=text, url=url)
    clean = CleanDocument(id=doc_id, source=f"{doc_id}.txt", text=text, title=title, url=url,
                          content_hash=hash_)
    readout = Readout(
        id=doc_id,
        is_readout=bool(engagements) if is_readout is None else is_readout,
        engagements=engagements,
        reason="engagement found" if engagements else "no engagement",
        title=title,
        url=url,
        source=f"{doc_id}.txt",
        content_hash=hash_ or content_hash(text),
    )
    return Result(raw, clean, readout)


def person(name: str, country: str, title: str, side: str = "object") -> Participant:
    return Participant(name=name, country=country, title=title, side=side)


LOPES = person("Ana Lopes", "PRT", "Foreign Minister", "subject")
BERG = person("Karl Berg", "SWE", "Foreign Minister")
DAHL = person("Ingrid Dahl", "NOR", "Prime Minister")
SAARI = person("Mikko Saari", "FIN", "Minister for Trade", "subject")
TAMM = person("Liis Tamm", "EST", "President")
ZIELINSKI = person("Łukasz Zieliński", "POL", "Deputy Foreign Minister", "subject")
FAURE = person("Émile Faure", "FRA", "Ambassador")

TEXT_A = ("On March 3, 2021, Foreign Minister Ana Lopes of Portugal met with Foreign Minister "
          "Karl Berg of Sweden in Lisbon. They discussed fisheries.")
TEXT_B = ("In July 2021 Foreign Minister Ana Lopes held a phone call with Prime Minister "
          "Ingrid Dahl of Norway about climate finance.")
TEXT_C = ("Minister for Trade Mikko Saari held talks with Karl Berg in 2019 and later sent a "
          "message to President Liis Tamm. A joint statement followed.")
TEXT_D = ("On 31 December 2020 Deputy Foreign Minister Łukasz Zieliński spoke by video link "
          "with Ambassador Émile Faure.")
TEXT_E = "The ministry published its annual report on consular services."

# label -> (document, ordinal); ids are <content hash>-<ordinal>
SAMPLE = {
    "A": make_result("doc-a", TEXT_A, (
        Engagement(date="2021-03-03", date_precision="day", mode="meeting",
                   participants=(LOPES, BERG), location=Location("Lisbon", "PRT"),
                   occasion="bilateral consultations"),
    ), title="Minister Lopes meets Minister Berg", url="https://example.org/a"),
    "B": make_result("doc-b", TEXT_B, (
        Engagement(date="2021-07", date_precision="month", mode="phone_call",
                   participants=(LOPES, DAHL)),
    ), title="Phone call on climate"),
    "C": make_result("doc-c", TEXT_C, (
        Engagement(date="2019", date_precision="year", mode="talks", participants=(SAARI, BERG),
                   location=Location("Helsinki", "FIN")),
        Engagement(date=None, mode="message", participants=(SAARI, TAMM)),
    ), title="Trade talks"),
    "D": make_result("doc-d", TEXT_D, (
        Engagement(date="2020-12-31", date_precision="day", mode="video_call",
                   participants=(ZIELINSKI, FAURE)),
    )),
    "E": make_result("doc-e", TEXT_E, title="Annual report"),
}


def engagement_ids() -> dict[str, str]:
    """A0 ... E: label + ordinal -> the engagement id the store gives it."""
    ids = {}
    for label, result in SAMPLE.items():
        key = content_hash(result.clean.text)
        for i, _ in enumerate(result.readout.engagements):
            ids[f"{label}{i}"] = f"{key}-{i}"
    return ids


def undo_migrations_after_event_links(conn) -> None:  # noqa: ANN001 - sqlite3.Connection
    """Drop what the migrations after ``006_event_links`` added (the actor registry tables, the
    participants' ``actor_name``, the indexes for large stores): a store of schema 006 again,
    but for ``user_version``, which the caller sets."""
    for table in ("actor_names", "actor_name_blocks", "actor_sightings", "actor_clusters", "actor_docs", "actor_state"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP INDEX participants_actor_name")
    conn.execute("ALTER TABLE participants DROP COLUMN actor_name")
    for index in ("documents_copies", "documents_groups", "engagements_order", "engagements_read"):
        conn.execute(f"DROP INDEX {index}")
    conn.execute("CREATE INDEX documents_duplicate_group ON documents (duplicate_group)")
