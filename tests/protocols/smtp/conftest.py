"""Fixtures for the SMTP engine tests (helpers live in smtp_kit.py)."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from smtp_kit import FEED_MODES, feed_bytes


@pytest.fixture(params=FEED_MODES)
def feed(request) -> Callable:
    """``feed(engine, data)`` whole, byte by byte, and with trailing bytes (the h11 habit)."""
    return lambda engine, data: feed_bytes(engine, data, request.param)
