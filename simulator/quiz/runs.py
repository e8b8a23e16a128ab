"""Scenarios of a variant: which one, with its placeholders filled, and its run.

An item names a built-in scenario, a scenario file next to the bank, or writes
one inline.  An inline scenario is kept as its composed YAML node, and each
variant fills the node's scalars and builds it with the scenario loader's own
sections, so ``to: ${user}@b.test`` is checked as an address and a mistake
still names the bank's line.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.network import SimulationResult, simulate
from simulator.network.dns import ZoneError
from simulator.network.interactive import SimulatedSession
from simulator.network.scheduler import SimulationLimit
from simulator.scenarios import Scenario, load, load_builtin
from simulator.scenarios.loader_nodes import Checker
from simulator.scenarios.loader_sections import build_scenario

from .placeholders import fill

_RESOLVER = yaml.SafeLoader("")
#: What a scenario's run can fail with that is the scenario's fault, not a bug.
RUN_ERRORS = (ZoneError, SimulationLimit)


def fill_node(node: Node, params: Mapping[str, Any]) -> Node:
    """A copy of ``node`` with ``${name}`` filled in every scalar.

    A plain scalar's type is resolved again after filling, so ``size: ${n}``
    becomes the integer it reads as, as if the teacher had written it.
    """
    if isinstance(node, ScalarNode):
        value = fill(node.value, params)
        tag = node.tag
        if node.style is None and value != node.value:
            tag = _RESOLVER.resolve(ScalarNode, value, (True, False))
        return ScalarNode(tag, value, node.start_mark, node.end_mark, node.style)
    if isinstance(node, SequenceNode):
        return SequenceNode(node.tag, [fill_node(v, params) for v in node.value],
                            node.start_mark, node.end_mark, node.flow_style)
    if isinstance(node, MappingNode):
        return MappingNode(node.tag, [(fill_node(k, params), fill_node(v, params))
                                      for k, v in node.value],
                           node.start_mark, node.end_mark, node.flow_style)
    return node


@cache
def _named(name: str) -> Scenario:
    return load_builtin(name) if "/" not in name and not name.endswith((".yaml", ".yml")) \
        else load(name)


def scenario_of(spec: str | Node, params: Mapping[str, Any], seed: int, checker: Checker
                ) -> Scenario:
    """The variant's scenario with its seed; ``checker`` reports an inline one's errors."""
    if isinstance(spec, Node):
        scenario = build_scenario(checker, fill_node(spec, params))
    else:
        scenario = _named(spec)
    return replace(scenario, seed=seed)


def said(error: Exception):
    """An error of a run as a function of the language (a ZoneError speaks both)."""
    if isinstance(error, ZoneError):
        return error.message
    return lambda _lang: str(error)


def run(scenario: Scenario) -> SimulationResult:
    """The scenario run to the end with its (the variant's) seed."""
    return simulate(scenario)


def student_session(scenario: Scenario, protocol: str, host: str | None = None
                    ) -> SimulatedSession:
    """A session for the student's own commands, once the scenario's mail is delivered."""
    return SimulatedSession(scenario, protocol, host=host)


def state_of(session: SimulatedSession) -> dict:
    """The network's state now: ``SimulationResult.to_dict()`` of the session's network."""
    return session.net.result().to_dict()
