"""The code folders are mapped into `redgrid`; the repository root must not shadow the real
`graphql` (graphql-core) and `platform` (standard library) modules."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _import_from_root(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); {code}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_graphql_is_graphql_core_even_with_the_root_on_sys_path():
    out = _import_from_root("import graphql; print(graphql.__file__); print(graphql.version)")
    path, version = out.splitlines()
    assert "site-packages" in path and version[0].isdigit()


def test_platform_is_the_standard_library_even_with_the_root_on_sys_path():
    out = _import_from_root("import platform; print(platform.__file__); print(platform.python_version())")
    path, version = out.splitlines()
    assert not path.startswith(str(ROOT)) and version.startswith("3.")


def test_code_folders_have_no_top_level_init():
    for folder in ("platform", "tenants", "graphql", "realtime"):
        assert not (ROOT / folder / "__init__.py").exists(), folder


def test_redgrid_namespace_maps_the_folders():
    out = _import_from_root(
        "import redgrid.platform.settings as s, redgrid.graphql.schema as g; print(s.__file__); print(g.__file__)"
    )
    settings_path, schema_path = out.splitlines()
    assert settings_path == str(ROOT / "platform" / "settings.py")
    assert schema_path == str(ROOT / "graphql" / "schema.py")
