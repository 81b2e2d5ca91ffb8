"""Hostile files against a real server: a spreadsheet that made calamine ask for 512 GiB, a zip
bomb, a small PNG of 144 megapixels, a photo carrying its GPS position. Each is answered with a
typed error or stored stripped, writes nothing, and the server keeps serving meanwhile."""

from __future__ import annotations

import asyncio
import io
import time

import httpx
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.tenants.people.models import Resident

from ..unit.test_sandbox import rezip, xlsx
from .attachments_api import added, fetch, rows_of, stored_files
from .cases_api import report
from .clients import gql_data
from .registers_api import upload

GPS_IFD, ORIENTATION = 0x8825, 0x0112


async def residents(tenant: Tenant) -> int:
    async with tenant_transaction(tenant.id):
        return await Resident.all().count()


async def refused_while_healthz_answers(server, token: str, filename: str, data: bytes) -> dict:
    """Send the import and, until it is answered, time /healthz every 20 ms."""
    sending = asyncio.create_task(upload(server, token, "RESIDENTS", filename, data))
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        while not sending.done():
            started = time.monotonic()
            assert (await client.get("/healthz")).status_code == 200
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.02)
    assert latencies and max(latencies) < 1, latencies
    response = await sending
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["importRegister"]


async def test_a_sheet_with_its_last_cell_filled_is_refused_and_the_server_lives(live_server, tokens, db, street):
    before = await residents(street.tenant)
    declared = xlsx({"A1": "姓名", "XFD1048576": "x"})  # the finding's file: 512 GiB laid out densely
    assert len(declared) < 6000
    result = await refused_while_healthz_answers(live_server, tokens["grid-worker"], "网格.xlsx", declared)
    assert result["imported"] == 0 and [e["code"] for e in result["errors"]] == ["TOO_LARGE"]
    # The same cells under a dimension that lies: calamine itself runs out of memory, in the child.
    lying = xlsx({"A1": "姓名", "XFD1048576": "x"}, dimension="A1:A1")
    result = await refused_while_healthz_answers(live_server, tokens["grid-worker"], "网格.xlsx", lying)
    assert [e["code"] for e in result["errors"]] == ["TOO_LARGE"] and result["imported"] == 0
    assert live_server.process.poll() is None
    assert await residents(street.tenant) == before


async def test_a_zip_bomb_is_refused_and_the_next_import_works(live_server, tokens, db, street):
    before = await residents(street.tenant)
    bomb = rezip(xlsx({"A1": "姓名"}), lambda name, body: body, {"xl/sharedStrings2.xml": b" " * (200 * 2**20)})
    assert len(bomb) < 400_000
    result = await refused_while_healthz_answers(live_server, tokens["secretary"], "炸弹.xlsx", bomb)
    assert [e["code"] for e in result["errors"]] == ["TOO_LARGE"] and result["imported"] == 0
    assert await residents(street.tenant) == before
    good = xlsx({"A1": "姓名", "B1": "网格编码", "A2": "炸弹后", "B2": "JS01.A1.B03"})
    result = await refused_while_healthz_answers(live_server, tokens["secretary"], "好.xlsx", good)
    assert (result["errors"], result["rowErrors"], result["imported"]) == ([], [], 1)
    assert await residents(street.tenant) == before + 1


async def test_a_small_png_of_144_megapixels_is_refused(live_server, tokens, fresh_database, db, street):
    case = await report(live_server, tokens)
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG", optimize=True)
    assert len(buffer.getvalue()) < 200_000
    before = stored_files(fresh_database)
    result = await added(live_server, tokens["grid-worker"], case["id"], buffer.getvalue(), filename="a.png")
    assert result["attachment"] is None and [e["code"] for e in result["errors"]] == ["TOO_LARGE"]
    assert stored_files(fresh_database) == before and await rows_of(street.tenant, case["id"]) == 0


