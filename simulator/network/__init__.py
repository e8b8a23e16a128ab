"""The in-memory network: MUA, MTA and MDA nodes, DNS, a deterministic clock.

``simulate(scenario)`` runs a scenario and returns its trace and mailboxes.
"""
from .simulation import Delivery, Network, SimulationResult, simulate

__all__ = ["Delivery", "Network", "SimulationResult", "simulate"]
