"""Simple generated boundaries for a demo grid: rectangles split into rows and columns of
smaller ones, as GeoJSON Polygons that `_check_boundary` accepts. Real grids bring their own
surveyed boundaries; the demo has none, and the wall's map needs something to draw."""

from __future__ import annotations

import math
from typing import Any

Box = tuple[float, float, float, float]  # west, south, east, north (degrees)


def polygon(box: Box) -> dict[str, Any]:
    """The box as a GeoJSON Polygon: one closed ring, counter-clockwise, six decimals."""
    west, south, east, north = (round(x, 6) for x in box)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def split(box: Box, n: int, gap: float = 0.06) -> list[Box]:
    """`n` boxes inside `box`, row by row from the north-west, about square, each shrunk by
    `gap` of its cell so neighbours are told apart on a map."""
    if n < 1:
        return []
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    west, south, east, north = box
    width, height = (east - west) / cols, (north - south) / rows
    pad_x, pad_y = width * gap / 2, height * gap / 2
    cells = []
    for i in range(n):
        row, col = divmod(i, cols)
        top = north - row * height
        left = west + col * width
        cells.append((left + pad_x, top - height + pad_y, left + width - pad_x, top - pad_y))
    return cells


def _in_ring(ring: list[list[float]], x: float, y: float) -> bool:
    """Ray casting: whether (x, y) lies inside the closed ring (a point on an edge may go
    either way)."""
    inside = False
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(boundary: dict[str, Any] | None, longitude: float, latitude: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon (as grid/service.py's `_check_boundary` admits
    them) holds the point: inside an outer ring and outside its holes."""
    if not boundary:
        return False
    polygons = boundary["coordinates"] if boundary.get("type") == "MultiPolygon" else [boundary.get("coordinates")]
    for rings in polygons:
        if rings and _in_ring(rings[0], longitude, latitude):
            if not any(_in_ring(hole, longitude, latitude) for hole in rings[1:]):
                return True
    return False
