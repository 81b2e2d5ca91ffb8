"""Grid nodes through the API, as the integration modules share it."""

from __future__ import annotations

from .clients import gql_data


async def node_id(server, token: str, path: str) -> str:
    query = "query { gridNodes(first: 500, filter: {includeRetired: true}) { edges { node { id path } } } }"
    data = await gql_data(server, query, token=token)
    return next(e["node"]["id"] for e in data["gridNodes"]["edges"] if e["node"]["path"] == path)
