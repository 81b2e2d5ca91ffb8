"""The GraphQL enums hold exactly the strings the domain stores, so `Enum(row.field)` (as
graphql/core/mapping.py's from_row does) never fails on a stored row and `member.value` is
always a stored value."""

from __future__ import annotations

from enum import Enum

import pytest

from redgrid.graphql.cases import enums as case_enums
from redgrid.graphql.grid import enums as grid_enums
from redgrid.graphql.people import enums as people_enums
from redgrid.graphql.staff import enums as staff_enums
from redgrid.graphql.units import enums as unit_enums
from redgrid.graphql.workers import enums as worker_enums
from redgrid.tenants.cases import models as case_models
from redgrid.tenants.cases import workflow
from redgrid.tenants.grid import models as grid_models
from redgrid.tenants.people import models as people_models
from redgrid.tenants.staff import models as staff_models
from redgrid.tenants.units import models as unit_models
from redgrid.tenants.workers import models as worker_models


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
        (worker_enums.GridWorkerPost, worker_models.POSTS),
    ],
)
def test_enum_values_are_the_stored_strings(enum: type[Enum], stored: tuple[str, ...]) -> None:
    assert tuple(member.value for member in enum) == tuple(stored)
    assert all(member.name == member.value.upper() for member in enum)


@pytest.mark.parametrize(
    ("enum", "stored"),
    [
        (people_enums.Sex, people_models.SEXES),
        (people_enums.HouseholdKind, people_models.HOUSEHOLD_KINDS),
        (people_enums.HouseholdColour, people_models.COLOURS),
        (people_enums.PartyCategory, people_models.PARTY_CATEGORIES),
        (people_enums.ActivityKind, people_models.ACTIVITY_KINDS),
        (people_enums.TeamKind, people_models.TEAM_KINDS),
        (people_enums.PairingKind, people_models.PAIRING_KINDS),
        (unit_enums.UnitKind, unit_models.UNIT_KINDS),
        (unit_enums.ResourceKind, unit_models.RESOURCE_KINDS),
        (unit_enums.ProjectStatus, unit_models.PROJECT_STATUSES),
        (unit_enums.ServiceCategory, unit_models.SERVICE_CATEGORIES),
        (unit_enums.OrderStatus, unit_models.ORDER_STATUSES),
        (staff_enums.DepartmentKind, staff_models.DEPARTMENT_KINDS),
    ],
)
def test_the_other_areas_enums_hold_their_stored_strings(enum: type[Enum], stored: tuple[str, ...]) -> None:
    assert {member.value for member in enum} == set(stored)


def test_every_stored_resident_tag_is_a_tag_the_api_knows() -> None:
    """The typed tags are stored; the age tags (over 60, over 80) are derived, never stored."""
    assert set(people_models.TYPED_TAGS) <= {member.value for member in people_enums.ResidentTag}
