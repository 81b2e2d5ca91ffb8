"""The case area as graphql/schema.py composes it: queries and mutations (queries.py,
mutations.py), the types, inputs and enums they use (types.py, inputs.py, enums.py)."""

from __future__ import annotations

from redgrid.graphql.cases.mutations import CaseMutation
from redgrid.graphql.cases.queries import CaseQuery
from redgrid.graphql.cases.types import Case, CaseAttachment, CaseCategory
from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.tenants.cases import attachments
from redgrid.tenants.cases import service as cases

__all__ = ["CaseMutation", "CaseQuery", "NODES", "TYPES"]

# `node(id)` asks NODES by type name; TYPES are object types the schema must hold even where no
# field names them.
NODES: dict[str, NodeResolver[object]] = {
    "Case": node_resolver(cases.case_by_id, Case.from_model),
    "CaseAttachment": node_resolver(attachments.visible_attachment, CaseAttachment.from_model),
    "CaseCategory": node_resolver(cases.category_by_id, CaseCategory.from_model),
}
TYPES: list[type] = []
