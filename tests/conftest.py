"""Shared fixtures: where ../shared is, and skipping cleanly when it is absent."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MINSHENG_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared folder; tests using it skip when it is absent."""
    if not (SHARED / "taxonomy.md").exists():
        pytest.skip(f"../shared is absent ({SHARED}); this test needs the shared data")
    return SHARED


@pytest.fixture(scope="session")
def seed_page(shared_dir: Path) -> Path:
    return shared_dir / "seeds" / "000_d9efa3f705016587.txt"


@pytest.fixture()
def models_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of models/ that a test may damage ($MINSHENG_MODELS points at it)."""
    import shutil

    from pipeline import models

    dest = tmp_path / "models"
    shutil.copytree(models.models_dir(), dest)
    monkeypatch.setenv("MINSHENG_MODELS", str(dest))
    return dest
