"""The phone's notification centre and knock page in Debian's chromium at 390x844: the grid
worker's unread badge follows a dispatch live and clears when he marks all read; the volunteer
records a knock from the 敲门 tab."""

from __future__ import annotations

import os

import pytest
from playwright.async_api import Page, async_playwright

from .browser import CHROMIUM
from .cases_api import dispatched
from .clients import gql_data

pytestmark = pytest.mark.asyncio(loop_scope="session")

COUNT = "{ unreadNotificationCount }"


async def sign_in(page: Page, url: str, username: str, password: str) -> None:
    await page.goto(url)
    await page.wait_for_selector("#username", timeout=30_000)
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("#kc-login")
    await page.locator("[data-test=tabs]").wait_for(timeout=30_000)


async def test_the_phone_shows_notifications_live_and_records_a_knock(live_server, web_client, tokens, street, shots):
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"] if os.geteuid() == 0 else []
        )
        try:
            phone = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
            worker = await (await browser.new_context(**phone)).new_page()
            await sign_in(
                worker, f"{live_server.url}/m/", street.username("grid-worker"), street.password("grid-worker")
            )
            badge = worker.locator("[data-tab=notices] .van-badge")
            before = (await gql_data(live_server, COUNT, token=tokens["grid-worker"]))["unreadNotificationCount"]
            if before:
                await badge.filter(has_text=str(before)).wait_for(timeout=10_000)

            case = await dispatched(live_server, tokens, street.username("grid-worker"))
            await badge.filter(has_text=str(before + 1)).wait_for(timeout=5_000)  # live, no reload

            await worker.click("[data-tab=notices]")
            await worker.locator("[data-tab=notices].van-tabbar-item--active").wait_for(timeout=10_000)
            await worker.locator("[data-test=notifications]").get_by_text(case["number"]).first.wait_for(timeout=10_000)
            await worker.screenshot(path=str(shots / "mobile-notices.png"))
            await worker.click("[data-test=read-all]")
            await badge.wait_for(state="hidden", timeout=5_000)
            assert (await gql_data(live_server, COUNT, token=tokens["grid-worker"]))["unreadNotificationCount"] == 0

            volunteer = await (await browser.new_context(**phone)).new_page()
            await sign_in(
                volunteer, f"{live_server.url}/m/", street.username("volunteer"), street.password("volunteer")
            )
            await volunteer.locator("[data-tab=report].van-tabbar-item--active").wait_for(timeout=10_000)
            await volunteer.click("[data-tab=knock]")
            first = volunteer.locator("[data-pairing]").first
            await first.wait_for(timeout=10_000)
            pairing = await first.get_attribute("data-pairing")
            await first.locator("[data-test=knock-well]").click()
            await first.locator("[data-test=knock-state]").get_by_text("平安").wait_for(timeout=10_000)
            await volunteer.screenshot(path=str(shots / "mobile-knock.png"))
            knocks = await gql_data(
                live_server,
                "query($id: ID!) { pairingKnocks(pairingId: $id) { edges { node { status } } } }",
                {"id": pairing},
                tokens["volunteer"],
            )
            assert [e["node"]["status"] for e in knocks["pairingKnocks"]["edges"]] == ["WELL"]
            # a grid worker's phone has no knock tab
            assert await worker.locator("[data-tab=knock]").count() == 0
        finally:
            await browser.close()
