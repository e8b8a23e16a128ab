"""Scenarios: the model of a small Internet and the loader of scenario YAML files.

``load("basic")`` gives a built-in scenario, ``load("my.yaml")`` a file; the
format is described in ``docs/scenarios.md``.
"""
from simulator.scenarios.loader import (
    ScenarioError,
    builtin_names,
    load,
    load_builtin,
    load_file,
    load_text,
)
from simulator.scenarios.model import (
    FAULT_KINDS,
    ROLES,
    SESSION_PROTOCOLS,
    SOURCE_ROUTE_MODES,
    Fault,
    Host,
    Message,
    Options,
    Scenario,
    Session,
    User,
    Zone,
)

__all__ = [
    "FAULT_KINDS",
    "ROLES",
    "SESSION_PROTOCOLS",
    "SOURCE_ROUTE_MODES",
    "Fault",
    "Host",
    "Message",
    "Options",
    "Scenario",
    "ScenarioError",
    "Session",
    "User",
    "Zone",
    "builtin_names",
    "load",
    "load_builtin",
    "load_file",
    "load_text",
]
