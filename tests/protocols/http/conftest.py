"""Fixtures for the HTTP engine tests."""
from __future__ import annotations

import pytest


@pytest.fixture(params=[False, True], ids=["whole", "bytewise"])
def bytewise(request) -> bool:
    return request.param
