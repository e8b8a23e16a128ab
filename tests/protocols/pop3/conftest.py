"""Fixtures for the POP3 engine tests."""
from __future__ import annotations

import pytest
from pop3_kit import rfc_backend

from simulator.protocols.pop3 import MemoryMaildrops


@pytest.fixture(params=[False, True], ids=["whole", "bytewise"])
def bytewise(request) -> bool:
    return request.param


@pytest.fixture
def backend() -> MemoryMaildrops:
    return rfc_backend()
