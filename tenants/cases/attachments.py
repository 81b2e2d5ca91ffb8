"""Photos attached to cases: who may add them, what is accepted, and keeping the stored object
and its row together.

Consistency: the object is stored first, then its row is inserted in the request's
transaction. A refusal after the object was stored deletes it at once, and a rollback of the
transaction (a failed commit, or another field of the same operation failing) deletes it
through `on_rollback`. So an object exists only with its row, except when the process dies
between the store and the commit: such an object is referred to by no row and is therefore
never served (downloads go through the row); it only costs its space until `sweep_orphans`
(`redgrid sweep-attachments`, e.g. daily) removes it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import cast

from tortoise.fields import CharField

from redgrid.platform import events, sandbox
from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.database import on_rollback, tenant_transaction
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.limits import get_limits
from redgrid.platform.storage import Storage, new_key, storage
from redgrid.tenants.cases.models import Case, CaseAttachment
from redgrid.tenants.cases.photos import Photo, accept, sniff
from redgrid.tenants.cases.service import may_manage, people_of, visible
from redgrid.tenants.sharing.models import GridNeed
from redgrid.tenants.staff import dispatch

SWEEP_CHUNK = 5000  # keys per IN list
# More orphans than this, and more than this share of a tenant's objects: refused (see sweep_orphans).
SUSPICIOUS_ORPHANS = 20
SUSPICIOUS_SHARE = 0.5

FILENAME_MAX = cast("CharField[str]", CaseAttachment._meta.fields_map["filename"]).max_length  # the column's length

PHOTO_FAILURES = {
    "memory": UserError("file", "TOO_LARGE", "the photo takes more memory to read than one of the allowed size"),
    "time": UserError("file", "TOO_LARGE", "the photo takes longer to read than one of the allowed size"),
    "crashed": UserError("file", "UNSUPPORTED_TYPE", "a photo: JPEG, PNG, WebP or HEIC"),
}


async def accept_off_loop(data: bytes) -> Photo:
    """`photos.accept` in a parsing process: decoding a hostile file costs only that process."""
    if sniff(data) is None:  # no image at all: no process to start
        raise InvalidInput(PHOTO_FAILURES["crashed"])
    try:
        return await sandbox.run(accept, data, get_limits().image_pixels, lane="photos")
    except sandbox.ParseFailed as exc:
        raise InvalidInput(PHOTO_FAILURES[exc.reason]) from None


def stored_filename(name: str | None, photo: Photo) -> str:
    """The client's name for display, ending as the stored type does (IMG_1.HEIC → IMG_1.jpg)."""
    clean = clean_filename(name)
    if not photo.converted:
        return clean
    stem, dot, _ = clean.rpartition(".")
    return f"{(stem if dot else clean)[: FILENAME_MAX - 4]}.jpg"


def clean_filename(name: str | None) -> str:
    """The client's name for the file, kept for display only: no path, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return base[:FILENAME_MAX] or "photo"


async def _may_attach(ctx: RequestContext, case: Case) -> bool:
    """The reporter, whoever may manage the case where it stands, and its assignee."""
    username = ctx.require_user().username
    if username == case.reporter or await may_manage(ctx, case, case.node.path):
        return True
    return username in await dispatch.acting_usernames(case.tenant_id, case.assignee_kind, case.assignee)  # type: ignore[attr-defined]


async def _count_and_state(case_id: int) -> tuple[int, str]:
    """Under a lock on the case row, so concurrent uploads cannot pass the limit together."""
    locked = await Case.select_for_update().get(id=case_id)
    return await CaseAttachment.filter(case_id=case_id).count(), locked.state


def _check_room(count: int, state: str) -> None:
    limit = get_limits().photos_per_case
    if state == "closed":
        raise InvalidInput(UserError("caseId", "CLOSED", "a closed case takes no new photos"))
    if count >= limit:
        raise InvalidInput(UserError("file", "TOO_MANY", f"a case has at most {limit} photos"))


async def add(ctx: RequestContext, case_id: int, *, data: bytes, filename: str | None) -> CaseAttachment:
    """Attach a photo. `data` may be cut at the size limit plus one byte: more is refused."""
    tenant = ctx.require_tenant()
    identity = ctx.require_user()
    case = await (await visible(ctx)).select_related("node").get_or_none(id=case_id)
    if case is None:
        raise InvalidInput(UserError("caseId", "NOT_FOUND", "no such case"))
    if not await _may_attach(ctx, case):
        raise Forbidden("only the reporter, the assignee or a manager of the case adds photos")
    limit = get_limits().photo_bytes
    if len(data) > limit:
        raise InvalidInput(UserError("file", "TOO_LARGE", f"at most {limit} bytes"))
    _check_room(await CaseAttachment.filter(case_id=case.id).count(), case.state)  # before a costly decode
    photo = await accept_off_loop(data)

    key = await _put(tenant.id, photo)
    try:
        _check_room(*await _count_and_state(case.id))
    except InvalidInput:
        await storage().delete(key)
        raise
    attachment = await _row(tenant.id, case.id, key, photo, filename, identity.username)
    located = photo.position is not None and bool(
        # Only a case with no location takes the photo's: one given or taken before stands.
        await Case.filter(id=case.id, latitude__isnull=True, longitude__isnull=True).update(
            latitude=photo.position[0],
            longitude=photo.position[1],
        )
    )
    await events.record(
        ctx,
        "cases",
        "case.attachment_added",
        {"id": case.id, "attachmentId": attachment.id, "located": located, "people": await people_of(case)},
        path=case.node.path,
    )
    return attachment


async def _put(tenant_id: int, photo: Photo) -> str:
    """The photo's bytes stored under a new key, deleted again if the transaction rolls back."""
    store, key = storage(), new_key(tenant_id)
    await store.put(key, photo.data, photo.content_type)
    on_rollback(lambda: store.delete(key))
    return key


