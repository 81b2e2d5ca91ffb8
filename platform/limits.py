"""Every limit on what a caller may send or make the server do, in one place.

Each is a `REDGRID_LIMIT_<NAME>` environment variable (README.md, "Limits"); the defaults are
safe for a street of 200,000 residents served to every grid worker's phone. A limit is
enforced where the input enters (HTTP body, multipart part, GraphQL document, websocket,
spreadsheet, image, text field) and answers a typed error, never a 500 and never a partial
write.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class Limits(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REDGRID_LIMIT_", extra="ignore")

    # HTTP: refused with 413 while the body streams in, before it is read whole.
    http_body_bytes: int = Field(default=1 * MIB, ge=1024, description="a JSON or form body")
    upload_bytes: int = Field(
        default=64 * MIB, ge=1024, description="a whole multipart request (one spreadsheet or photo)"
    )
    json_depth: int = Field(default=32, ge=2, description="nesting of a JSON body's arrays and objects")
    http_head_bytes: int = Field(default=128 * 1024, ge=8192, description="a request's line and headers (URL included)")

    # GraphQL documents, checked before and while they are parsed and validated.
    graphql_document_bytes: int = Field(default=32 * 1024, ge=1024, description="one query document")
    graphql_tokens: int = Field(default=1000, ge=100, description="lexical tokens in one document")
    graphql_depth: int = Field(default=12, ge=3, description="field nesting")
    graphql_fields_per_set: int = Field(default=40, ge=10, description="fields and fragments in one selection set")
    graphql_fields: int = Field(default=300, ge=50, description="fields written in one document")
    graphql_merges: int = Field(
        default=45, ge=1, description="pairs of same-named fields, or of fragments, in one selection set, summed"
    )
    graphql_aliases: int = Field(default=30, ge=1, description="aliased fields in one document")
    graphql_cost: int = Field(default=100_000, ge=100, description="the cost budget of one operation (README)")
    graphql_default_page: int = Field(default=100, ge=1, description="what a list without `first` counts as, for cost")
    graphql_cache_entries: int = Field(default=256, ge=0, description="parsed and validated documents kept")
    graphql_prepare_workers: int = Field(
        default=1,
        ge=0,
        le=8,
        description="processes, at a lower CPU priority, that parse and validate documents not yet cached "
        "(0: on the event loop)",
    )
    graphql_introspection: str = Field(
        default="authenticated",
        pattern="^(anyone|authenticated|nobody)$",
        description="who may introspect the schema in production (development: anyone)",
    )
    persisted_query_entries: int = Field(
        default=2000, ge=0, description="documents kept for automatic persisted queries (0: not supported)"
    )
    persisted_query_ttl_seconds: float = Field(
        default=86400, gt=0, description="how long a persisted document unused is kept"
    )

    # Websockets (both protocols).
    ws_init_timeout_seconds: float = Field(default=10, gt=0, description="connection_init must come within this")
    ws_message_bytes: int = Field(
        default=65536, ge=1024, description="one message a client sends (uvicorn's is 16 MiB)"
    )
    ws_pending_per_address: int = Field(
        default=10, ge=1, description="websockets of one client address still waiting for connection_init"
    )
    ws_subscriptions: int = Field(default=20, ge=1, description="operations open at once on one socket")
    replay_events: int = Field(default=10000, ge=0, description="how far back `after` may reach, in events of a topic")

    # Spreadsheets and images are parsed in a separate process with these limits.
    sheet_rows: int = Field(default=500_000, ge=1, description="rows a spreadsheet may declare")
    sheet_columns: int = Field(default=64, ge=1, description="columns a spreadsheet may declare")
    sheet_cells: int = Field(default=10_000_000, ge=1, description="cells a spreadsheet may declare or hold")
    photo_bytes: int = Field(default=10 * MIB, ge=1, description="one case photo as sent")
    photos_per_case: int = Field(default=20, ge=1, description="photos one case takes")
    image_pixels: int = Field(default=50_000_000, ge=1, description="width × height of a photo")
    parse_memory_bytes: int = Field(default=1024 * MIB, ge=64 * MIB, description="address space of the parsing process")
    parse_seconds: float = Field(default=120, gt=0, description="CPU time of one parse")
    parse_processes: int = Field(default=2, ge=1, description="parsing processes at once per server process, per kind")
    parse_wait_seconds: float = Field(default=30, gt=0, description="how long a parse waits for a free process (BUSY)")
    sheet_unzipped_bytes: int = Field(default=1024 * MIB, ge=MIB, description="an XLSX's members, uncompressed")
    sheet_zip_ratio: int = Field(default=100, ge=10, description="uncompressed ÷ compressed size of an XLSX member")

    # Text a person types: every string input.
    name_chars: int = Field(default=100, ge=1, description="names and titles")
    text_chars: int = Field(default=2000, ge=1, description="descriptions, addresses, notes")

    # Rate limits (per user, or per client address when anonymous), in `limits` notation.
    rate_user: str = Field(default="450/minute", description="operations of one signed-in user")
    rate_anonymous: str = Field(default="60/minute", description="requests of one anonymous client address")
    rate_guessing: str = Field(default="30/minute", description="writes that look a person up by ID-card number")
    rate_cost: str = Field(
        default="400000/minute", description="cost (graphql/core/limits.py) of one caller's operations"
    )
    rate_refusal_memory_seconds: float = Field(
        default=1, ge=0, description="how long a process refuses a refused caller again without asking Redis"
    )
    in_flight: int = Field(default=4, ge=1, description="requests of one caller running at once, per server process")
    in_flight_busy: int = Field(
        default=4, ge=1, description="requests running in one process from which each caller may run only one"
    )
    database_turns: int = Field(
        default=5,
        ge=1,
        description="operations holding a database connection at once per process, handed out fairly between "
        "callers (at most the connection pool's size)",
    )


@lru_cache
def get_limits() -> Limits:
    return Limits()
