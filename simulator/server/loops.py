"""The event loop under ``mailsim serve``: uvloop where it is installed, else asyncio's own.

uvloop runs the same asyncio Protocols, but its transports, its polling and
its callback queue are compiled code on libuv, where asyncio's are Python:
under many short SMTP connections that is most of what the socket layer
costs.  It is an optional dependency for Linux and macOS
(``pip install "mailsim[fast]"``); on Windows, or where it is not
installed, the standard loop serves with the same behaviour, and
``--loop asyncio`` chooses it everywhere.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable

#: ``--loop`` choices: the fast loop if installed, the fast loop or an error, the standard one.
LOOPS = ("auto", "uvloop", "asyncio")


class LoopUnavailable(Exception):
    """``--loop uvloop`` on a machine without uvloop."""


def loop_factory(choice: str = "auto") -> Callable[[], asyncio.AbstractEventLoop]:
    """What makes the server's event loop for ``choice`` (one of :data:`LOOPS`)."""
    if choice == "asyncio":
        return asyncio.new_event_loop
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise LoopUnavailable("uvloop is not installed") from None
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def uvloop_installed() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True