async def _row(
    tenant_id: int, case_id: int, key: str, photo: Photo, filename: str | None, uploaded_by: str
) -> CaseAttachment:
    return await CaseAttachment.create(
        tenant_id=tenant_id,
        case_id=case_id,
        storage_key=key,
        filename=stored_filename(filename, photo),
        content_type=photo.content_type,
        size=len(photo.data),
        sha256=hashlib.sha256(photo.data).hexdigest(),
        width=photo.width,
        height=photo.height,
        uploaded_by=uploaded_by,
    )


async def attach_to_new_case(
    tenant_id: int, case_id: int, photo: Photo, filename: str | None, uploaded_by: str
) -> CaseAttachment:
    """An accepted photo (`accept_off_loop`) as the first of a case just opened in this
    transaction: no room to check, no event (the case's own `case.created` tells)."""
    return await _row(tenant_id, case_id, await _put(tenant_id, photo), photo, filename, uploaded_by)


async def visible_attachment(ctx: RequestContext, attachment_id: int) -> CaseAttachment | None:
    """The attachment, when the caller may see its case."""
    if ctx.tenant is None and ctx.department_id is not None:  # a district department's staff
        attachment = await CaseAttachment.get_or_none(id=attachment_id, case__department_id=ctx.department_id)
    else:
        attachment = await CaseAttachment.get_or_none(id=attachment_id, tenant_id=ctx.require_tenant().id)
    if attachment is None or not await (await visible(ctx)).filter(id=attachment.case_id).exists():  # type: ignore[attr-defined]
        return None
    return attachment


@dataclass
class SweepReport:
    removed: int = 0  # or, in a dry run, what would be: orphans of tenants not refused, half-written files
    refused: dict[int, tuple[int, int]] = field(default_factory=dict)  # tenant → (orphans, old objects)


async def sweep_orphans(
    store: Storage, older_than: timedelta, *, dry_run: bool = False, force: bool = False
) -> SweepReport:
    """Delete the stored objects that no attachment row refers to and that were written more
    than `older_than` ago (younger ones may belong to an upload whose transaction is still
    open), and what a crash left half-written. Each tenant's rows are read under its own
    row-level security.

    A crash leaves a photo or two; a tenant most of whose photos have no row points rather at
    the wrong database (a restore, a replica behind): its objects are left alone unless `force`."""
    cutoff = datetime.now(UTC) - older_than
    keys_by_tenant: dict[int, list[str]] = {}
    for key in await store.stored_before(cutoff):
        keys_by_tenant.setdefault(int(key[1 : key.index("/")]), []).append(key)
    report = SweepReport()
    for tenant_id, keys in keys_by_tenant.items():
        referred: set[str] = set()
        async with tenant_transaction(tenant_id):
            for start in range(0, len(keys), SWEEP_CHUNK):
                chunk = CaseAttachment.filter(storage_key__in=keys[start : start + SWEEP_CHUNK])
                # tortoise types flat values_list rows as tuples
                referred.update(cast("list[str]", await chunk.values_list("storage_key", flat=True)))
                # a completed need's photo (tenants/sharing/needs.py) is stored the same way
                needs = GridNeed.filter(photo_key__in=keys[start : start + SWEEP_CHUNK])
                referred.update(cast("list[str]", await needs.values_list("photo_key", flat=True)))
        orphans = [key for key in keys if key not in referred]
        if not force and len(orphans) > max(SUSPICIOUS_ORPHANS, len(keys) * SUSPICIOUS_SHARE):
            report.refused[tenant_id] = (len(orphans), len(keys))
            continue
        if not dry_run:
            await store.delete(*orphans)
        report.removed += len(orphans)
    report.removed += await store.discard_partial_writes(cutoff, dry_run=dry_run)
    return report
