"""Shared fixtures: isolated workbench folders and the read-only sample data.

Every test runs with its own data, config, cache and log folders, so no test
reads or writes the user's real files and no two tests share a workspace by
accident.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("HUNT_WORKBENCH_SHARED", REPO_ROOT.parent / "shared"))


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    base = tmp_path_factory.mktemp("workbench-home")
    for name in ("DATA", "CONFIG", "CACHE", "LOG"):
        folder = base / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"HUNT_WORKBENCH_{name}_DIR", str(folder))
    return base


@pytest.fixture
def shared_dir() -> Path:
    """Return the read-only sample data folder, skipping the test when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"sample data folder {SHARED_DIR} not found; set HUNT_WORKBENCH_SHARED to its path")
    return SHARED_DIR


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a small generated demo workspace (20,000 DnsEvents rows ending now), shared read-only by tests."""
    from datetime import datetime, timezone

    from workbench.demo.generator import generate_workspace

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    generate_workspace(path, seed=4242, end=datetime.now(timezone.utc), dns_rows=20_000)
    return path
