"""/healthz, /readyz against the real services, /metrics, request ids, no GraphiQL in production."""

import httpx

from .clients import gql_data, password_token


async def test_health_and_readiness(live_server):
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = (await client.get("/readyz")).json()
        assert ready == {"ready": True, "checks": {"database": "ok", "redis": "ok", "jwks": "ok"}}


async def test_metrics_count_operations_by_name(live_server):
    await gql_data(live_server, "query WhoAmI { me { username } }", token=password_token("jinshui-secretary"))
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        text = (await client.get("/metrics")).text
    assert 'redgrid_graphql_operations_total{operation="WhoAmI",outcome="ok",type="query"}' in text
    assert "redgrid_graphql_operation_seconds_bucket" in text
    assert 'redgrid_http_requests_total{method="POST",route="/graphql",status="200"}' in text
    assert "redgrid_websocket_connections" in text


async def test_request_id_is_echoed_or_made(live_server):
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        made = await client.get("/healthz")
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32


async def test_graphiql_is_off_in_production(live_server):
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in response.text.lower()
