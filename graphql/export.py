"""Write the schema's SDL to graphql/schema.graphql: `python -m redgrid.graphql.export`."""

from pathlib import Path

from redgrid.graphql.schema import schema

if __name__ == "__main__":
    target = Path(__file__).with_name("schema.graphql")
    target.write_text(schema.as_str() + "\n", encoding="utf-8")
    print(f"wrote {target}")
