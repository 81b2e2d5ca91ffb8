"""The text rule (platform/text.py, through errors.text_errors) and the export's text cells
(tenants/tabular.write_xlsx): no service involved."""

from __future__ import annotations

import io

import openpyxl
import pytest

from redgrid.platform.errors import text_errors
from redgrid.platform.limits import get_limits
from redgrid.tenants.tabular import write_xlsx


@pytest.mark.parametrize("value", ["\u200b", "\u200c\u200d", " \u2060\ufeff\t", ""])
def test_a_name_of_only_invisible_characters_is_blank(value: str) -> None:
    errors = text_errors("name", value.replace("\t", ""), 100, code="INVALID_NAME")
    assert [(e.field, e.code) for e in errors] == [("name", "INVALID_NAME")]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202a", "\u202e", "\u2066", "\u2069"])
def test_control_and_text_direction_characters_are_refused_anywhere(char: str) -> None:
    for multiline in (False, True):
        errors = text_errors("note", f"前{char}后", required=False, code="TOO_LONG", multiline=multiline)
        assert [(e.field, e.code) for e in errors] == [("note", "INVALID_TEXT")]
        assert f"U+{ord(char):04X}" in errors[0].message


def test_line_feeds_and_tabs_only_in_multi_line_texts() -> None:
    assert text_errors("description", "一\n\t二", multiline=True) == []
    assert [e.code for e in text_errors("name", "一\n二")] == ["INVALID_TEXT"]
    assert [e.code for e in text_errors("name", "一\t二")] == ["INVALID_TEXT"]


def test_length_is_the_columns_own_else_the_configured_limit() -> None:
    limits = get_limits()
    assert text_errors("name", "名" * limits.name_chars) == []
    assert [e.code for e in text_errors("name", "名" * (limits.name_chars + 1), code="INVALID_NAME")] == [
        "INVALID_NAME"
    ]
    assert text_errors("name", "名" * 150, 200) == []  # a stored 150-character name exports and imports back
    assert [e.message for e in text_errors("name", "名" * 201, 200)] == ["name: at most 200 characters"]
    assert [e.code for e in text_errors("room", "1" * 51, 50, code="INVALID_ADDRESS")] == ["INVALID_ADDRESS"]
    assert [
        e.code for e in text_errors("d", "x" * (limits.text_chars + 1), multiline=True, required=False, code="TOO_LONG")
    ] == ["TOO_LONG"]
    assert text_errors("d", "", required=False) == []


def test_an_export_writes_formula_like_text_as_text_and_survives_control_characters() -> None:
    risky = ['=HYPERLINK("http://x",A1)', "+8613800000000", "-1+1", "@SUM(A1)", "\tx", "\rx", "#N/A"]
    data = write_xlsx("t", ["a"], [[v] for v in [*risky, "普通\x00名\x1f字", 42, None]])
    cells = [row[0] for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2)]
    assert [c.data_type for c in cells[: len(risky)]] == ["s"] * len(risky)
    assert all(c.quotePrefix for c in cells[: len(risky)])
    assert [c.value for c in cells[: len(risky)]] == [*risky[:5], "\nx", "#N/A"]  # XML reads a CR back as LF
    assert cells[len(risky)].value == "普通\ufffd名\ufffd字" and not cells[len(risky)].quotePrefix
    assert cells[len(risky) + 1].value == 42 and cells[len(risky) + 1].data_type == "n"
