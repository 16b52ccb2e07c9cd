"""Readers for readouts written in Chinese and Russian.

``detect.language`` tells a document's language from its scripts; ``read`` sends a
Chinese or Russian document to its reader (``zh.read`` / ``ru.read``), which returns the
same ``Readout`` records as the English extractor. The rule packs are data files
(``data/zh/rules.toml``, ``data/ru/rules.toml``, ``data/states_zh_ru.tsv``,
``data/cities_zh_ru.tsv``, ``data/officials_names.tsv``), validated when loaded.
"""
from __future__ import annotations

from readouts.lang.detect import language
from readouts.records import CleanDocument, Readout

#: languages with a reader of their own (English goes through ``readouts.extract``)
READERS = ("zh", "ru")


def read(doc: CleanDocument, lang: str) -> Readout:
    """The readout of a document in ``lang`` (one of ``READERS``)."""
    if lang == "zh":
        from readouts.lang import zh

        return zh.read(doc)
    if lang == "ru":
        from readouts.lang import ru

        return ru.read(doc)
    raise ValueError(f"no reader for language {lang!r}")


__all__ = ["READERS", "language", "read"]
