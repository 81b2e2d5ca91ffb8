"""Accounts a street makes for its people, against the real Keycloak: the first sign-in with
the temporary password, the scope it then sees, disabling (requests refused, websockets
closed), the refusals that write nothing in either store, the audit trail, the bulk import
and the `redgrid users` command."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from .clients import LoginRefused, Subscriber, browser_login, gql, gql_data, password_token, realm_admin
from .conftest import redgrid

CREATE = """mutation($input: CreateAccountInput!) { createAccount(input: $input) {
  errors { field code message } temporaryPassword invited
  account { id username displayName role email enabled gridScope { path } } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateAccountInput!) { updateAccount(id: $id, input: $input) {
  errors { field code } account { role displayName gridScope { path } } } }"""
DISABLE = "mutation($id: ID!) { disableAccount(id: $id) { errors { code } account { enabled } } }"
ENABLE = "mutation($id: ID!) { enableAccount(id: $id) { errors { code } account { enabled } } }"
ME = "{ me { username roles gridScope { kind path } } }"
CHANGES = """query($id: ID) { accountChanges(accountId: $id) { edges { node {
  actor action before { enabled role } after { enabled role gridScopePath displayName } } } } }"""
IMPORT = """mutation($file: Upload!) { importAccounts(file: $file) {
  errors { code message } imported rows rowErrors { line column reason } passwords { username temporaryPassword } } }"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def account_input(grid: dict, username: str, role: str = "GRID_WORKER", path: str | None = "JS01.A1.B03", **more):
    return {
        "username": username,
        "displayName": "张小网",
        "role": role,
        "gridScopeId": grid[path]["id"] if path else None,
        "email": f"{username}@example.com",
        **more,
    }


async def create(live_server, token: str, input: dict) -> dict:
    return (await gql_data(live_server, CREATE, {"input": input}, token))["createAccount"]


def in_keycloak(username: str) -> bool:
    return realm_admin().get_user_id(username) is not None


async def account_rows(db, username: str) -> int:
    from redgrid.platform.database import tenant_transaction
    from redgrid.platform.models import Account, Tenant

    count = 0
    for tenant in await Tenant.all():
        async with tenant_transaction(tenant.id):
            count += await Account.filter(tenant_id=tenant.id, username=username).count()
    return count


async def test_a_new_account_must_change_its_password_then_sees_exactly_its_grid(live_server, tokens, grid):
    username = unique("worker")
    made = await create(live_server, tokens["secretary"], account_input(grid, username))
    assert made["errors"] == [] and made["invited"] is False
    assert made["account"]["role"] == "GRID_WORKER" and made["account"]["gridScope"]["path"] == "JS01.A1.B03"
    temporary = made["temporaryPassword"]
    assert temporary and len(temporary) >= 12

    # The temporary password opens no session by itself: Keycloak requires the change first.
    with pytest.raises(AssertionError, match="not fully set up"):
        password_token(username, temporary)
    with pytest.raises(LoginRefused):
        browser_login(username, temporary)

    token = browser_login(username, temporary, new_password="Neu-" + uuid.uuid4().hex)
    me = (await gql_data(live_server, ME, token=token))["me"]
    assert me == {
        "username": username,
        "roles": ["GRID_WORKER"],
        "gridScope": {"kind": "SUBTREE", "path": "JS01.A1.B03"},
    }
    # The registers it reads are its building's: every household, and nothing of the others.
    query = "{ households(first: 500) { edges { node { node { path } } } } }"
    mine = await gql_data(live_server, query, token=token)
    paths = [e["node"]["node"]["path"] for e in mine["households"]["edges"]]
    assert paths and set(paths) == {"JS01.A1.B03"}
    counted = "query($id: ID!) { households(filter: {underId: $id}) { totalCount } }"
    building = await gql_data(live_server, counted, {"id": grid["JS01.A1.B03"]["id"]}, tokens["secretary"])
    assert len(paths) == building["households"]["totalCount"]


async def test_a_disabled_account_is_refused_and_its_websockets_closed(live_server, tokens, grid, street):
    username = unique("worker")
    made = await create(live_server, tokens["secretary"], account_input(grid, username))
    token = browser_login(username, made["temporaryPassword"], new_password="Neu-" + uuid.uuid4().hex)
    account_id = made["account"]["id"]
    async with Subscriber(live_server, token, area="CASES") as subscriber:
        answer = await gql_data(live_server, DISABLE, {"id": account_id}, tokens["secretary"])
        assert answer["disableAccount"] == {"errors": [], "account": {"enabled": False}}
        assert await subscriber.closed(within=10) == 4401  # the status TTL is 1 s in the tests
    response = await gql(live_server, ME, token=token)
    assert response.status_code == 401
    answer = await gql_data(live_server, ENABLE, {"id": account_id}, tokens["secretary"])
    assert answer["enableAccount"]["account"] == {"enabled": True}
    await asyncio.sleep(1.2)
    assert (await gql(live_server, ME, token=token)).status_code == 200

    trail = (await gql_data(live_server, CHANGES, {"id": account_id}, tokens["secretary"]))["accountChanges"]
    actions = [e["node"] for e in trail["edges"]]
    assert [a["action"] for a in actions] == ["ENABLE", "DISABLE", "CREATE"]
    assert actions[1]["before"]["enabled"] is True and actions[1]["after"]["enabled"] is False
    assert actions[2]["before"] is None and actions[2]["after"]["gridScopePath"] == "JS01.A1.B03"
    assert {a["actor"] for a in actions} == {street.username("secretary")}


@pytest.mark.parametrize(
    ("role", "path", "field", "code"),
    [
        ("DISTRICT_ADMIN", "JS01.A1.B03", "role", "ROLE_NOT_ALLOWED"),
        ("PLATFORM_ADMIN", None, "role", "ROLE_NOT_ALLOWED"),
        ("GRID_HEAD", None, "gridScopeId", "SCOPE_REQUIRED"),
    ],
)
async def test_a_secretary_cannot_grant_platform_roles(live_server, tokens, grid, db, role, path, field, code):
    username = unique("nope")
    made = await create(live_server, tokens["secretary"], account_input(grid, username, role=role, path=path))
    assert [(e["field"], e["code"]) for e in made["errors"]] == [(field, code)] and made["account"] is None
    assert not in_keycloak(username) and await account_rows(db, username) == 0


async def test_a_grid_head_creates_volunteers_in_his_grid_only(live_server, tokens, grid, db, street):
    head = tokens["grid-head"]  # scoped to building 3 (JS01.A1.B03)
    volunteer = unique("vol")
    made = await create(live_server, head, account_input(grid, volunteer, role="VOLUNTEER"))
    assert made["errors"] == [] and in_keycloak(volunteer)

    refused = [
        (account_input(grid, unique("nope"), role="GRID_WORKER"), ("role", "ROLE_NOT_ALLOWED")),
        (account_input(grid, unique("nope"), role="SECRETARY", path=None), ("role", "ROLE_NOT_ALLOWED")),
        (account_input(grid, unique("nope"), role="VOLUNTEER", path="JS01.A2.B06"), ("gridScopeId", "SCOPE_OUTSIDE")),
    ]
    for input, expected in refused:
        answer = await create(live_server, head, input)
        assert [(e["field"], e["code"]) for e in answer["errors"]] == [expected]
        assert not in_keycloak(input["username"]) and await account_rows(db, input["username"]) == 0

    # He manages the volunteer he made, but not a worker of his grid, nor moves one out of it.
    moved = await gql_data(
        live_server, UPDATE, {"id": made["account"]["id"], "input": {"gridScopeId": grid["JS01.A2"]["id"]}}, head
    )
    assert [e["code"] for e in moved["updateAccount"]["errors"]] == ["SCOPE_OUTSIDE"]
    accounts = await gql_data(
        live_server, "{ accounts(first: 100) { edges { node { id username role } } } }", token=head
    )
    worker = next(
        e["node"] for e in accounts["accounts"]["edges"] if e["node"]["username"] == street.username("grid-worker")
    )
    answer = await gql_data(live_server, DISABLE, {"id": worker["id"]}, head)
    assert [e["code"] for e in answer["disableAccount"]["errors"]] == ["NOT_FOUND"]
    assert {e["node"]["username"] for e in accounts["accounts"]["edges"]} >= {volunteer, street.username("grid-worker")}
    assert street.username("secretary") not in {e["node"]["username"] for e in accounts["accounts"]["edges"]}


async def test_another_street_cannot_touch_the_account(live_server, tokens, grid, db, street):
    username = unique("worker")
    made = await create(live_server, tokens["secretary"], account_input(grid, username))
    account_id = made["account"]["id"]
    hushu = tokens["hushu-secretary"]
    for query, variables in (
        (UPDATE, {"id": account_id, "input": {"role": "SECRETARY"}}),
        (DISABLE, {"id": account_id}),
    ):
        answer = await gql_data(live_server, query, variables, hushu)
        assert [e["code"] for e in next(iter(answer.values()))["errors"]] == ["NOT_FOUND"]
    node = await gql_data(live_server, "query($id: ID!) { node(id: $id) { id } }", {"id": account_id}, hushu)
    assert node["node"] is None
    # Nothing changed in Keycloak: still enabled, still a grid worker of the street.
    admin = realm_admin()
    user_id = admin.get_user_id(username)
    assert admin.get_user(user_id)["enabled"] is True
    assert {r["name"] for r in admin.get_realm_roles_of_user(user_id)} >= {"grid-worker"}
    assert "secretary" not in {r["name"] for r in admin.get_realm_roles_of_user(user_id)}

    # A user name another street's person has is refused, and nothing is left behind.
    taken = await create(live_server, tokens["secretary"], account_input(grid, "hushu-volunteer"))
    assert [e["code"] for e in taken["errors"]] == ["USERNAME_TAKEN"]
    assert await account_rows(db, "hushu-volunteer") == 1  # Hushu's own, from its sign-ins


async def test_a_role_change_reaches_keycloak_and_the_audit_trail(live_server, tokens, grid, street):
    username = unique("worker")
    made = await create(live_server, tokens["secretary"], account_input(grid, username))
    answer = await gql_data(
        live_server,
        UPDATE,
        {"id": made["account"]["id"], "input": {"role": "GRID_HEAD", "gridScopeId": grid["JS01.A2"]["id"]}},
        tokens["secretary"],
    )
    assert answer["updateAccount"] == {
        "errors": [],
        "account": {"role": "GRID_HEAD", "displayName": "张小网", "gridScope": {"path": "JS01.A2"}},
    }
    admin = realm_admin()
    roles = {r["name"] for r in admin.get_realm_roles_of_user(admin.get_user_id(username))}
    assert "grid-head" in roles and "grid-worker" not in roles
    user = admin.get_user(admin.get_user_id(username))
    assert user["attributes"]["tenant"] == [street.slug] and user["firstName"] == "小网" and user["lastName"] == "张"


def csv_file(rows: list[str]) -> bytes:
    return ("用户名,姓名,角色,网格编码,电子邮箱\n" + "\n".join(rows) + "\n").encode()


async def upload(live_server, token: str, data: bytes) -> dict:
    import json

    operations = json.dumps({"query": IMPORT, "variables": {"file": None}})
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as client:
        response = await client.post(
            "/graphql",
            data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
            files={"0": ("accounts.csv", data, "text/csv")},
            headers={"Authorization": f"Bearer {token}", "Apollo-Require-Preflight": "true"},
        )
    assert response.status_code == 200, response.text
    return response.json()["data"]["importAccounts"]


async def test_an_import_makes_every_account_or_none(live_server, tokens, db):
    a, b, c = unique("imp"), unique("imp"), unique("imp")
    bad = await upload(
        live_server,
        tokens["secretary"],
        csv_file([f"{a},李一,网格员,JS01.A1.B03,{a}@example.com", f"{b},李二,区管理员,JS01.A1,", f"{c},李三,志愿者,,"]),
    )
    assert bad["imported"] == 0 and [(e["line"], e["column"]) for e in bad["rowErrors"]] == [
        (3, "角色"),
        (4, "网格编码"),
    ]
    assert not any(map(in_keycloak, (a, b, c)))

    # Keycloak refuses the last row (the name is Hushu's): the users made before it go too.
    late = await upload(
        live_server,
        tokens["secretary"],
        csv_file([f"{a},李一,网格员,JS01.A1.B03,{a}@example.com", "hushu-volunteer,李二,志愿者,JS01.A1,"]),
    )
    assert late["imported"] == 0 and [e["code"] for e in late["errors"]] == ["ROW_REFUSED"]
    assert not in_keycloak(a) and await account_rows(db, a) == 0

    good = await upload(
        live_server,
        tokens["secretary"],
        csv_file([f"{a},李一,网格员,JS01.A1.B03,{a}@example.com", f"{b},李二,志愿者,JS01.A1,"]),
    )
    assert good["errors"] == [] and good["imported"] == 2
    assert {p["username"] for p in good["passwords"]} == {a, b} and all(
        p["temporaryPassword"] for p in good["passwords"]
    )
    assert in_keycloak(a) and in_keycloak(b)


def test_the_users_command_creates_lists_and_disables(fresh_database, street):
    username = unique("cli")
    made = redgrid(
        fresh_database,
        "users",
        "--tenant",
        street.slug,
        "create",
        username,
        "--name",
        "王五",
        "--role",
        "grid-worker",
        "--grid",
        "JS01.A1.B03",
        "--email",
        f"{username}@example.com",
    )
    assert "temporary password (shown once)" in made.stdout
    listed = redgrid(fresh_database, "users", "--tenant", street.slug, "list").stdout
    assert f"{username}\tgrid-worker\tJS01.A1.B03\tenabled" in listed
    redgrid(fresh_database, "users", "--tenant", street.slug, "disable", username)
    admin = realm_admin()
    assert admin.get_user(admin.get_user_id(username))["enabled"] is False
    refused = redgrid(
        fresh_database,
        "users",
        "--tenant",
        street.slug,
        "create",
        unique("cli"),
        "--name",
        "王六",
        "--role",
        "grid-head",
        check=False,
    )
    assert refused.returncode == 2 and "SCOPE_REQUIRED" not in refused.stdout and "needs a grid node" in refused.stderr


@pytest.fixture
def smtp():
    """A real SMTP server on loopback, and the realm told to send its mail there (then restored)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    from .conftest import free_port

    class Inbox(Message):
        def __init__(self) -> None:
            super().__init__()
            self.messages: list = []

        def handle_message(self, message) -> None:
            self.messages.append(message)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    admin = realm_admin()
    realm = admin.connection.realm_name
    before = admin.get_realm(realm).get("smtpServer") or {}
    admin.update_realm(
        realm, {"smtpServer": {"host": "127.0.0.1", "port": str(controller.port), "from": "redgrid@example.com"}}
    )
    try:
        yield inbox
    finally:
        admin.update_realm(realm, {"smtpServer": before})
        controller.stop()


@pytest.fixture
def inviting_server(fresh_database):
    from .conftest import LiveServer

    server = LiveServer({**fresh_database, "REDGRID_INVITE_BY_EMAIL": "true"})
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def follow_invitation(link: str, new_password: str) -> None:
    """What the invited person does with the e-mail's link: Keycloak's pages, to a new password."""
    import html
    import re

    def as_localhost_browser(response: httpx.Response) -> None:
        for cookie in browser.cookies.jar:  # Keycloak's cookies are Secure; see clients.browser_login
            cookie.secure = False

    with httpx.Client(timeout=30, follow_redirects=True, event_hooks={"response": [as_localhost_browser]}) as browser:
        page = browser.get(link)
        proceed = re.search(r'href="([^"]*login-actions/[^"]*)"', page.text)  # "click here to proceed"
        if proceed and "password-new" not in page.text:
            page = browser.get(str(page.url.join(html.unescape(proceed.group(1)))))
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        assert action and "password-new" in page.text, page.status_code
        done = browser.post(
            html.unescape(action.group(1)), data={"password-new": new_password, "password-confirm": new_password}
        )
        assert done.status_code == 200, done.status_code


async def test_with_smtp_a_new_account_is_invited_by_e_mail(inviting_server, smtp, tokens, grid):
    import re

    username = unique("invited")
    made = await create(inviting_server, tokens["secretary"], account_input(grid, username))
    assert made["errors"] == [] and made["invited"] is True and made["temporaryPassword"] is None
    for _ in range(100):
        if smtp.messages:
            break
        await asyncio.sleep(0.1)
    [mail] = smtp.messages
    assert mail["To"] == f"{username}@example.com"
    text = "".join(
        part.get_payload(decode=True).decode() for part in mail.walk() if part.get_content_type() == "text/plain"
    )
    link = re.search(r"https?://\S+action-token\S+", text)
    assert link, text
    password = "Neu-" + uuid.uuid4().hex
    follow_invitation(link.group(0), password)
    token = browser_login(username, password)  # no password change asked: the invitation set it
    me = (await gql_data(inviting_server, ME, token=token))["me"]
    assert me["username"] == username and me["gridScope"]["path"] == "JS01.A1.B03"
