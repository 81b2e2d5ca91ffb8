from redgrid.tenants.grid.service import _check_boundary
from redgrid.tenants.grid.shapes import polygon, split

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
