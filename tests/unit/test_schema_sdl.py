"""graphql/schema.graphql is the checked-in SDL; regenerate it with
`python -m redgrid.graphql.export` when the schema changes on purpose."""

from pathlib import Path

from redgrid.graphql.schema import schema

SDL = Path(__file__).resolve().parents[2] / "graphql" / "schema.graphql"


def test_checked_in_sdl_matches_the_schema():
    assert SDL.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "graphql/schema.graphql drifted: run `python -m redgrid.graphql.export`"
    )
