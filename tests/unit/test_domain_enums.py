"""The GraphQL enums of cases and the grid hold exactly the strings the domain stores, so
`Enum(row.field)` never fails on a stored row and `member.value` is always a stored value."""

from __future__ import annotations

from enum import Enum

import pytest

from redgrid.graphql.cases import enums as case_enums
from redgrid.graphql.grid import enums as grid_enums
from redgrid.tenants.cases import models as case_models
from redgrid.tenants.cases import workflow
from redgrid.tenants.grid import models as grid_models


@pytest.mark.parametrize(
    ("enum", "stored"),
    [
        (case_enums.CaseState, workflow.STATES),
        (case_enums.CaseAction, ("report", *workflow.ACTIONS)),
        (case_enums.CaseSource, case_models.SOURCES),
        (case_enums.CasePriority, case_models.PRIORITIES),
        (case_enums.CaseEscalation, case_models.ESCALATION_LEVELS),
        (case_enums.CaseAssigneeKind, case_models.ASSIGNEE_KINDS),
        (case_enums.CaseDeadline, case_models.DEADLINES),
        (grid_enums.PartyOrganisationKind, grid_models.PARTY_ORG_KINDS),
        (grid_enums.ServiceStationKind, grid_models.STATION_KINDS),
    ],
)
def test_enum_values_are_the_stored_strings(enum: type[Enum], stored: tuple[str, ...]) -> None:
    assert tuple(member.value for member in enum) == tuple(stored)
    assert all(member.name == member.value.upper() for member in enum)
