"""The network picture: hosts around the Internet, MX preferences on the edges.

Drawn from data only: a Scenario (hosts, links and the MX records of its
zones) or a trace (its nodes, the paths of its TCP connects and the MX
answers of its DNS steps).  :func:`topology_graph` builds the networkx graph
with everything the picture shows as attributes, so tests check the facts and
:func:`topology` only draws them.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import dns.rdatatype
import dns.zone
import networkx as nx
from matplotlib.figure import Figure

from simulator.locale import t
from simulator.scenarios.model import Scenario
from simulator.trace import Trace
from simulator.views import HIGHLIGHT, HIGHLIGHT_EDGE, NEUTRAL

from . import picture_cache

INTERNET, DNS = "internet", "dns"
_KIND_COLOURS = {"internet": "#cfd8dc", "dns": "#e1bee7", "mua": "#bbdefb", "mta": "#c8e6c9",
                 "host": "#eeeeee"}


def _scenario_mx(scenario: Scenario) -> list[tuple[str, int, str]]:
    """(domain, preference, exchange) of every MX record in the scenario's zones (RFC 5321 §5.1)."""
    out = []
    for zone in scenario.zones:
        parsed = dns.zone.from_text(zone.text, origin=zone.origin, relativize=False,
                                    check_origin=False)
        for name, rdataset in parsed.iterate_rdatasets(dns.rdatatype.MX):
            for mx in rdataset:
                out.append((name.to_text(omit_final_dot=True), mx.preference,
                            mx.exchange.to_text(omit_final_dot=True)))
    return out


def _trace_mx(trace: Trace) -> list[tuple[str, int, str]]:
    """The MX answers the trace's DNS steps saw: ``b.test. 3600 IN MX 10 mx.b.test.``."""
    out = []
    for step in trace.filter(protocol="DNS"):
        for answer in step.meta.get("answers", []):
            words = answer.split()
            if len(words) == 6 and words[3] == "MX":
                out.append((words[0].rstrip("."), int(words[4]), words[5].rstrip(".")))
    return list(dict.fromkeys(out))


def _trace_kind(trace: Trace, node: str) -> str:
    roles = {s.protocol.lower() for s in trace if s.src == node and s.protocol in ("MUA", "MTA")}
    return "mta" if "mta" in roles else "mua" if "mua" in roles else "host"