async def test_photos_are_stored_upright_without_their_metadata(live_server, tokens, db):
    """Where a photo was taken says where someone lives or works: no stored photo keeps it."""
    case = await report(live_server, tokens)
    exif = Image.Exif()
    exif[0x010F] = "RedGridPhone"  # Make
    exif[ORIENTATION] = 6  # held sideways: 64 wide, 48 high, shown turned right
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (32.0, 1.0, 2.0), 3: "E", 4: (118.0, 50.0, 3.0)})
    text = PngInfo()
    text.add_text("Author", "RedGridPhone")
    marked = {
        "JPEG": {"comment": b"RedGridPhone", "xmp": b"<x>RedGridPhone</x>"},
        "PNG": {"pnginfo": text},
        "WEBP": {"xmp": b"<x>RedGridPhone</x>"},
    }
    for fmt, content_type in (("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format=fmt, exif=exif.tobytes(), **marked[fmt])
        assert b"RedGridPhone" in buffer.getvalue()
        with Image.open(io.BytesIO(buffer.getvalue())) as sent:
            assert sent.getexif().get_ifd(GPS_IFD), fmt  # the test's photo does carry a position
        result = await added(live_server, tokens["grid-worker"], case["id"], buffer.getvalue(), filename=f"a.{fmt}")
        meta = result["attachment"]
        assert result["errors"] == [] and meta["contentType"] == content_type, fmt
        served = await fetch(live_server, tokens["grid-worker"], meta["url"])
        assert served.status_code == 200 and b"RedGridPhone" not in served.content, fmt
        with Image.open(io.BytesIO(served.content)) as stored:
            assert not stored.getexif() and "exif" not in stored.info, fmt
            assert stored.size == (48, 64) == (meta["width"], meta["height"]), fmt  # turned upright
    # Without an orientation to apply, a JPEG keeps its own quantisation tables.
    exif[ORIENTATION] = 1
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(
        buffer, format="JPEG", quality=70, exif=exif.tobytes(), **marked["JPEG"]
    )
    meta = (await added(live_server, tokens["grid-worker"], case["id"], buffer.getvalue()))["attachment"]
    served = await fetch(live_server, tokens["grid-worker"], meta["url"])
    with Image.open(io.BytesIO(buffer.getvalue())) as sent, Image.open(io.BytesIO(served.content)) as stored:
        assert not stored.getexif() and stored.size == (64, 48) and stored.quantization == sent.quantization
    assert b"RedGridPhone" not in served.content


CASE_PLACE = "query($id: ID!) { node(id: $id) { ... on Case { latitude longitude } } }"


def gps_jpeg() -> bytes:
    """A photo taken at 32°1'2\" N, 118°50'3\" E, as a phone writes it."""
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (32.0, 1.0, 2.0), 3: "E", 4: (118.0, 50.0, 3.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 30, 200)).save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


async def test_a_photos_position_becomes_the_location_of_a_case_without_one(live_server, tokens, db):
    """The position leaves the file but not the case: a case with no location takes it, one with
    a location keeps its own."""
    unplaced = await report(live_server, tokens)
    placed = await report(live_server, tokens, latitude=31.95, longitude=118.8)
    for case in (unplaced, placed):
        result = await added(live_server, tokens["grid-worker"], case["id"], gps_jpeg())
        assert result["errors"] == []
        served = await fetch(live_server, tokens["grid-worker"], result["attachment"]["url"])
        with Image.open(io.BytesIO(served.content)) as stored:
            assert not stored.getexif().get_ifd(GPS_IFD)
    where = (await gql_data(live_server, CASE_PLACE, {"id": unplaced["id"]}, tokens["grid-worker"]))["node"]
    assert (round(where["latitude"], 5), round(where["longitude"], 5)) == (32.01722, 118.83417)
    kept = (await gql_data(live_server, CASE_PLACE, {"id": placed["id"]}, tokens["grid-worker"]))["node"]
    assert (kept["latitude"], kept["longitude"]) == (31.95, 118.8)
