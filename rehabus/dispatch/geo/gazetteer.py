"""Finding a place by typing its name: a gazetteer of a city's districts, villages, streets,
landmarks, hospitals and clinics, searched with Chinese text in mind.

A `Gazetteer` holds `Place` values and answers `Gazetteer.search`: the places whose name (or
English name, or street address) matches what was typed, best first:

1. how it matches: the whole name (``exact``), the start of the name (``prefix``), inside the
   name (``substring``), inside the street address (``address``), or the typed characters in
   order inside a longer name of a hospital, clinic, landmark or saved place
   (``abbreviation``: 成大醫院 finds 國立成功大學醫學院附設醫院);
2. then the kind of place (`KIND_ORDER`: hospitals before districts, villages, landmarks,
   streets and clinics);
3. then its size (population, staff, or metres of street), larger first.

A query that starts with a district's name (``永康區中華路``, also after the city's name,
``臺南市北區公園路``, and with a house number, ``...901號``) looks for the rest inside that
district, and offers the district itself last. Text is compared folded (`fold`): full-width
and half-width forms alike, 台 as 臺, no spaces, case ignored, ``1段`` as ``一段``.

`rehabus.dispatch.geo.city_places.load_gazetteer` builds a city's from the shipped data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.point import Point

__all__ = [
    "APPROXIMATE",
    "KIND_ORDER",
    "MATCH_ORDER",
    "MAX_QUERY_CHARS",
    "Found",
    "Gazetteer",
    "Located",
    "Match",
    "Place",
    "PlaceKind",
    "fold",
]

PlaceKind = Literal["saved", "hospital", "district", "village", "landmark", "street", "clinic"]
"""What a place is. ``saved`` is a rider's own saved place (never in a city's gazetteer: the
caller passes them to `Gazetteer.search`)."""
KIND_ORDER: Final[tuple[PlaceKind, ...]] = get_args(PlaceKind)
"""Kinds in the order equal matches are listed."""

Located = Literal[
    "saved", "osm", "nhia", "village", "district", "village_centre", "district_centre"
]
"""Where a place's point comes from:

- ``saved``: the point the rider (or their caregiver) saved;
- ``osm``: on the street or feature itself (OpenStreetMap);
- ``nhia``: the coordinates the National Health Insurance Administration publishes;
- ``village``, ``district``: a stand-in inside the village (里) the address names, or inside
  the district (`rehabus.dispatch.geo.institutions`): approximate;
- ``village_centre``, ``district_centre``: a village or district as a whole, at a point inside
  it near its middle: approximate.
"""
APPROXIMATE: Final = frozenset({"village", "district", "village_centre", "district_centre"})
"""`Located` values that are stand-ins: the rider should be told the point is approximate."""

Match = Literal["exact", "prefix", "substring", "address", "abbreviation", "district"]
"""How a place matched (`MATCH_ORDER`, best first); ``district`` is the district a query
named, offered after whatever matched inside it."""
MATCH_ORDER: Final[tuple[Match, ...]] = get_args(Match)

MAX_QUERY_CHARS: Final = 64
"""The longest query searched (a full street address fits)."""
_ABBREVIATION_MIN_CHARS: Final = 3
"""Shorter queries would find an abbreviation in too many names."""
_ABBREVIATED: Final = frozenset({"saved", "hospital", "clinic", "landmark"})
"""Kinds whose long names people shorten (成大醫院); a street's name is short already, and
its numbers (南門路31巷) must not be read as an abbreviation of another (南門路231巷)."""

_DROPPED = re.compile(r"[\s·・•‧、，,。.]+")
_SECTION = re.compile(r"(\d{1,2})段")
_NUMERALS = "〇一二三四五六七八九十"
_HOUSE_NUMBER = re.compile(r"\d+(之\d+)?號.*$")


def fold(text: str) -> str:
    """``text`` as the gazetteer compares it: Unicode NFKC (full-width letters, digits and
    brackets become half-width), case-folded, 台 written 臺, without spaces or separators
    (``·、，``), and a section number in digits written in Chinese (``中華路1段`` as
    ``中華路一段``, as street names are)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("台", "臺")
    text = _DROPPED.sub("", text)
    return _SECTION.sub(
        lambda m: (_NUMERALS[int(m.group(1))] if int(m.group(1)) <= 10 else m.group(1)) + "段",
        text,
    )


@dataclass(frozen=True, slots=True)
class Place:
    """A place a rider can name.

    Attributes
    ----------
    id
        Stable within a city: ``district:<MOI code>``, ``village:<MOI code>``,
        ``street:<district>:<name>``, ``landmark:<district>:<name>``,
        ``institution:<MOHW code>``, ``saved:<id>``.
    label
        Its name as shown (``南門路``, ``國立成功大學醫學院附設醫院``, ``大港里``).
    kind
        See `PlaceKind`.
    district
        The district (區) it lies in (``北區``); a street crossing districts is one place in
        each.
    point
        Where a trip to it starts or ends.
    located
        Where ``point`` comes from (`Located`).
    address
        A street address, where the source gives one (hospitals and clinics).
    name_en
        An English name, where the source gives one.
    size
        What ranks equal matches of one kind: residents of a district or village, staff of a
        hospital or clinic, metres of a street.
    """

    id: str
    label: str
    kind: PlaceKind
    district: str
    point: Point
    located: Located
    address: str = ""
    name_en: str = ""
    size: float = 0.0

    def __post_init__(self) -> None:
        if not self.label.strip():
            raise InputError(f"label: the place {self.id!r} has no name")
        if self.kind not in KIND_ORDER:
            raise InputError(f"kind: {self.kind!r} is not one of {', '.join(KIND_ORDER)}")
        if self.located not in get_args(Located):
            raise InputError(f"located: {self.located!r} is not one of {get_args(Located)}")

    @property
    def approximate(self) -> bool:
        """Whether ``point`` is a stand-in (a village's or district's, see `APPROXIMATE`)."""
        return self.located in APPROXIMATE


