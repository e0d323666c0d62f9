"""Travel times estimated from straight-line distance, for places no road graph covers.

distance = great-circle distance × circuity factor; duration = distance ÷ speed, where the
speed depends on how far the trip has gone: the first kilometres are slow (junctions, lanes,
signals), longer trips reach arterial speeds. The factor and speeds are calibrated against a real
road graph by `rehabus.dispatch.travel.calibration`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.point import EARTH_RADIUS_M, Point
from rehabus.dispatch.travel.base import Leg, RowAndColumn, TravelMatrix
from rehabus.dispatch.travel.place_index import Growing

__all__ = ["GeodesicModel", "GeodesicProvider"]


@dataclass(frozen=True)
class GeodesicModel:
    """Circuity factor and distance-banded speeds.

    Attributes
    ----------
    circuity
        Road distance over great-circle distance (at least 1).
    band_edges_m
        Starts of the road-distance bands after the first, increasing; the first band starts at 0.
    speeds_kph
        One speed per band: the part of a trip inside a band is driven at that band's speed.
    calibration
        How the model was fitted and its error on held-out pairs (free-form, for reports).
    """

    circuity: float = 1.35
    band_edges_m: tuple[float, ...] = (1000.0, 3000.0)
    speeds_kph: tuple[float, ...] = (18.0, 25.0, 35.0)
    calibration: dict[str, object] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not 1.0 <= self.circuity <= 3.0:
            raise InputError(f"circuity: {self.circuity} is outside 1..3")
        if len(self.speeds_kph) != len(self.band_edges_m) + 1:
            raise InputError("speeds_kph: needs one speed per band (len(band_edges_m) + 1)")
        if any(not 1.0 <= s <= 130.0 for s in self.speeds_kph):
            raise InputError(f"speeds_kph: {self.speeds_kph} has a speed outside 1..130 km/h")
        if list(self.band_edges_m) != sorted(set(self.band_edges_m)) or any(
            e <= 0 for e in self.band_edges_m
        ):
            raise InputError(f"band_edges_m: {self.band_edges_m} must be positive and increasing")

    def duration_s(self, road_m: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Seconds to drive ``road_m`` metres of road."""
        road = np.asarray(road_m, dtype=np.float64)
        return np.asarray(band_lengths(road, self.band_edges_m) @ self.pace_s_per_m())

    def pace_s_per_m(self) -> npt.NDArray[np.float64]:
        """Seconds per metre in each band."""
        return 3.6 / np.asarray(self.speeds_kph, dtype=np.float64)

    def save(self, path: Path) -> None:
        """Write the model as JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path) -> GeodesicModel:
        """Read a model written by `save`."""
        try:
            raw = json.loads(Path(path).read_text("utf-8"))
            return cls(
                circuity=float(raw["circuity"]),
                band_edges_m=tuple(float(x) for x in raw["band_edges_m"]),
                speeds_kph=tuple(float(x) for x in raw["speeds_kph"]),
                calibration=dict(raw.get("calibration", {})),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"geodesic model {path}: {exc}") from exc


def band_lengths(
    road_m: npt.NDArray[np.float64], edges: Sequence[float]
) -> npt.NDArray[np.float64]:
    """How many metres of each trip fall in each distance band, shape ``(*road_m.shape, bands)``."""
    starts = np.array([0.0, *edges])
    ends = np.array([*edges, np.inf])
    return np.clip(road_m[..., None] - starts, 0.0, ends - starts)


def great_circle_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Vectorised haversine distance in metres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h))))


class GeodesicProvider:
    """Estimated travel times anywhere, from great-circle distance."""

    def __init__(self, model: GeodesicModel | None = None, name: str = "geodesic") -> None:
        self.model = model or GeodesicModel()
        self.name = name

    def covers(self, point: Point) -> bool:
        """Every point on Earth is covered (with an estimate)."""
        return True

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """Estimated durations and road distances between every ordered pair."""
        points = tuple(points)
        lat = np.array([p.lat for p in points], dtype=np.float64)
        lon = np.array([p.lon for p in points], dtype=np.float64)
        crow = great_circle_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        road = crow * self.model.circuity
        duration = np.rint(self.model.duration_s(road)).astype(np.int64)
        return TravelMatrix(points, duration, np.rint(road).astype(np.int64), self.name)

    def add_location(self, matrix: TravelMatrix, point: Point) -> TravelMatrix:
        """``matrix`` grown by one point (recomputed: it costs microseconds)."""
        return self.matrix([*matrix.points, point])

    def place_index(self) -> GeodesicIndex:
        """A growing set of places with their estimates (see
        `rehabus.dispatch.travel.place_index`)."""
        return GeodesicIndex(self)

    def row_and_column(self, others: Sequence[Point], point: Point) -> RowAndColumn:
        """Estimates from ``point`` to each of ``others`` (and itself, last) and back."""
        index = self.place_index()
        index.extend(others)
        return index.add(point)

    def route(self, origin: Point, destination: Point) -> Leg:
        """The estimated leg between two points."""
        return self.matrix([origin, destination]).leg(0, 1)


class GeodesicIndex:
    """Great-circle estimates: the places' coordinates in arrays."""

    def __init__(self, provider: GeodesicProvider) -> None:
        self.provider = provider
        self._coords = Growing(2, np.float64)

    def extend(self, points: Sequence[Point]) -> None:
        if points:
            self._coords.append(np.array([[p.lat, p.lon] for p in points], dtype=np.float64))

    def add(self, point: Point) -> RowAndColumn:
        coords = self._coords.view
        lat = np.append(coords[:, 0], point.lat)
        lon = np.append(coords[:, 1], point.lon)
        model = self.provider.model
        road = great_circle_m(point.lat, point.lon, lat, lon) * model.circuity
        duration = np.rint(model.duration_s(road)).astype(np.int64)
        distance = np.rint(road).astype(np.int64)
        self.extend([point])
        return (duration, duration[:-1].copy()), (distance, distance[:-1].copy())
