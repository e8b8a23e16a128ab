"""Sans-IO protocol engines: bytes in, events and bytes out.

Nothing in this package opens a socket, sleeps, reads the wall clock or
imports asyncio or ipywidgets; the same engine answers in the simulated
network, in the step-by-step replay and on a real loopback socket.  What every
engine offers its driver is the :class:`Engine` contract (``_base.py``).
"""
from ._base import (
    TLS_STATE,
    ConnectionClosed,
    Engine,
    Event,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
    TLSRequested,
    Utterance,
)

__all__ = ["TLS_STATE", "ConnectionClosed", "Engine", "Event", "LocalProtocolError",
           "ProtocolError", "RemoteProtocolError", "TLSRequested", "Utterance"]
