"""A gazetteer of postcodes and towns built from the addresses of the places themselves.

"Near an address" must work without an outside geocoder: the places' own addresses already
say where ``36037`` and ``Hünfeld`` are. Entries carry a centroid (the mean of the addresses,
weighted by how many places share them) and a bounding box. Search is German-aware through
``fold()``: "huenfeld" finds Hünfeld, "Fuld" finds Fulda, postcodes match by prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from geo.text import fold

# A box around a single address, so that "fit the map to it" does not zoom to the last level.
MIN_HALF_SIZE_DEG = 0.005
MIN_SIMILARITY = 0.75
PREFIX_SCORE = 0.8  # the weakest match as written (a word of the name begins with the query)
_POSTCODE_QUERY = re.compile(r"^\s*(\d{1,5})(?:\s|$)")


@dataclass(frozen=True)
class AddressGroup:
    """Places sharing one (postcode, city, municipality): their count, mean position and box."""

    postcode: str | None
    city: str | None
    municipality: str | None
    count: int
    lon: float
    lat: float
    bbox: tuple[float, float, float, float]

    @classmethod
    def point(cls, postcode: str | None, city: str | None, municipality: str | None,
              lon: float, lat: float) -> AddressGroup:
        return cls(postcode, city, municipality, 1, lon, lat, (lon, lat, lon, lat))


@dataclass(frozen=True)
class Entry:
    label: str
    kind: str  # "postcode", "town" or "municipality"
    lon: float
    lat: float
    bbox: tuple[float, float, float, float]
    count: int  # places behind the entry: more places, more likely meant
    key: str  # what a query is compared with (folded name or postcode)

    def as_dict(self) -> dict:
        return {"label": self.label, "kind": self.kind, "lon": round(self.lon, 6),
                "lat": round(self.lat, 6), "bbox": [round(v, 6) for v in self.bbox]}


def _merge(groups: list[AddressGroup]) -> tuple[float, float, tuple[float, float, float, float], int]:
    count = sum(g.count for g in groups)
    lon = sum(g.lon * g.count for g in groups) / count
    lat = sum(g.lat * g.count for g in groups) / count
    box = (min(g.bbox[0] for g in groups), min(g.bbox[1] for g in groups),
           max(g.bbox[2] for g in groups), max(g.bbox[3] for g in groups))
    return lon, lat, _padded(box), count


def _padded(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    w, s, e, n = box
    cx, cy = (w + e) / 2, (s + n) / 2
    hx, hy = max((e - w) / 2, MIN_HALF_SIZE_DEG), max((n - s) / 2, MIN_HALF_SIZE_DEG)
    return (cx - hx, cy - hy, cx + hx, cy + hy)


def _most_common(values: Iterable[tuple[str | None, int]]) -> str | None:
    totals: dict[str, int] = {}
    for value, count in values:
        if value:
            totals[value] = totals.get(value, 0) + count
    return max(sorted(totals), key=totals.__getitem__) if totals else None


def build(groups: Iterable[AddressGroup]) -> Gazetteer:
    """Entries for every postcode, town (city) and municipality that is not also a town."""
    by_postcode: dict[str, list[AddressGroup]] = {}
    by_town: dict[str, list[AddressGroup]] = {}
    by_municipality: dict[str, list[AddressGroup]] = {}
    for group in groups:
        if group.postcode and group.postcode.strip():
            by_postcode.setdefault(group.postcode.strip(), []).append(group)
        if group.city and fold(group.city).strip():
            by_town.setdefault(_key(group.city), []).append(group)
        if group.municipality and fold(group.municipality).strip():
            by_municipality.setdefault(_key(group.municipality), []).append(group)
    entries = []
    for postcode, members in by_postcode.items():
        lon, lat, box, count = _merge(members)
        town = _most_common((g.city, g.count) for g in members)
        entries.append(Entry(f"{postcode} {town}" if town else postcode, "postcode",
                             lon, lat, box, count, postcode))
    for kind, table, name_of in (("town", by_town, lambda g: g.city),
                                 ("municipality", by_municipality, lambda g: g.municipality)):
        for key, members in table.items():
            if kind == "municipality" and key in by_town:
                continue  # the town of the same name is the better centre
            lon, lat, box, count = _merge(members)
            label = _most_common((name_of(g).strip(), g.count) for g in members)
            entries.append(Entry(label, kind, lon, lat, box, count, key))
    return Gazetteer(entries)


def _key(name: str) -> str:
    return " ".join(fold(name).split())


class Gazetteer:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries

    def search(self, query: str, limit: int = 8) -> list[Entry]:
        """Best matches first. A query starting with digits is a postcode (prefix); otherwise
        names match exactly, by prefix (of the name or one of its words), or by similarity."""
        postcode = _POSTCODE_QUERY.match(query)
        if postcode:
            digits = postcode.group(1)
            hits = [e for e in self.entries if e.kind == "postcode" and e.key.startswith(digits)]
            hits.sort(key=lambda e: (e.key != digits, -e.count, e.key))
            return hits[:limit]
        wanted = _key(query)
        if not wanted:
            return []
        scored = []
        for entry in self.entries:
            if entry.kind == "postcode":
                continue
            score = _name_score(wanted, entry.key)
            if score > 0:
                scored.append((-score, -entry.count, entry.label, entry))
        # Typo-tolerant matches only when nothing matches as written.
        if any(-s[0] >= PREFIX_SCORE for s in scored):
            scored = [s for s in scored if -s[0] >= PREFIX_SCORE]
        scored.sort(key=lambda s: s[:3])
        return [s[3] for s in scored[:limit]]


def _name_score(wanted: str, name: str) -> float:
    if name == wanted:
        return 1.0
    if name.startswith(wanted):
        return 0.9
    if any(word.startswith(wanted) for word in name.split()):
        return PREFIX_SCORE
    # Forgiving of small typos ("Hunfeld", "Fulds"), compared with the name's beginning so that
    # a short query is not penalised for a long name.
    similarity = max(SequenceMatcher(None, wanted, name).ratio(),
                     SequenceMatcher(None, wanted, name[:len(wanted)]).ratio()
                     if len(wanted) >= 4 else 0.0)
    return 0.7 * similarity if similarity >= MIN_SIMILARITY else 0.0
