"""Migration 0010 on the embedded SQLite database, over rows that refer to residents (party
members, volunteers, pairings): the table is rebuilt with foreign keys off (SQLite's 12-step
procedure), rows and ids kept, and the number is unique among registered residents only.

SQLite is the embedded default, so a file of its own is the real thing. The migrations run in
a process of their own: Tortoise's configuration is global to a process."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-01-01 00:00:00"
NUMBER, OTHER = "110101195001010011", "110101195001010038"
MIGRATE = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from redgrid.platform.database import tortoise_config

async def main():
    try:
        await migrate(config=tortoise_config("sqlite://" + sys.argv[1]), target=sys.argv[2] or None)
    finally:
        await Tortoise.close_connections()
asyncio.run(main())
"""


def migrate(path: Path, target: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", MIGRATE, str(path), target], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    return db


def applied(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT name FROM tortoise_migrations ORDER BY id")]


def insert(db: sqlite3.Connection, table: str, **values: object) -> int:
    names = ", ".join(values)
    return (
        db.execute(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(values))})", list(values.values())
        ).lastrowid
        or 0
    )


def resident(db: sqlite3.Connection, name: str, number: str | None, **more: object) -> int:
    return insert(
        db,
        "resident",
        name=name,
        id_number=number,
        phone="",
        living_alone=0,
        disabled=0,
        low_income=0,
        hardship=0,
        left_behind_child=0,
        floating=0,
        created_at=NOW,
        node_id=1,
        tenant_id=1,
        **more,
    )


@pytest.fixture
def at_0009(tmp_path: Path) -> Path:
    """A database at 0009 with residents that a party member, a volunteer and a pairing refer to."""
    path = tmp_path / "redgrid.sqlite3"
    done = migrate(path, "redgrid.0009_default_case_categories")
    assert done.returncode == 0, done.stderr
    db = connect(path)
    with db:
        insert(db, "district", slug="d", name="区", created_at=NOW)
        insert(db, "tenant", slug="t", name="街道", kind="street", created_at=NOW, district_id=1)
        insert(
            db,
            "grid_node",
            code="n",
            path="n",
            name="网格",
            level=1,
            created_at=NOW,
            tenant_id=1,
            head_name="",
            head_phone="",
        )
        for i in range(3):
            resident(db, f"占位{i}", None)
        db.execute("DELETE FROM resident")  # the ids to keep do not start at 1
        member, elder, alone = resident(db, "党员", NUMBER), resident(db, "老人", OTHER), resident(db, "无号", None)
        insert(
            db,
            "party_organisation",
            name="支部",
            kind="branch",
            secretary_name="",
            created_at=NOW,
            node_id=1,
            tenant_id=1,
        )
        insert(
            db,
            "party_member",
            category="in_service",
            joined_on="2000-07-01",
            listed=1,
            photo_url="",
            duties="",
            phone_public=0,
            created_at=NOW,
            organisation_id=1,
            tenant_id=1,
            resident_id=member,
        )
        insert(db, "volunteer_team", name="队", kind="general", created_at=NOW, tenant_id=1)
        volunteer = insert(db, "volunteer", name="志愿者", created_at=NOW, resident_id=member, team_id=1, tenant_id=1)
        insert(
            db,
            "pairing",
            kind="visit",
            active=1,
            started_on="2024-01-01",
            created_at=NOW,
            resident_id=elder,
            tenant_id=1,
            volunteer_id=volunteer,
        )
    db.close()
    assert (member, elder, alone) == (4, 5, 6)
    return path


def rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as db:
        return {
            "resident": db.execute("SELECT id, name, id_number FROM resident ORDER BY id").fetchall(),
            "party_member": db.execute("SELECT id, resident_id FROM party_member").fetchall(),
            "volunteer": db.execute("SELECT id, resident_id FROM volunteer").fetchall(),
            "pairing": db.execute("SELECT id, resident_id, volunteer_id FROM pairing").fetchall(),
        }


def check_migrated(path: Path, before: dict[str, list[tuple]]) -> None:
    assert "0010_held_residents" in applied(path)  # and whatever later migrations there are
    assert rows(path) == before
    db = connect(path)
    try:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        table = db.execute("SELECT sql FROM sqlite_master WHERE name = 'resident'").fetchone()[0]
        assert "UNIQUE" not in table and '"held_of_id"' in table
        # Two registered rows with one number: refused; one held of the registered: allowed.
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            with db:
                resident(db, "重复", NUMBER)
        with db:
            held = resident(db, "待核", NUMBER, held_of_id=4)
        assert db.execute("SELECT held_of_id FROM resident WHERE id = ?", [held]).fetchone() == (4,)
        # The foreign keys still hold: a referenced resident cannot go, nor a held one point nowhere.
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            with db:
                db.execute("DELETE FROM resident WHERE id = 5")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            with db:
                resident(db, "无主", OTHER, held_of_id=999)
    finally:
        db.close()


def test_0010_rebuilds_a_referenced_resident_table_keeping_rows_ids_and_foreign_keys(at_0009: Path):
    before = rows(at_0009)
    done = migrate(at_0009)
    assert done.returncode == 0, done.stderr
    check_migrated(at_0009, before)


def test_0010_finishes_over_the_column_a_failed_first_attempt_committed(at_0009: Path):
    """The first version of 0010 committed held_of_id, then failed on the DROP TABLE."""
    with connect(at_0009) as db:
        db.execute(
            'ALTER TABLE "resident" ADD COLUMN "held_of_id" BIGINT REFERENCES "resident" ("id") ON DELETE RESTRICT'
        )
    before = rows(at_0009)
    done = migrate(at_0009)
    assert done.returncode == 0, done.stderr
    check_migrated(at_0009, before)


def test_0010_unapplies_once_no_resident_is_held(at_0009: Path):
    before = rows(at_0009)
    assert migrate(at_0009).returncode == 0
    with connect(at_0009) as db:
        held = resident(db, "待核", NUMBER, held_of_id=4)
    refused = migrate(at_0009, "redgrid.0009_default_case_categories")
    assert refused.returncode != 0 and "held for review" in refused.stderr
    assert applied(at_0009)[-1] == "0010_held_residents"
    with connect(at_0009) as db:
        db.execute("DELETE FROM resident WHERE id = ?", [held])
    done = migrate(at_0009, "redgrid.0009_default_case_categories")
    assert done.returncode == 0, done.stderr
    assert applied(at_0009)[-1] == "0009_default_case_categories" and rows(at_0009) == before
    db = connect(at_0009)
    try:
        table = db.execute("SELECT sql FROM sqlite_master WHERE name = 'resident'").fetchone()[0]
        assert "held_of_id" not in table and 'UNIQUE ("tenant_id", "id_number")' in table
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            with db:
                resident(db, "重复", NUMBER)
    finally:
        db.close()
    again = migrate(at_0009)  # and forward again
    assert again.returncode == 0, again.stderr
    check_migrated(at_0009, before)
