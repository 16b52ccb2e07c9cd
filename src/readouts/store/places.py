"""Enrichment at write time: an engagement's coordinates and occasion series (``readouts.places``)."""
from __future__ import annotations

from typing import Any


def place_columns(city: str | None, country: str | None, occasion: str | None,
                   when: str | None) -> tuple[Any, Any, Any, Any]:
    """(lat, lon, occasion series, occasion edition) of an engagement."""
    from readouts.places import normalise_occasion, resolve_location

    lat = lon = series = edition = None
    if city:
        place = resolve_location(city, country)
        lat, lon = place.lat, place.lon
    if occasion and occasion.strip():
        occ = normalise_occasion(occasion, when)
        series, edition = occ.series, occ.edition
    return lat, lon, series, edition

