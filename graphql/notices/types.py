"""A user's notifications, and the knocks of a volunteer's pairing, as a client sees them."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from redgrid.graphql.cases.types import Case
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.notices.enums import KnockStatus, NotificationKind
from redgrid.graphql.people.types import Pairing
from redgrid.tenants.cases import service as cases
from redgrid.tenants.knocks import models as knocks
from redgrid.tenants.notices import models
from redgrid.tenants.people import volunteers

Info = strawberry.Info[GraphQLContext, None]


async def visible_case(info: Info, case_id: int | None) -> Case | None:
    """The case a notification or knock is about, when the caller may see it (now)."""
    found = None if case_id is None else await cases.case_by_id(info.context.ctx, case_id)
    return Case.from_model(found) if found else None


@strawberry.type(
    description="One of the caller's notifications. `case` and `pairing` are null once he may not see them."
)
class Notification(DbNode):
    db_id: strawberry.Private[int]
    case_db_id: strawberry.Private[int | None]
    pairing_db_id: strawberry.Private[int | None]
    kind: NotificationKind
    text: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def from_model(cls, m: models.Notification) -> Notification:
        return from_row(cls, m, db_id=m.id, case_db_id=m.case_id, pairing_db_id=m.pairing_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def case(self, info: Info) -> Case | None:
        return await visible_case(info, self.case_db_id)

    @strawberry.field
    async def pairing(self, info: Info) -> Pairing | None:
        if self.pairing_db_id is None:
            return None
        found = await volunteers.pairing_by_id(info.context.ctx, self.pairing_db_id)
        return Pairing.from_model(found) if found else None


@strawberry.type(description="A volunteer's knock at his paired elder's door on a day (爱心敲门).")
class Knock(DbNode):
    db_id: strawberry.Private[int]
    case_db_id: strawberry.Private[int | None]
    day: date
    status: KnockStatus
    note: str
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def from_model(cls, m: knocks.Knock) -> Knock:
        return from_row(cls, m, db_id=m.id, case_db_id=m.case_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The case a NEEDS_HELP knock raised, when the caller may see it.")
    async def case(self, info: Info) -> Case | None:
        return await visible_case(info, self.case_db_id)
