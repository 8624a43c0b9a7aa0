"""Session-wide settings: the parsed-pack cache lives in a folder of the test session (subprocesses inherit
it), never in the user's own cache."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _pack_cache() -> Iterator[None]:
    with tempfile.TemporaryDirectory(prefix="civcheck-cache-") as folder:
        before = os.environ.get("CIVCHECK_CACHE_DIR")
        os.environ["CIVCHECK_CACHE_DIR"] = folder
        yield
        if before is None:
            os.environ.pop("CIVCHECK_CACHE_DIR", None)
        else:
            os.environ["CIVCHECK_CACHE_DIR"] = before