@dataclass(frozen=True, slots=True)
class Found:
    """A place that matched a query, and how (`Match`)."""

    place: Place
    match: Match


@dataclass(frozen=True, slots=True)
class _Entry:
    place: Place
    names: tuple[str, ...]
    """The folded label, and the folded English name when there is one."""
    address: str
    rank: tuple[int, float, int, str]
    """Kind, larger first, shorter first, by label: the order of equal matches."""


def _entry(place: Place) -> _Entry:
    names = (fold(place.label),) + ((fold(place.name_en),) if place.name_en else ())
    rank = (KIND_ORDER.index(place.kind), -place.size, len(place.label), place.label)
    return _Entry(place, names, fold(place.address), rank)


def _is_abbreviation(query: str, name: str) -> bool:
    """Whether the characters of ``query`` appear in ``name`` in order."""
    rest = iter(name)
    return all(char in rest for char in query)


def _match(entry: _Entry, query: str) -> int | None:
    """The position in `MATCH_ORDER` of how ``entry`` matches the folded ``query``."""
    best: int | None = None
    for name in entry.names:
        if name == query:
            return 0
        if name.startswith(query):
            best = 1
        elif query in name and best is None:
            best = 2
    if best is not None:
        return best
    if entry.address and query in entry.address:
        return 3
    if (
        entry.place.kind in _ABBREVIATED
        and len(query) >= _ABBREVIATION_MIN_CHARS
        and not any(char.isdigit() for char in query)
        and _is_abbreviation(query, entry.names[0])
    ):
        return 4
    return None


class Gazetteer:
    """The places of a city, searched by typing (see the module's ranking).

    Parameters
    ----------
    places
        The city's places (not a rider's saved places: those are passed to `search`).
    city_names
        Names of the city a typed address may start with (``臺南市``), skipped there.
    """

    def __init__(self, places: Iterable[Place], *, city_names: Sequence[str] = ()) -> None:
        self._entries = tuple(_entry(p) for p in places)
        self._city_names = tuple(sorted({fold(n) for n in city_names if n}, key=len)[::-1])
        districts = [e for e in self._entries if e.place.kind == "district"]
        # Longest first, so 北區 never shadows a longer name that ends with it.
        self._districts = sorted(districts, key=lambda e: -len(e.names[0]))

    @property
    def places(self) -> tuple[Place, ...]:
        return tuple(e.place for e in self._entries)

    def counts(self) -> dict[PlaceKind, int]:
        """How many places of each kind (kinds with none left out), in `KIND_ORDER`."""
        counts = {kind: 0 for kind in KIND_ORDER}
        for entry in self._entries:
            counts[entry.place.kind] += 1
        return {kind: n for kind, n in counts.items() if n}

    def search(self, query: str, limit: int = 10, *, first: Sequence[Place] = ()) -> list[Found]:
        """The places matching ``query``, best first (see the module), at most ``limit``.

        Parameters
        ----------
        query
            What was typed: a name, part of one, an address (``臺南市永康區中華路901號``).
        limit
            How many places at most.
        first
            Places listed before every place of the city whenever they match (a rider's saved
            places), ranked among themselves the same way.

        Raises
        ------
        InputError
            If ``query`` is blank or longer than `MAX_QUERY_CHARS`, or ``limit`` below 1.
        """
        if limit < 1:
            raise InputError(f"limit: {limit!r} is below 1")
        if len(query) > MAX_QUERY_CHARS:
            raise InputError(f"q: {len(query)} characters, more than {MAX_QUERY_CHARS}")
        folded = fold(query)
        if not folded:
            raise InputError(f"q: {query!r} is blank; type part of a name or an address")
        for city in self._city_names:
            if folded.startswith(city) and len(folded) > len(city):
                folded = folded.removeprefix(city)
                break
        own = self._ranked(tuple(_entry(p) for p in first), folded)
        found = own + self._ranked(self._entries, folded)
        unique: dict[str, Found] = {}
        for f in found:
            unique.setdefault(f.place.id, f)
        return list(unique.values())[:limit]

    def _ranked(self, entries: Sequence[_Entry], query: str) -> list[Found]:
        scored: dict[str, tuple[int, _Entry]] = {}

        def offer(entry: _Entry, level: int) -> None:
            known = scored.get(entry.place.id)
            if known is None or level < known[0]:
                scored[entry.place.id] = (level, entry)

        for entry in entries:
            level = _match(entry, query)
            if level is not None:
                offer(entry, level)
        district = next((d for d in self._districts if query.startswith(d.names[0])), None)
        if district is not None:
            rest = _HOUSE_NUMBER.sub("", query.removeprefix(district.names[0]))
            if rest:
                name = district.place.label
                for entry in entries:
                    if entry.place.district == name and (level := _match(entry, rest)) is not None:
                        offer(entry, level)
                if entries is self._entries:
                    offer(district, MATCH_ORDER.index("district"))
        ordered = sorted(scored.values(), key=lambda s: (s[0], s[1].rank))
        return [Found(entry.place, MATCH_ORDER[level]) for level, entry in ordered]
