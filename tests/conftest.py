"""Shared by every test folder: headless matplotlib, built-in scenario runs computed once,
and state pictures kept on disk in a throwaway folder (never the user's ~/.cache)."""
import os

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


@pytest.fixture(autouse=True, scope="session")
def _picture_cache(tmp_path_factory):
    """simulator.plots.picture_cache writes to a folder of this run (children inherit it)."""
    before = os.environ.get("MAILSIM_PICTURE_CACHE")
    os.environ["MAILSIM_PICTURE_CACHE"] = str(tmp_path_factory.mktemp("pictures"))
    yield
    if before is None:
        os.environ.pop("MAILSIM_PICTURE_CACHE", None)
    else:
        os.environ["MAILSIM_PICTURE_CACHE"] = before
