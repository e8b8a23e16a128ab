"""Fixtures for the IMAP engine tests."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(params=[False, True], ids=["whole", "bytewise"])
def bytewise(request) -> bool:
    return request.param
