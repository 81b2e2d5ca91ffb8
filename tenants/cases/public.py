"""A resident's own way in, without an account: he reports a problem to his street (chosen by
its public slug) with a category, a location and perhaps a photo, and gets a tracking token;
with it, whoever holds the link sees the case's public view and, once it is resolved, rates it.

Nothing personal goes back: the public view is the case's number, category, state, dates and
the photos of its resolution, never a name, a phone, a note or another case. A street that does
not exist and a token that is wrong answer alike (None, NOT_FOUND). The token (256 random bits)
is kept only as its SHA-256 (`PublicReport.token_hash`), and reaches the server only in request
bodies and headers, never in a path that access logs record.

The rate limits (per client address, and reports per address per day) are the caller's
(graphql/core/ratelimits.py): `report` calls `admit` once the report is valid, just before it
is written, so a typo costs the resident none of his daily reports.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from redgrid.platform import clock, events
from redgrid.platform.database import tenant_transaction
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.platform.limits import get_limits
from redgrid.platform.models import Tenant
from redgrid.tenants.cases.attachments import accept_off_loop, attach_to_new_case
from redgrid.tenants.cases.models import (
    RATED_BY_RESIDENT,
    RESIDENT,
    Case,
    CaseAttachment,
    CaseCategory,
    PublicReport,
)
from redgrid.tenants.cases.photos import Photo
from redgrid.tenants.cases.service import open_case
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.grid.shapes import contains
from redgrid.tenants.tenancy import SLUG

TOKEN_BYTES = 32  # 256 bits
DESCRIPTION_CHARS = 500
ADDRESS_CHARS = 200
COMMENT_CHARS = 500
TITLE_CHARS = 40  # of the description's first line, as the case's title in the grid head's inbox
RATEABLE = ("resolved", "verified", "closed")
SHOWN_PHOTOS = ("resolved", "verified", "closed")  # the resolution's photos, once there is one
NOT_FOUND = UserError("token", "NOT_FOUND", "no such case: check the tracking link")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def street(slug: str) -> Tenant | None:
    """The street (or town) of a public slug; None for any other string."""
    return await Tenant.get_or_none(slug=slug) if SLUG.match(slug) else None


async def categories(slug: str) -> tuple[Tenant, list[CaseCategory]] | None:
    """The street and the categories a resident reports under."""
    tenant = await street(slug)
    if tenant is None:
        return None
    async with tenant_transaction(tenant.id):
        return tenant, await CaseCategory.filter(tenant_id=tenant.id).order_by("id")


async def node_at(tenant_id: int, point: tuple[float, float] | None) -> GridNode | None:
    """The deepest live grid node whose boundary holds the point (latitude, longitude); the
    street's first root when none does or no point is known; None for a street with no grid."""
    live = GridNode.filter(tenant_id=tenant_id, retired_at=None)
    if point is not None:
        latitude, longitude = point
        shaped = await live.filter(boundary__isnull=False).order_by("-level", "path")
        for node in shaped:
            if contains(node.boundary, longitude, latitude):
                return node
    return await live.filter(level=1).order_by("id").first()


