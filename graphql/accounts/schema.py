"""Accounts and their audit trail as graphql/schema.py composes them. Rules are tenants/accounts/."""

from __future__ import annotations

from redgrid.graphql.accounts.mutations import AccountsMutation
from redgrid.graphql.accounts.queries import AccountsQuery
from redgrid.graphql.accounts.types import Account
from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.tenants.accounts import service as accounts

__all__ = ["NODES", "TYPES", "AccountsMutation", "AccountsQuery"]

NODES: dict[str, NodeResolver[object]] = {"Account": node_resolver(accounts.account_by_id, Account.from_model)}
TYPES: list[type] = [Account]
