"""Network tests: built-in scenarios with some keys replaced."""
from importlib import resources

import pytest
import yaml

from simulator.scenarios import load_text


@pytest.fixture
def variant():
    """A built-in scenario with some top-level keys replaced."""
    return scenario_with


def scenario_with(name: str, **changes):
    """A built-in scenario's YAML with top-level keys replaced, loaded as a new scenario."""
    data = yaml.safe_load(resources.files("simulator.scenarios").joinpath(f"{name}.yaml")
                          .read_text("utf-8"))
    data.update(changes)
    return load_text(yaml.safe_dump(data, allow_unicode=True), source=f"{name}-variant.yaml")
