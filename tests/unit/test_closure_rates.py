from redgrid.tenants.figures import closure_rates, share


def test_rates_are_shares_of_the_cases_due() -> None:
    counts = {"due30Days": 4, "closedOfDue30Days": 3, "closedOnTimeOfDue30Days": 2}
    assert closure_rates(counts) == {"closureRate30Days": 0.75, "onTimeClosureRate30Days": 0.5}


def test_no_cases_is_no_rate_rather_than_zero() -> None:
    counts = {"due30Days": 0, "closedOfDue30Days": 0, "closedOnTimeOfDue30Days": 0}
    assert closure_rates(counts) == {"closureRate30Days": None, "onTimeClosureRate30Days": None}
    assert share(0, 5) == 0.0