def _base_graph(hosts: Iterable[tuple[str, str]], links: Iterable[Sequence[str]]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_node(INTERNET, kind="internet")
    graph.add_node(DNS, kind="dns")
    graph.add_edge(DNS, INTERNET)
    for name, kind in hosts:
        graph.add_node(name, kind=kind)
        graph.add_edge(name, INTERNET)
    for path in links:
        nx.add_path(graph, path)
    return graph


def _roles_kind(roles) -> str:
    return "mta" if "mta" in roles else "mua" if "mua" in roles else "host"


def topology_graph(source) -> nx.Graph:
    """The graph to draw, from a Scenario, a Trace or anything with ``.trace``.

    Node attribute ``kind`` (internet, dns, mua, mta, host); edge attribute
    ``mx``: a list of ``(domain, preference)`` on the edge internet — exchange.
    """
    if isinstance(source, Scenario):
        hosts = [(h.name.lower(), _roles_kind(h.roles)) for h in source.hosts]
        graph, mx = _base_graph(hosts, source.links), _scenario_mx(source)
    else:
        trace = source if isinstance(source, Trace) else source.trace
        hosts = [(n, _roles_kind(trace.roles[n]) if n in trace.roles else _trace_kind(trace, n))
                 for n in trace.nodes if n not in (INTERNET, DNS)]
        paths = [s.meta["path"] for s in trace.filter(protocol="TCP") if "path" in s.meta]
        graph, mx = _base_graph(hosts, paths), _trace_mx(trace)
    for domain, preference, exchange in sorted(mx, key=lambda m: (m[0], m[1])):
        if graph.has_node(exchange):
            graph.edges[INTERNET, exchange].setdefault("mx", []).append((domain, preference))
    return graph


def layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """The Internet in the middle, hosts on a circle grouped by domain (a.test next to a.test)."""
    others = sorted((n for n in graph if n != INTERNET), key=lambda n: n.split(".")[::-1])
    return nx.shell_layout(graph, [[INTERNET], others])


def hop_edges(graph: nx.Graph, hop: Sequence[str] | None) -> list[tuple[str, str]]:
    """The edges a hop uses: a node path as given, or the shortest path between two nodes."""
    if not hop or len(hop) < 2 or not all(graph.has_node(n) for n in hop):
        return []
    path = list(hop) if len(hop) > 2 else nx.shortest_path(graph, hop[0], hop[1])
    return list(itertools.pairwise(path))


def _mx_labels(graph: nx.Graph, lang: str) -> dict[tuple[str, str], str]:
    return {(a, b): "\n".join(t("ui.plot.mx_label", lang, preference=p, domain=d)
                              for d, p in data["mx"])
            for a, b, data in graph.edges(data=True) if "mx" in data}


def topology(source, highlight_hop: Sequence[str] | None = None, *, lang: str = "ru") -> Figure:
    """The network of a scenario or a run, with ``highlight_hop`` drawn thick and orange.

    ``highlight_hop`` is ``(from, to)`` (the path between them is highlighted)
    or a whole node path such as a TCP connect's ``meta["path"]``.
    """
    graph = topology_graph(source)
    pos = layout(graph)
    hot = hop_edges(graph, highlight_hop)
    hot_nodes = {n for edge in hot for n in edge} | set(highlight_hop or ())
    fig = Figure(figsize=(7, 5.2), dpi=72)
    ax = fig.add_axes((0, 0, 1, 0.93))
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color=NEUTRAL, width=1.2)
    nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=hot, edge_color=HIGHLIGHT_EDGE, width=4)
    colours = [HIGHLIGHT if n in hot_nodes else _KIND_COLOURS[graph.nodes[n]["kind"]]
               for n in graph]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=2600,
                           edgecolors=[HIGHLIGHT_EDGE if n in hot_nodes else NEUTRAL
                                       for n in graph])
    names = {n: t("ui.plot.internet", lang) if n == INTERNET else n for n in graph}
    nx.draw_networkx_labels(graph, pos, labels=names, ax=ax, font_size=7.5)
    nx.draw_networkx_edge_labels(graph, pos, edge_labels=_mx_labels(graph, lang), ax=ax,
                                 font_size=8, font_color="#1b5e20")
    ax.margins(0.18)
    ax.axis("off")
    name = getattr(source, "name", None) or getattr(getattr(source, "trace", source),
                                                    "scenario", "?")
    fig.suptitle(t("ui.plot.topology_title", lang, scenario=name), fontsize=10)
    return fig


def topology_svg(source, highlight_hop: Sequence[str] | None = None, *, lang: str = "ru") -> bytes:
    """:func:`topology` as SVG bytes, kept on disk once drawn (:mod:`.picture_cache`).

    The file's name covers every input of the drawing: the graph (nodes,
    kinds, links, MX preferences, in the order they are drawn), the hop,
    and every text in ``lang``.
    """
    from . import to_svg
    graph = topology_graph(source)
    name = getattr(source, "name", None) or getattr(getattr(source, "trace", source),
                                                    "scenario", "?")
    what = ("topology", list(graph.nodes(data=True)), list(graph.edges(data=True)),
            tuple(highlight_hop or ()), t("ui.plot.internet", lang),
            sorted(_mx_labels(graph, lang).items()),
            t("ui.plot.topology_title", lang, scenario=name))
    file = picture_cache.key(*what)
    svg = picture_cache.read(file)
    if svg is None:
        svg = to_svg(topology(source, highlight_hop, lang=lang))
        picture_cache.write(file, svg)
    return svg
