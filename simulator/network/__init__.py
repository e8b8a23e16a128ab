"""The in-memory network: MUA, MTA and MDA nodes, POP3/POP2 servers, DNS, a clock.

``simulate(scenario)`` runs a scenario and returns its trace and mailboxes.
The names are imported lazily so that ``simulator.network.dns`` can be used
on its own without loading the protocol engines.
"""
from importlib import import_module

__all__ = ["Bounce", "Delivery", "Network", "SimulationResult", "simulate"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(import_module(".simulation", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
