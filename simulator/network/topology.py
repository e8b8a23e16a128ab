"""The network as a networkx graph: hosts, an 'internet' core and links.

Every host is linked to the ``internet`` node unless the scenario says
otherwise; faults take nodes or links down for a while.  Reachability and
the number of links on the path (which sets the latency) come from the graph.
"""
from __future__ import annotations

import networkx as nx

INTERNET = "internet"


class Topology:
    """Hosts and links, with the faults active at the current time applied."""

    def __init__(self) -> None:
        self.graph = nx.Graph()
        self.graph.add_node(INTERNET, kind="router")
        self._down_nodes: set[str] = set()
        self._down_links: set[frozenset[str]] = set()
        self._behind_nat: set[str] = set()
        # Every connection asks for its path; a breadth-first search over a
        # filtered graph view per connection was a tenth of a simulated SMTP
        # session.  The answers are kept until the graph or a fault changes.
        self._paths: dict[tuple[str, str], list[str] | None] = {}

    def add_host(self, name: str, roles: tuple[str, ...], address: str | None) -> None:
        self.graph.add_node(name, kind="host", roles=roles, address=address)
        self.graph.add_edge(name, INTERNET)
        self._paths.clear()

    def add_link(self, a: str, b: str) -> None:
        self.graph.add_edge(a, b)
        self._paths.clear()

    def set_node_down(self, name: str, down: bool) -> None:
        (self._down_nodes.add if down else self._down_nodes.discard)(name)
        self._paths.clear()

    def set_link_down(self, a: str, b: str, down: bool) -> None:
        key = frozenset((a, b))
        (self._down_links.add if down else self._down_links.discard)(key)
        self._paths.clear()

    def set_nat(self, name: str, on: bool) -> None:
        """``name`` sits behind a NAT: connections opened to it from outside are dropped."""
        (self._behind_nat.add if on else self._behind_nat.discard)(name)

    def accepts_inbound(self, name: str) -> bool:
        """Whether a connection opened to ``name`` from elsewhere reaches it (no NAT)."""
        return name not in self._behind_nat

    def is_up(self, name: str) -> bool:
        return name not in self._down_nodes

    def path(self, src: str, dst: str) -> list[str] | None:
        """The shortest path over working nodes and links, or None if unreachable."""
        if (src, dst) not in self._paths:
            self._paths[src, dst] = self._shortest(src, dst)
        path = self._paths[src, dst]
        return None if path is None else list(path)     # the caller may keep or change it

    def _shortest(self, src: str, dst: str) -> list[str] | None:
        if not (self.is_up(src) and self.is_up(dst)):
            return None
        view = nx.subgraph_view(
            self.graph,
            filter_node=lambda n: n not in self._down_nodes,
            filter_edge=lambda a, b: frozenset((a, b)) not in self._down_links)
        try:
            return nx.shortest_path(view, src, dst)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return None
