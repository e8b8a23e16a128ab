"""Nodes get a typed NodeContext, not the whole Network (issue 9, step 4).

The MTA, the MUA and its reader, and the POP3/POP2/IMAP services of a host
hold the network's one frozen :class:`NodeContext`; the context names exactly
what the node modules use of it, so a node that starts reaching for something
new must say so here.
"""
import ast
import dataclasses
from pathlib import Path

import pytest

import simulator.network
from simulator.network.context import NodeContext
from simulator.network.simulation import Network
from simulator.scenarios import load

NODE_MODULES = ("host", "mta", "relay", "mua", "reader", "imap_reader", "pop", "imap", "ftp")
NETWORK = Path(simulator.network.__file__).parent


def _nodes(net: Network) -> list:
    found = []
    for host in net.nodes.values():
        found += list(host.services.values())
        if host.mua is not None:
            found += [host.mua, host.mua.reader]
    return found


@pytest.mark.parametrize("name", ["basic", "imap-basic", "pop2-vs-pop3", "source-route"])
def test_every_node_that_keeps_the_network_keeps_its_one_context(name):
    net = Network(load(name), 1)
    nodes = _nodes(net)
    kept = [vars(node)["net"] for node in nodes if "net" in vars(node)]   # POP2 needs only the store
    assert kept and all(context is net.context for context in kept)
    assert isinstance(net.context, NodeContext)
    with pytest.raises(dataclasses.FrozenInstanceError):
        net.context.store = None


def _used_members() -> set[str]:
    """Every ``X`` in ``….net.X`` or ``net.X`` in the node modules."""
    used = set()
    for module in NODE_MODULES:
        tree = ast.parse((NETWORK / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            owner = node.value
            if (isinstance(owner, ast.Attribute) and owner.attr == "net") \
                    or (isinstance(owner, ast.Name) and owner.id == "net"):
                used.add(node.attr)
    return used


def test_the_context_names_exactly_what_the_nodes_use():
    fields = {f.name for f in dataclasses.fields(NodeContext)}
    assert _used_members() == fields
