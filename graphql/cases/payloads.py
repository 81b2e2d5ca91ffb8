"""What the case mutations answer."""

from __future__ import annotations

import strawberry

from redgrid.graphql.cases.types import Case, CaseAttachment, CaseCategory, TrackedCase
from redgrid.graphql.core.payloads import Payload


@strawberry.type
class CasePayload(Payload):
    case: Case | None = None


@strawberry.type
class CaseAttachmentPayload(Payload):
    attachment: CaseAttachment | None = None


@strawberry.type
class CaseCategoryPayload(Payload):
    category: CaseCategory | None = None


@strawberry.type(description="A resident's report: its number and the tracking token, given this once.")
class ResidentReportPayload(Payload):
    number: str | None = None
    tracking_token: str | None = strawberry.field(
        default=None,
        description="Unguessable; kept by the server only as a hash. Put it in the link's fragment (#), not its path.",
    )


@strawberry.type
class TrackedCasePayload(Payload):
    case: TrackedCase | None = None
