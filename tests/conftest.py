"""Shared by every test folder: headless matplotlib, and built-in scenario runs computed once."""
import matplotlib
import pytest

matplotlib.use("Agg")        # no display here; set before any test imports pyplot

from simulator.network import simulate
from simulator.scenarios import load


@pytest.fixture(scope="session")
def run():
    """run(name, seed=None) -> the SimulationResult of a built-in scenario (read-only, cached)."""
    cache = {}

    def get(name, seed=None):
        if (name, seed) not in cache:
            cache[name, seed] = simulate(load(name), seed=seed)
        return cache[name, seed]
    return get
