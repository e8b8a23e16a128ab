"""What every built-in scenario promises, whatever its protocol (issue 2 and after)."""
import json
from importlib import resources

import jsonschema
import pytest

from simulator.network import simulate
from simulator.scenarios import builtin_names, load
from simulator.trace import Trace

SCHEMA = json.loads(resources.files("simulator").joinpath("trace_schema.json").read_text())


@pytest.mark.parametrize("name", builtin_names())
def test_the_same_scenario_and_seed_give_a_byte_identical_trace(name):
    assert simulate(load(name)).trace.to_json() == simulate(load(name)).trace.to_json()


@pytest.mark.parametrize("name", builtin_names())
def test_the_trace_follows_the_schema_and_round_trips(name, run):
    text = run(name).trace.to_json()
    jsonschema.validate(json.loads(text), SCHEMA)
    assert Trace.from_json(text).to_json() == text


@pytest.mark.parametrize("name", builtin_names())
def test_the_description_exists_in_russian_and_english(name):
    description = load(name).description
    assert description.get("ru") and description.get("en")
    assert description["ru"] != description["en"]
