"""Case photos against PostgreSQL and a real server: multipart uploads (the GraphQL multipart
request spec), who may add and fetch them, what is refused, and that a refusal leaves nothing."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import httpx
from pillow_heif import register_heif_opener

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Event

from .attachments_api import added, fetch, photo, rows_of, stored_files, upload
from .cases_api import act, report
from .clients import gql
from .conftest import redgrid

ATTACHMENTS = "query($id: ID!) { node(id: $id) { ... on Case { attachments { id filename url } } } }"


register_heif_opener()  # photo("HEIF")


async def test_photos_are_stored_listed_and_served_to_who_may_see_the_case(
    live_server, tokens, fresh_database, db, street
):
    tenant = street.tenant
    case = await report(live_server, tokens)  # by the grid worker, in building 3
    jpeg, png = photo("JPEG"), photo("PNG", (30, 20))
    first = await added(live_server, tokens["grid-worker"], case["id"], jpeg, filename="../../etc/现场.jpg")
    assert first["errors"] == []
    meta = first["attachment"]
    assert (meta["contentType"], meta["size"], meta["width"], meta["height"]) == ("image/jpeg", len(jpeg), 64, 48)
    assert meta["sha256"] == hashlib.sha256(jpeg).hexdigest() and meta["filename"] == "现场.jpg"
    assert meta["uploadedBy"] == street.username("grid-worker")
    # The client's content type is ignored: these bytes are a PNG.
    second = await added(live_server, tokens["grid-head"], case["id"], png, filename="b.jpg", content_type="image/jpeg")
    assert second["attachment"]["contentType"] == "image/png"

    listed = (await gql(live_server, ATTACHMENTS, {"id": case["id"]}, tokens["secretary"])).json()
    assert [a["id"] for a in listed["data"]["node"]["attachments"]] == [meta["id"], second["attachment"]["id"]]
    for who in ("secretary", "grid-head", "grid-worker"):
        served = await fetch(live_server, tokens[who], meta["url"])
        assert served.status_code == 200 and served.content == jpeg
        assert served.headers["content-type"] == "image/jpeg"
    for who in ("hushu-secretary", "volunteer", "dept-staff"):  # another tenant; not in the case's sight
        assert (await fetch(live_server, tokens[who], meta["url"])).status_code == 404
    by_id = "query($id: ID!) { node(id: $id) { ... on CaseAttachment { filename url } } }"
    for who, seen in (("secretary", True), ("grid-head", True), ("hushu-secretary", False), ("volunteer", False)):
        node = (await gql(live_server, by_id, {"id": meta["id"]}, tokens[who])).json()["data"]["node"]
        assert node == ({"filename": "现场.jpg", "url": meta["url"]} if seen else None), who
    assert (await fetch(live_server, None, meta["url"])).status_code == 401
    assert (await fetch(live_server, tokens["secretary"], "/attachments/not-an-id")).status_code == 404

    async with tenant_transaction(tenant.id):
        event = await Event.filter(type="case.attachment_added").order_by("-id").first()
    assert event is not None and event.payload["attachmentId"] > 0 and event.path == "JS01.A1.B03"
    assert set(event.payload) == {"id", "attachmentId", "located", "people"}
    assert event.payload["located"] is False  # the test's JPEG carries no position


async def test_an_iphone_photo_is_served_as_jpeg(live_server, tokens, fresh_database, db):
    """HEIC, which most browsers and wall displays cannot show, is stored and served as JPEG."""
    case = await report(live_server, tokens)
    heic = photo("HEIF", (64, 48))
    result = await added(
        live_server, tokens["grid-worker"], case["id"], heic, filename="IMG_0001.HEIC", content_type="image/heic"
    )
    meta = result["attachment"]
    assert result["errors"] == [] and meta["filename"] == "IMG_0001.jpg"
    assert (meta["contentType"], meta["width"], meta["height"]) == ("image/jpeg", 64, 48)
    served = await fetch(live_server, tokens["grid-worker"], meta["url"])
    assert served.headers["content-type"] == "image/jpeg" and served.content.startswith(b"\xff\xd8\xff")
    assert meta["size"] == len(served.content) and meta["sha256"] == hashlib.sha256(served.content).hexdigest()


async def test_who_may_not_attach_gets_nothing_and_nothing_is_written(live_server, tokens, fresh_database, db, street):
    elsewhere = await report(live_server, tokens, who="secretary", path="JS01.A1.B04")
    by_head = await report(live_server, tokens, who="grid-head")
    before = stored_files(fresh_database)
    for who, case in (("grid-head", elsewhere), ("hushu-secretary", elsewhere), ("volunteer", by_head)):
        result = await added(live_server, tokens[who], case["id"], photo())
        assert result["errors"][0]["code"] == "NOT_FOUND", who
    # The grid worker sees the case in his grid but neither reported, manages nor works it.
    refused = (await upload(live_server, tokens["grid-worker"], by_head["id"], photo())).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert stored_files(fresh_database) == before
    assert await rows_of(street.tenant, elsewhere["id"]) == 0 and await rows_of(street.tenant, by_head["id"]) == 0


async def test_bad_files_are_refused_and_leave_nothing(live_server, tokens, fresh_database, db, street):
    case = await report(live_server, tokens)
    before = stored_files(fresh_database)
    text = await added(
        live_server, tokens["grid-worker"], case["id"], "这不是照片\n".encode() * 50, filename="fake.jpg"
    )
    assert [e["code"] for e in text["errors"]] == ["UNSUPPORTED_TYPE"] and text["attachment"] is None
    # Starts like a JPEG, is not one.
    forged = await added(live_server, tokens["grid-worker"], case["id"], b"\xff\xd8\xff" + b"\x00" * 500)
    assert forged["errors"][0]["code"] == "UNSUPPORTED_TYPE"
    gif = await added(live_server, tokens["grid-worker"], case["id"], b"GIF89a" + b"\x00" * 100, filename="a.gif")
    assert gif["errors"][0]["code"] == "UNSUPPORTED_TYPE"
    too_large = photo("JPEG") + b"\x00" * (10 * 1024 * 1024)
    big = await added(live_server, tokens["grid-worker"], case["id"], too_large)
    assert big["errors"][0]["code"] == "TOO_LARGE"
    assert stored_files(fresh_database) == before and await rows_of(street.tenant, case["id"]) == 0


async def test_count_limit_and_closed_cases(live_server, tokens, fresh_database, db, street):
    case = await report(live_server, tokens, who="secretary")
    small = photo("PNG", (2, 2))
    for _ in range(20):
        assert (await added(live_server, tokens["secretary"], case["id"], small))["errors"] == []
    before = stored_files(fresh_database)
    assert (await added(live_server, tokens["secretary"], case["id"], small))["errors"][0]["code"] == "TOO_MANY"
    assert stored_files(fresh_database) == before and await rows_of(street.tenant, case["id"]) == 20

    closed = await report(live_server, tokens, who="secretary")
    for action, extra in (
        ("ACCEPT", {}),
        ("DISPATCH", {"assigneeKind": "GRID_WORKER", "assignee": street.username("grid-worker")}),
        ("START", {}),
        ("RESOLVE", {}),
        ("VERIFY", {"satisfaction": 4}),
        ("CLOSE", {}),
    ):
        who = "grid-worker" if action in ("START", "RESOLVE") else "secretary"
        result = await act(live_server, tokens[who], closed, action, **extra)
        assert result["errors"] == [], (action, result)
        closed = result["case"]
    assert (await added(live_server, tokens["secretary"], closed["id"], small))["errors"][0]["code"] == "CLOSED"
    assert await rows_of(street.tenant, closed["id"]) == 0


async def test_a_rolled_back_operation_takes_its_stored_photo_with_it(live_server, tokens, fresh_database, db, street):
    """The photo is stored, then a later field of the same mutation fails: the transaction rolls
    back, and the object its row named is deleted too."""
    case = await report(live_server, tokens)
    query = """mutation($caseId: ID!, $file: Upload!) {
        a: addCaseAttachment(caseId: $caseId, file: $file) { attachment { id } errors { code } }
        b: transitionCase(input: {id: $caseId, action: ACCEPT, version: 1}) { errors { code } } }"""
    before = stored_files(fresh_database)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as client:
        response = await client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {tokens['grid-worker']}"},
            data={
                "operations": json.dumps({"query": query, "variables": {"caseId": case["id"], "file": None}}),
                "map": json.dumps({"0": ["variables.file"]}),
            },
            files={"0": ("a.png", photo("PNG"), "image/png")},
        )
    body = response.json()
    # Mutation fields run in order: `a` stored and inserted, then a worker may not accept.
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["b"], "FORBIDDEN")]
    assert await rows_of(street.tenant, case["id"]) == 0 and stored_files(fresh_database) == before


async def test_the_sweep_removes_only_old_photos_no_case_refers_to(live_server, tokens, fresh_database, db, street):
    """A crash between storing a photo and committing its row leaves an object no row names,
    a crash inside the write a temporary file: `redgrid sweep-attachments` removes both once
    they are old enough, and nothing else; a tenant whose photos mostly have no row (a wrong
    database) is left alone unless forced."""
    tenant = street.tenant
    case = await report(live_server, tokens)
    kept = await added(live_server, tokens["grid-worker"], case["id"], photo())
    assert kept["errors"] == []
    root = Path(fresh_database["REDGRID_DATA_DIR"]) / "attachments" / f"t{tenant.id}" / "202001"
    root.mkdir(parents=True, exist_ok=True)
    old_orphan, new_orphan, partial = root / uuid.uuid4().hex, root / uuid.uuid4().hex, root / ".upload-x1y2z3"

    def age(path: Path, hours: float) -> None:
        then = time.time() - hours * 3600
        os.utime(path, (then, then))

    for path in (old_orphan, new_orphan, partial):
        path.write_bytes(photo())
    for path in stored_files(fresh_database):  # the attached photos are old too: they must stay
        if path != new_orphan:
            age(path, 25)
    before = set(stored_files(fresh_database))

    assert "would remove 2 stored photos" in redgrid(fresh_database, "sweep-attachments", "--dry-run").stdout
    assert set(stored_files(fresh_database)) == before
    assert "removed 2 stored photos" in redgrid(fresh_database, "sweep-attachments").stdout
    assert set(stored_files(fresh_database)) == before - {old_orphan, partial}
    assert (await fetch(live_server, tokens["secretary"], kept["attachment"]["url"])).status_code == 200
    age(new_orphan, 2)
    assert redgrid(fresh_database, "sweep-attachments", "--older-than-hours", "1").stdout.startswith("removed 1 ")
    assert not new_orphan.exists()

    many = [root / uuid.uuid4().hex for _ in range(25)]
    for path in many:
        path.write_bytes(b"x")
        age(path, 25)

    def sweep(*args: str) -> subprocess.CompletedProcess[str]:
        return redgrid(fresh_database, "sweep-attachments", *args, check=False)

    refused = sweep()
    assert refused.returncode == 1 and "--force" in refused.stderr and all(p.exists() for p in many)
    assert sweep("--dry-run", "--force").stdout.startswith("would remove 25 ") and all(p.exists() for p in many)
    assert sweep("--force").returncode == 0 and not any(p.exists() for p in many)
    assert sweep("--older-than-hours", "0.5").returncode == 2
