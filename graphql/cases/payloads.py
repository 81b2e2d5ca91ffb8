"""What the case mutations answer."""

from __future__ import annotations

import strawberry

from redgrid.graphql.cases.types import Case, CaseAttachment, CaseCategory
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
