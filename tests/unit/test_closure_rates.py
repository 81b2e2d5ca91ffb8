from redgrid.tenants.figures import closure_rates, share


def test_rates_are_shares_of_their_own_wholes() -> None:
    counts = {"reported30Days": 3, "closedOfReported30Days": 2, "closed30Days": 4, "closedOnTime30Days": 3}
    assert closure_rates(counts) == {"closureRate30Days": 0.6667, "onTimeClosureRate30Days": 0.75}


def test_no_cases_is_no_rate_rather_than_zero() -> None:
    counts = {"reported30Days": 0, "closedOfReported30Days": 0, "closed30Days": 0, "closedOnTime30Days": 0}
    assert closure_rates(counts) == {"closureRate30Days": None, "onTimeClosureRate30Days": None}
    assert share(0, 5) == 0.0