def _point_errors(latitude: float | None, longitude: float | None) -> list[UserError]:
    if latitude is None and longitude is None:
        return []
    if (
        latitude is None
        or longitude is None
        or not (math.isfinite(latitude) and math.isfinite(longitude))
        or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        return [UserError("latitude", "INVALID_POINT", "give both latitude and longitude, in range")]
    return []


def _title(category: CaseCategory, description: str) -> str:
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    return f"居民报告·{category.name}：{first[:TITLE_CHARS]}" if first else f"居民报告·{category.name}"


@dataclass(frozen=True)
class Reported:
    number: str
    token: str  # given to the resident once; only its hash is kept


async def report(
    slug: str,
    *,
    category_code: str,
    description: str,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    photo: bytes | None = None,
    filename: str | None = None,
    admit: Callable[[], Awaitable[None]],
) -> Reported:
    """A resident's report, in the street's grid head's inbox at the node its location lies in
    (given, or else the photo's own position, or else the street's root). Its source is
    `resident_report`, its reporter no person (`RESIDENT`); a photo goes through the same
    sandboxed reading as any case photo (pixel limit, metadata with its GPS position dropped)."""
    errors = (
        text_errors("description", description, DESCRIPTION_CHARS, code="TOO_LONG", multiline=True)
        + text_errors("address", address, ADDRESS_CHARS, required=False, code="TOO_LONG")
        + _point_errors(latitude, longitude)
    )
    if photo is not None and len(photo) > (limit := get_limits().photo_bytes):
        errors.append(UserError("photo", "TOO_LARGE", f"at most {limit} bytes"))
    tenant = await street(slug)
    if tenant is None:
        raise InvalidInput(UserError("street", "NOT_FOUND", "no such street"), *errors)
    async with tenant_transaction(tenant.id):
        category = (
            await CaseCategory.get_or_none(tenant_id=tenant.id, code=category_code)
            if category_code.replace("_", "").isalnum() and len(category_code) <= 32  # as set_category admits
            else None
        )
        if category is None:
            errors.append(UserError("category", "NOT_FOUND", "no such category in this street"))
        if errors:
            raise InvalidInput(*errors)
        assert category is not None
        accepted: Photo | None = None
        if photo is not None:
            try:
                accepted = await accept_off_loop(photo)
            except InvalidInput as exc:  # named as this input is
                raise InvalidInput(*(UserError("photo", e.code, e.message) for e in exc.errors)) from None
        point = (latitude, longitude) if latitude is not None and longitude is not None else None
        point = point or (accepted.position if accepted else None)
        node = await node_at(tenant.id, point)
        if node is None:
            raise InvalidInput(UserError("street", "NOT_FOUND", "no such street"))
        await admit()  # the resident's daily reports: charged only for one about to be written
        case = await open_case(
            tenant,
            category,
            node,
            title=_title(category, description),
            description=description,
            source="resident_report",
            priority="normal",
            address=address.strip(),
            point=point,
            reporter=RESIDENT,
        )
        if accepted is not None:
            await attach_to_new_case(tenant.id, case.id, accepted, filename, RESIDENT)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        await PublicReport.create(tenant_id=tenant.id, case=case, token_hash=token_hash(token))
        return Reported(case.number, token)


@dataclass(frozen=True)
class Tracked:
    """The public view of a case: nothing that names or reaches a person."""

    number: str
    category: str
    state: str
    reported_at: datetime
    resolved_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None  # the resident's own rating, once given
    may_rate: bool
    photos: list[CaseAttachment]  # the resolution's, oldest first


async def _found(tenant: Tenant, token: str) -> PublicReport | None:
    return await PublicReport.get_or_none(tenant_id=tenant.id, token_hash=token_hash(token))


async def _view(report: PublicReport) -> Tracked:
    case = await Case.get(id=report.case_id).select_related("category")  # type: ignore[attr-defined]
    photos = (
        await CaseAttachment.filter(case_id=case.id).exclude(uploaded_by=RESIDENT).order_by("id")
        if case.state in SHOWN_PHOTOS
        else []
    )
    rated = report.rated_at is not None
    return Tracked(
        number=case.number,
        category=case.category.name,
        state=case.state,
        reported_at=case.created_at,
        resolved_at=case.resolved_at,
        verified_at=case.answered_at,
        closed_at=case.closed_at,
        satisfaction=case.satisfaction if rated and case.satisfaction_by == RATED_BY_RESIDENT else None,
        may_rate=not rated and case.state in RATEABLE,
        photos=list(photos),
    )


async def tracked(slug: str, token: str) -> Tracked | None:
    """The public view of the case the token tracks; None for a wrong token or street alike."""
    tenant = await street(slug)
    if tenant is None:
        return None
    async with tenant_transaction(tenant.id):
        found = await _found(tenant, token)
        return await _view(found) if found else None


async def tracked_photo(slug: str, token: str, index: int) -> CaseAttachment | None:
    """The resolution's `index`-th photo (from 0) of the tracked case, if the view shows it."""
    tenant = await street(slug)
    if tenant is None:
        return None
    async with tenant_transaction(tenant.id):
        found = await _found(tenant, token)
        photos = (await _view(found)).photos if found else []
        return photos[index] if 0 <= index < len(photos) else None


async def rate(slug: str, token: str, *, satisfaction: int, comment: str = "") -> Tracked:
    """The resident's own rating, 1 to 5 with a short comment: once, when the case is resolved
    (or verified or closed). A reopened case may be rated again once it is resolved anew."""
    errors = text_errors("comment", comment, COMMENT_CHARS, required=False, code="TOO_LONG", multiline=True)
    if not 1 <= satisfaction <= 5:
        errors.append(UserError("satisfaction", "OUT_OF_RANGE", "1 to 5"))
    tenant = await street(slug)
    if tenant is None:
        raise InvalidInput(NOT_FOUND)
    async with tenant_transaction(tenant.id):
        report_row = await _found(tenant, token)
        if report_row is None:
            raise InvalidInput(NOT_FOUND)
        if errors:
            raise InvalidInput(*errors)
        case = await Case.select_for_update().get(id=report_row.case_id)  # type: ignore[attr-defined]
        if report_row.rated_at is not None:
            raise InvalidInput(UserError("token", "ALREADY_RATED", "this case has been rated"))
        if case.state not in RATEABLE:
            raise InvalidInput(UserError("token", "NOT_RESOLVED", "a case is rated once it is resolved"))
        now = clock.now()
        if not await PublicReport.filter(id=report_row.id, rated_at=None).update(rated_at=now):
            raise InvalidInput(UserError("token", "ALREADY_RATED", "this case has been rated"))
        await Case.filter(id=case.id).update(
            satisfaction=satisfaction,
            satisfaction_comment=comment.strip(),
            satisfaction_by=RATED_BY_RESIDENT,
            satisfaction_at=now,
        )
        payload = {"id": case.id, "number": case.number, "state": case.state, "version": case.version, "people": []}
        path = (await GridNode.get(id=case.node_id)).path  # type: ignore[attr-defined]
        await events.record_in(tenant.id, events.topic_for(tenant.id, "cases"), "case.rated", payload, path=path)
        report_row.rated_at = now
        return await _view(report_row)
