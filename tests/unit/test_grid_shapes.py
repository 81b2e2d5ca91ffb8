from redgrid.tenants.grid.service import _check_boundary
from redgrid.tenants.grid.shapes import contains, polygon, split

BOX = (118.83, 31.94, 118.85, 31.955)


def test_split_gives_n_disjoint_boxes_inside_the_parent() -> None:
    for n in (1, 5, 6, 45):
        cells = split(BOX, n)
        assert len(cells) == n
        for west, south, east, north in cells:
            assert BOX[0] <= west < east <= BOX[2] and BOX[1] <= south < north <= BOX[3]
        for i, a in enumerate(cells):
            for b in cells[i + 1 :]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert split(BOX, 0) == []


def test_the_polygons_are_valid_boundaries() -> None:
    for cell in split(BOX, 7):
        shape = polygon(cell)
        assert _check_boundary(shape) == []
        ring = shape["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 5


def test_contains_finds_a_point_inside_a_polygon_and_outside_its_holes() -> None:
    outer = polygon(BOX)
    assert contains(outer, 118.84, 31.95)
    assert not contains(outer, 118.86, 31.95) and not contains(outer, 118.84, 31.93)
    hole = polygon((118.835, 31.945, 118.845, 31.95))["coordinates"][0]
    holed = {"type": "Polygon", "coordinates": [outer["coordinates"][0], hole]}
    assert not contains(holed, 118.84, 31.947) and contains(holed, 118.832, 31.942)
    far = polygon((119.0, 32.0, 119.1, 32.1))
    multi = {"type": "MultiPolygon", "coordinates": [outer["coordinates"], far["coordinates"]]}
    assert contains(multi, 119.05, 32.05) and contains(multi, 118.84, 31.95) and not contains(multi, 118.9, 32.0)
    assert not contains(None, 118.84, 31.95)


def test_every_cell_of_a_split_holds_its_own_centre_only() -> None:
    cells = split(BOX, 6)
    for cell in cells:
        centre = ((cell[0] + cell[2]) / 2, (cell[1] + cell[3]) / 2)
        assert [contains(polygon(c), *centre) for c in cells].count(True) == 1
