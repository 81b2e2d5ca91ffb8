"""What the joint-building mutations answer: the row they wrote, or the errors (core/payloads.py)."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.payloads import Payload
from redgrid.graphql.units.types import JointUnit, PublicProject, ServiceItem, ServiceOrder, UnitNeed, UnitResource


@strawberry.type
class JointUnitPayload(Payload):
    unit: JointUnit | None = None


@strawberry.type
class UnitResourcePayload(Payload):
    resource: UnitResource | None = None


@strawberry.type
class UnitNeedPayload(Payload):
    need: UnitNeed | None = None


@strawberry.type
class PublicProjectPayload(Payload):
    project: PublicProject | None = None


@strawberry.type
class ServiceItemPayload(Payload):
    item: ServiceItem | None = None


@strawberry.type
class ServiceOrderPayload(Payload):
    order: ServiceOrder | None = None
