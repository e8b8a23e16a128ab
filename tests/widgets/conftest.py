"""Headless pictures: the Agg backend, and built-in scenario runs shared by the tests."""
import matplotlib
import pytest

matplotlib.use("Agg")

from simulator.network import simulate
from simulator.scenarios import load_builtin


@pytest.fixture(scope="session")
def run():
    """run(name) -> SimulationResult of a built-in scenario, computed once per session."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = simulate(load_builtin(name))
        return cache[name]
    return get
