from redgrid.tenants.gridmap import ancestor_at, level_to_draw


def test_a_case_counts_for_its_ancestor_on_the_level_drawn() -> None:
    assert ancestor_at("JS01.A1.B03", 2) == "JS01.A1"
    assert ancestor_at("JS01.A1.B03", 3) == "JS01.A1.B03"
    assert ancestor_at("JS01.A1", 3) is None  # a case on an area is on no building


def test_the_deepest_level_that_fits_the_screen_is_drawn() -> None:
    assert level_to_draw({1: 1, 2: 6, 3: 30}) == 3
    assert level_to_draw({1: 1, 2: 45, 3: 172}, limit=100) == 2
    assert level_to_draw({1: 400, 2: 4000}, limit=300) == 1  # nothing fits: the shallowest
    assert level_to_draw({}) is None
