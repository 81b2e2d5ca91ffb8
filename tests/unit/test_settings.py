import pytest
from pydantic import ValidationError

from redgrid.platform.auth.dev_identity import DevIdentity, DevIdentityRefused
from redgrid.platform.database import tortoise_config
from redgrid.platform.settings import Environment, Settings


def test_production_refuses_embedded_defaults(monkeypatch):
    monkeypatch.setenv("REDGRID_ENV", "production")
    for name in ("REDGRID_DATABASE_URL", "REDGRID_REDIS_URL", "REDGRID_KEYCLOAK_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError, match="REDGRID_KEYCLOAK_URL"):
        Settings()


def test_dev_identity_refuses_production(tmp_path):
    settings = Settings.model_construct(env=Environment.PRODUCTION, data_dir=tmp_path)
    with pytest.raises(DevIdentityRefused):
        DevIdentity(settings)


def test_embedded_defaults(monkeypatch, tmp_path):
    for name in ("REDGRID_DATABASE_URL", "REDGRID_KEYCLOAK_URL", "REDGRID_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REDGRID_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.effective_database_url == f"sqlite://{tmp_path}/redgrid.sqlite3"
    assert settings.uses_dev_identity and not settings.is_postgres
    assert settings.issuer == "urn:redgrid:dev-identity:realms:redgrid"
    monkeypatch.setenv("REDGRID_PORT", "9000")
    assert Settings().issuer == settings.issuer  # dev-token and serve agree whatever the port


def test_any_sqlite_database_commits_without_an_fsync_unless_it_says_so(tmp_path):
    """Set by the database, not the default URL: a URL of one's own gets it too."""
    own = f"sqlite://{tmp_path}/own/db.sqlite3"
    assert tortoise_config(own)["connections"]["default"] == f"{own}?synchronous=NORMAL"
    assert (tmp_path / "own").is_dir()
    assert (
        tortoise_config(f"{own}?journal_mode=WAL")["connections"]["default"]
        == f"{own}?journal_mode=WAL&synchronous=NORMAL"
    )
    assert tortoise_config(f"{own}?synchronous=FULL")["connections"]["default"] == f"{own}?synchronous=FULL"
