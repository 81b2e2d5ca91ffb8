"""Row ids in global ids and cursors: whatever a caller writes in base64 is refused as INVALID_ID
or INVALID_CURSOR before PostgreSQL sees it (a number beyond a bigint failed the query there)."""

from __future__ import annotations

import base64
import json

import pytest

from redgrid.graphql.core.ids import MAX_DB_ID, parse_db_id
from redgrid.graphql.core.pagination import cursor_of, decode_cursor
from redgrid.platform.errors import InvalidInput


@pytest.mark.parametrize("node_id", ["", "0", "-1", "1.0", " 1", "²", "١", str(MAX_DB_ID + 1), "0" * 5000 + "1"])
def test_a_node_part_that_names_no_row_is_none(node_id: str) -> None:
    assert parse_db_id(node_id) is None


def test_a_row_id_reads_back() -> None:
    assert [parse_db_id(n) for n in ("1", "007", str(MAX_DB_ID))] == [1, 7, MAX_DB_ID]


def test_the_cursors_the_api_gives_read_back() -> None:
    for value in ("张三", 12, 1.5, "2026-12-07T15:00:00+00:00"):
        assert decode_cursor(cursor_of(value, 42)) == (value, 42)


def forged(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps(["a", MAX_DB_ID + 1]),
        json.dumps(["a", 0]),
        json.dumps(["a", "1"]),
        json.dumps(["a", True]),
        json.dumps([2**70, 1]),
        json.dumps([{"x": 1}, 1]),
        json.dumps([["x"], 1]),
        json.dumps([True, 1]),
        json.dumps(["a\x00b", 1]),
        json.dumps(["\u202e", 1]),
        "[Infinity, 1]",
        "[" * 5000,
        "not json",
        '["a"]',
    ],
)
def test_a_forged_cursor_is_invalid_cursor(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(forged(raw))
    assert [(e.field, e.code) for e in refused.value.errors] == [("after", "INVALID_CURSOR")]
