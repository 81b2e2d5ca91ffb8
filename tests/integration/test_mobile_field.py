"""The phone's field pages in a real browser (Debian's chromium at 390x844, Playwright, logged
in through Keycloak's own page as the street's grid worker): a home visit with its follow-up
case in one tap, and a simple problem the grid worker handles himself, then resolves."""

from __future__ import annotations

import os
import uuid

from playwright.async_api import Page

from redgrid.platform.database import tenant_transaction
from redgrid.tenants.cases.models import Case
from redgrid.tenants.visits.models import HomeVisit

from .browser import chromium_page
from .cases_api import report
from .clients import gql_data
from .conftest import Street

SELF_HANDLED = """mutation($code: String!) { setCaseCategory(input: {code: $code, name: "简易问题", selfHandle: true})
    { errors { code } } }"""


async def phone_login(page: Page, server_url: str, street: Street, role: str) -> None:
    await page.goto(f"{server_url}/m/")
    await page.wait_for_url(f"{os.environ['REDGRID_KEYCLOAK_URL'].rstrip('/')}/**")
    await page.fill("#username", street.username(role))
    await page.fill("#password", street.password(role))
    await page.click("#kc-login")
    await page.locator("[data-test=tabs]").wait_for(timeout=15_000)


async def test_a_grid_worker_visits_with_a_follow_up_and_handles_a_simple_problem(
    live_server, web_client, tokens, street: Street, db
) -> None:
    code = f"simple{uuid.uuid4().hex[:6]}"
    assert (await gql_data(live_server, SELF_HANDLED, {"code": code}, tokens["secretary"]))["setCaseCategory"][
        "errors"
    ] == []
    simple = await report(live_server, tokens, code=code)  # by the grid worker, in his building
    worker = street.username("grid-worker")
    async with chromium_page(390, 844, mobile=True) as page:
        await phone_login(page, live_server.url, street, "grid-worker")
        await page.locator("[data-tab=visits]").click()
        await page.locator("[data-test=coverage]", has_text="近30天").wait_for(timeout=10_000)
        await page.locator("[data-test=household]").first.click()
        await page.fill("[data-test=findings] textarea", "楼道堆放杂物")
        await page.locator("[data-test=follow-up]").click()
        await page.fill("[data-test=follow-up-title] input", "楼道堆物需清理")
        await page.locator("[data-test=follow-up-category] .van-cell", has_text="安全隐患").click()
        await page.locator("[data-test=save-visit]").click()
        await page.get_by_text("已记录，并已上报事件").wait_for(timeout=10_000)
        await page.locator("[data-test=coverage]", has_text="近30天 1/").wait_for(timeout=10_000)
        async with tenant_transaction(street.tenant.id):
            visits = await HomeVisit.filter(tenant_id=street.tenant.id, visitor=worker).select_related("follow_up_case")
            assert len(visits) == 1 and visits[0].findings == "楼道堆放杂物"
            case = visits[0].follow_up_case
            assert case is not None and (case.title, case.source, case.reporter) == (
                "楼道堆物需清理",
                "home_visit",
                worker,
            )

        # The simple problem he reported: he takes it himself, then resolves it.
        await page.goto(f"{live_server.url}/m/case/{simple['id']}")
        await page.locator("[data-test=state]", has_text="已上报").wait_for(timeout=10_000)
        await page.locator("[data-action=HANDLE]").click()  # offered because the server lists it
        await page.locator("[data-test=confirm]").click()
        await page.locator("[data-test=state]", has_text="处置中").wait_for(timeout=10_000)
        await page.locator("[data-action=RESOLVE]").click()
        await page.locator("[data-test=confirm]").click()
        await page.locator("[data-test=state]", has_text="已办结").wait_for(timeout=10_000)
        async with tenant_transaction(street.tenant.id):
            row = await Case.get(tenant_id=street.tenant.id, number=simple["number"])
            assert (row.state, row.assignee) == ("resolved", worker)
