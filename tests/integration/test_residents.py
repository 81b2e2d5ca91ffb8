"""Residents report and rate without an account (tenants/cases/public.py): a report reaches the
grid head's inbox at the node its location lies in, the tracking token shows the case's public
view and nothing personal, the resident rates once the case is resolved and only once, a wrong
token answers as a missing case, the public budget answers 429, a photo's GPS is dropped, and
the figures tell the residents' ratings from the typed ones."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re

import httpx
import pytest
import redis
from PIL import Image
from playwright.async_api import async_playwright

from redgrid.platform.database import tenant_transaction
from redgrid.tenants.cases.models import Case, PublicReport
from redgrid.tenants.grid.shapes import split

from .attachments_api import added, fetch, photo
from .browser import CHROMIUM
from .cases_api import act, report
from .clients import gql, gql_data
from .conftest import LiveServer

STREET = "query($slug: String!) { publicStreet(slug: $slug) { slug name categories { code name } } }"
REPORT = """mutation($input: ResidentReportInput!, $photo: Upload) { reportAsResident(input: $input, photo: $photo) {
    number trackingToken errors { field code message } } }"""
TRACKED_FIELDS = (
    "number category state reportedAt resolvedAt verifiedAt closedAt satisfaction mayRate "
    "photos { index contentType width height }"
)
TRACK = f"""query($street: String!, $token: String!) {{
    trackedCase(street: $street, token: $token) {{ {TRACKED_FIELDS} }} }}"""
RATE = f"""mutation($input: RateTrackedCaseInput!) {{ rateTrackedCase(input: $input) {{
    case {{ {TRACKED_FIELDS} }} errors {{ field code message }} }} }}"""
STAFF_VIEW = """query($states: [CaseState!]) { cases(first: 100, filter: {states: $states}) { edges { node {
    id number version state source reporter satisfaction satisfactionBy node { path }
    latitude longitude attachments { id url uploadedBy } } } } }"""
FIGURES = """{ keyFigures { satisfaction30Days residentSatisfaction30Days residentRatings30Days
    typedSatisfaction30Days typedRatings30Days } }"""
GPS_IFD = 0x8825

# Where building 3 of the demo's Jinshui lies (platform/root/demo.py builds its boundary so).
JINSHUI = (118.830, 31.940, 118.850, 31.955)
B03 = split(split(JINSHUI, 6)[0], 5)[2]
IN_B03 = ((B03[1] + B03[3]) / 2, (B03[0] + B03[2]) / 2)  # latitude, longitude


def multipart(query: str, variables: dict, data: bytes | None) -> dict:
    if data is None:
        return {"json": {"query": query, "variables": variables}}
    operations = {"query": query, "variables": {**variables, "photo": None}}
    return {
        "data": {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.photo"]})},
        "files": {"0": ("IMG_0001.jpg", data, "image/jpeg")},
    }


async def resident_report(server, street_slug: str, data: bytes | None = None, **input_) -> httpx.Response:
    variables = {"input": {"street": street_slug, "category": "city_appearance", "description": "路灯坏了", **input_}}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        return await client.post("/graphql", **multipart(REPORT, variables, data))


async def reported(server, street_slug: str, data: bytes | None = None, **input_) -> dict:
    response = await resident_report(server, street_slug, data, **input_)
    assert response.status_code == 200, response.text
    result = response.json()["data"]["reportAsResident"]
    assert result["errors"] == [], result
    return result


async def staff_case(server, token: str, number: str) -> dict:
    edges = (await gql_data(server, STAFF_VIEW, {"states": None}, token))["cases"]["edges"]
    return next(e["node"] for e in edges if e["node"]["number"] == number)


async def track(server, street_slug: str, token: str) -> httpx.Response:
    return await gql(server, TRACK, {"street": street_slug, "token": token})


async def rate(server, street_slug: str, token: str, satisfaction: int, comment: str = "") -> dict:
    variables = {"input": {"street": street_slug, "token": token, "satisfaction": satisfaction, "comment": comment}}
    return (await gql_data(server, RATE, variables))["rateTrackedCase"]


def gps_photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "RedGridPhone"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (31.0, 56.0, 0.0), 3: "E", 4: (118.0, 50.0, 0.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 30, 200)).save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


async def test_a_resident_reports_without_an_account_into_the_grid_heads_inbox(live_server, street, tokens):
    shown = (await gql_data(live_server, STREET, {"slug": street.slug}))["publicStreet"]
    assert shown["slug"] == street.slug and "city_appearance" in {c["code"] for c in shown["categories"]}
    assert (await gql_data(live_server, STREET, {"slug": "no-such-street"}))["publicStreet"] is None

    latitude, longitude = IN_B03
    result = await reported(live_server, street.slug, latitude=latitude, longitude=longitude, address="3号楼东侧")
    token = result["trackingToken"]
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # 256 bits, URL-safe

    inbox = (await gql_data(live_server, STAFF_VIEW, {"states": ["REPORTED"]}, tokens["grid-head"]))["cases"]["edges"]
    case = next(e["node"] for e in inbox if e["node"]["number"] == result["number"])
    assert case["node"]["path"] == "JS01.A1.B03"
    assert case["source"] == "RESIDENT_REPORT" and case["reporter"] == "resident:public"
    assert (case["latitude"], case["longitude"]) == (latitude, longitude)

    async with tenant_transaction(street.tenant.id):  # the token is kept only as its hash
        row = await PublicReport.get(case__number=result["number"])
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in json.dumps(await Case.filter(number=result["number"]).values(), default=str)

    nowhere = await reported(live_server, street.slug, latitude=10.0, longitude=10.0)  # in no grid's shape
    assert (await staff_case(live_server, tokens["secretary"], nowhere["number"]))["node"]["path"] == "JS01"
    unplaced = await reported(live_server, street.slug)  # no location at all: the street's root
    assert (await staff_case(live_server, tokens["secretary"], unplaced["number"]))["node"]["path"] == "JS01"


async def test_every_field_is_held_to_its_limits(live_server, street):
    cases = [
        ({"description": "x" * 501}, "description", "TOO_LONG"),
        ({"description": "   "}, "description", "TOO_LONG"),
        ({"description": "a\u202eb"}, "description", "INVALID_TEXT"),
        ({"address": "x" * 201}, "address", "TOO_LONG"),
        ({"latitude": 91.0, "longitude": 10.0}, "latitude", "INVALID_POINT"),
        ({"latitude": 31.9}, "latitude", "INVALID_POINT"),
        ({"category": "no_such"}, "category", "NOT_FOUND"),
        ({"category": "city\u0000appearance"}, "category", "NOT_FOUND"),
    ]
    for input_, field, code in cases:
        body = (await resident_report(live_server, street.slug, **input_)).json()
        errors = body["data"]["reportAsResident"]["errors"]
        assert {(e["field"], e["code"]) for e in errors} == {(field, code)}, (input_, errors)
    not_a_photo = (await resident_report(live_server, street.slug, b"GIF89a not a photo")).json()
    assert not_a_photo["data"]["reportAsResident"]["errors"][0]["code"] == "UNSUPPORTED_TYPE"
    huge = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(huge, format="PNG")  # 144 megapixels in a few KB
    too_large = (await resident_report(live_server, street.slug, huge.getvalue())).json()
    assert too_large["data"]["reportAsResident"]["errors"][0] == {
        "field": "photo",
        "code": "TOO_LARGE",
        "message": too_large["data"]["reportAsResident"]["errors"][0]["message"],
    }


async def test_the_photos_position_places_the_case_and_is_gone_from_the_file(live_server, street, tokens):
    result = await reported(live_server, street.slug, gps_photo())
    case = await staff_case(live_server, tokens["secretary"], result["number"])
    assert (round(case["latitude"], 4), round(case["longitude"], 4)) == (31.9333, 118.8333)
    [attachment] = case["attachments"]
    assert attachment["uploadedBy"] == "resident:public"
    stored = await fetch(live_server, tokens["secretary"], attachment["url"])
    assert stored.status_code == 200
    with Image.open(io.BytesIO(stored.content)) as image:
        assert not image.getexif() and "exif" not in image.info


async def test_tracking_shows_no_personal_data_and_rating_waits_for_the_resolution(live_server, street, tokens):
    latitude, longitude = IN_B03
    result = await reported(live_server, street.slug, latitude=latitude, longitude=longitude)
    token = result["trackingToken"]
    early = await rate(live_server, street.slug, token, 5)
    assert [e["code"] for e in early["errors"]] == ["NOT_RESOLVED"]

    case = await staff_case(live_server, tokens["grid-head"], result["number"])
    case = (await act(live_server, tokens["grid-head"], case, "ACCEPT"))["case"]
    worker = street.username("grid-worker")
    case = (await act(live_server, tokens["grid-head"], case, "DISPATCH", assigneeKind="GRID_WORKER", assignee=worker))[
        "case"
    ]
    case = (await act(live_server, tokens["grid-worker"], case, "START"))["case"]
    await added(live_server, tokens["grid-worker"], case["id"], photo())  # the resolution's photo
    case = (await act(live_server, tokens["grid-worker"], case, "RESOLVE"))["case"]

    body = (await track(live_server, street.slug, token)).json()
    view = body["data"]["trackedCase"]
    assert view["number"] == result["number"] and view["state"] == "RESOLVED" and view["mayRate"] is True
    assert view["category"] == "市容环境" and view["resolvedAt"] is not None
    assert [p["index"] for p in view["photos"]] == [0]
    text = json.dumps(body, ensure_ascii=False)
    for personal in [street.username(role) for role in street.ROLES] + ["resident:public", "路灯坏了"]:
        assert personal not in text
    assert not re.search(r"1[3-9]\d{9}", text)  # no phone

    served = await fetch_photo(live_server, street.slug, token, 0)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert (await fetch_photo(live_server, street.slug, token[:-2] + "xx", 0)).status_code == 404
    assert (await fetch_photo(live_server, street.slug, token, 1)).status_code == 404

    rated = await rate(live_server, street.slug, token, 4, "很快就修好了")
    assert rated["errors"] == [] and rated["case"]["satisfaction"] == 4 and rated["case"]["mayRate"] is False
    again = await rate(live_server, street.slug, token, 1)
    assert [e["code"] for e in again["errors"]] == ["ALREADY_RATED"]

    typed = await act(live_server, tokens["grid-head"], case, "VERIFY", satisfaction=2)
    assert [e["code"] for e in typed["errors"]] == ["RESIDENT_RATES"]  # the resident rates it, not the head
    verified = await act(live_server, tokens["grid-head"], case, "VERIFY")
    assert verified["errors"] == [] and verified["case"]["satisfaction"] == 4
    staff_view = await staff_case(live_server, tokens["grid-head"], result["number"])
    assert staff_view["satisfactionBy"] == "RESIDENT"


async def fetch_photo(server, street_slug: str, token: str, index: int) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        return await client.get(
            "/public/photo", params={"street": street_slug, "index": index}, headers={"X-Tracking-Token": token}
        )


async def test_a_wrong_token_answers_as_a_missing_case(live_server, street):
    real = (await reported(live_server, street.slug))["trackingToken"]
    wrong = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    answers = [
        (await track(live_server, slug, token)).json() for slug, token in ((street.slug, wrong), ("t-nowhere", real))
    ]
    assert answers[0] == answers[1] == {"data": {"trackedCase": None}}
    ratings = [await rate(live_server, slug, token, 5) for slug, token in ((street.slug, wrong), ("t-nowhere", real))]
    assert ratings[0] == ratings[1] and [e["code"] for e in ratings[0]["errors"]] == ["NOT_FOUND"]
    assert (await track(live_server, street.slug, real)).json()["data"]["trackedCase"]["state"] == "REPORTED"


async def test_the_figures_tell_residents_ratings_from_typed_ones(live_server, street, tokens):
    """Runs after the rating above: the resident's 4 counts as his, a phone-in's typed 2 as typed."""
    before = (await gql_data(live_server, FIGURES, token=tokens["secretary"]))["keyFigures"]
    case = await report(live_server, tokens, who="grid-head", source="HOTLINE_12345")
    for action, who, extra in (
        ("ACCEPT", "grid-head", {}),
        ("DISPATCH", "grid-head", {"assigneeKind": "GRID_WORKER", "assignee": street.username("grid-worker")}),
        ("START", "grid-worker", {}),
        ("RESOLVE", "grid-worker", {}),
    ):
        case = (await act(live_server, tokens[who], case, action, **extra))["case"]
    unrated = await act(live_server, tokens["grid-head"], case, "VERIFY")
    assert [e["code"] for e in unrated["errors"]] == ["OUT_OF_RANGE"]  # a phone-in needs the typed rating
    assert (await act(live_server, tokens["grid-head"], case, "VERIFY", satisfaction=2))["errors"] == []

    after = (await gql_data(live_server, FIGURES, token=tokens["secretary"]))["keyFigures"]
    assert after["residentRatings30Days"] == 1 and after["residentSatisfaction30Days"] == 4.0
    assert after["typedRatings30Days"] == before["typedRatings30Days"] + 1
    assert after["typedSatisfaction30Days"] is not None
    if before["typedRatings30Days"] == 0:
        assert after["typedSatisfaction30Days"] == 2.0 and after["satisfaction30Days"] == 3.0


@pytest.fixture
def tight_server(fresh_database):
    """A server of its own with small public budgets: 4 public operations a minute, 1 report a day."""
    client = redis.Redis.from_url(os.environ["REDGRID_REDIS_URL"])
    for key in client.scan_iter("redgrid-rate*public*"):
        client.delete(key)  # budgets spent by an earlier run
    server = LiveServer(
        {
            **fresh_database,
            "REDGRID_LIMIT_RATE_PUBLIC": "4/minute",
            "REDGRID_LIMIT_RATE_PUBLIC_REPORTS": "1/day",
            "REDGRID_LIMIT_RATE_REFUSAL_MEMORY_SECONDS": "0",
        }
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


async def test_the_public_budgets_answer_429_with_retry_after(tight_server, street):
    first = await resident_report(tight_server, street.slug)
    assert first.json()["data"]["reportAsResident"]["errors"] == []
    second = await resident_report(tight_server, street.slug)  # the day's one report is spent
    assert second.status_code == 429, second.text
    assert 60 < int(second.headers["retry-after"]) <= 86400
    assert second.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    token = first.json()["data"]["reportAsResident"]["trackingToken"]
    assert (await track(tight_server, street.slug, token)).status_code == 200
    assert (await track(tight_server, street.slug, "guess-" + token[6:])).status_code == 200
    guessing = await track(tight_server, street.slug, "guess2" + token[6:])  # the 5th public operation
    assert guessing.status_code == 429, guessing.text
    assert 1 <= int(guessing.headers["retry-after"]) <= 60
    assert guessing.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    photo_guess = await fetch_photo(tight_server, street.slug, token, 0)
    assert photo_guess.status_code == 429 and int(photo_guess.headers["retry-after"]) >= 1


async def test_a_resident_reports_follows_and_rates_through_the_pages(live_server, street, tokens, tmp_path, shots):
    """The pages at 390x844 in zh-CN with the position granted: the resident reports with a
    photo and his position, a grid head's team resolves the case through the API, and the
    resident rates it through his tracking link."""
    latitude, longitude = IN_B03
    chosen = tmp_path / "现场.jpg"
    chosen.write_bytes(gps_photo())
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"] if os.geteuid() == 0 else []
        )
        try:
            context = await browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=3,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                geolocation={"latitude": latitude, "longitude": longitude},
                permissions=["geolocation"],
            )
            page = await context.new_page()
            await page.goto(f"{live_server.url}/r/{street.slug}")
            await page.locator("[data-category=city_appearance]").click()
            await page.locator("[data-test=description] textarea").fill("楼道灯不亮了")
            await page.locator("[data-test=locate]").click()
            await page.locator("[data-test=point]").get_by_text(f"{latitude:.5f}").wait_for()
            await page.locator(".van-uploader__input").set_input_files(str(chosen))
            await page.locator(".van-uploader__preview").wait_for()
            await page.screenshot(path=shots / "resident-report.png", full_page=True)
            await page.locator("[data-test=submit]").click()
            link = await page.locator("[data-test=tracking-link] .van-cell__label").inner_text(timeout=15_000)
            assert link.startswith(f"{live_server.url}/r/{street.slug}/t#")
            number = re.search(r"编号 (\S+?)。", await page.locator("[data-test=reported]").inner_text()).group(1)

            case = await staff_case(live_server, tokens["grid-head"], number)
            assert case["node"]["path"] == "JS01.A1.B03" and len(case["attachments"]) == 1
            case = (await act(live_server, tokens["grid-head"], case, "ACCEPT"))["case"]
            worker = street.username("grid-worker")
            extra = {"assigneeKind": "GRID_WORKER", "assignee": worker}
            case = (await act(live_server, tokens["grid-head"], case, "DISPATCH", **extra))["case"]
            case = (await act(live_server, tokens["grid-worker"], case, "START"))["case"]
            await added(live_server, tokens["grid-worker"], case["id"], photo())
            await act(live_server, tokens["grid-worker"], case, "RESOLVE")

            await page.goto(link)
            await page.locator("[data-test=state][data-state=RESOLVED]").wait_for()
            await page.locator("[data-test=resolution-photo] img").wait_for()
            await page.screenshot(path=shots / "resident-track.png", full_page=True)
            await page.locator("[data-test=stars] .van-rate__item").nth(3).click()
            await page.locator("[data-test=comment] textarea").fill("修得很快")
            await page.locator("[data-test=rate]").click()
            await page.locator("[data-test=rated]").wait_for()
            await page.screenshot(path=shots / "resident-rated.png", full_page=True)
            assert await page.locator("[data-test=rate-form]").count() == 0
        finally:
            await browser.close()
    rated = await staff_case(live_server, tokens["grid-head"], number)
    assert (rated["satisfaction"], rated["satisfactionBy"]) == (4, "RESIDENT")
