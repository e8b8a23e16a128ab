"""Topology from scenario or trace data (MX preferences from DNS), and the MIME tree."""
import importlib

from simulator.mail.mime import Part
from simulator.plots import mime_tree, to_png, topology, topology_graph
from simulator.plots.mime import part_label, size_label
from simulator.plots.topology import INTERNET, hop_edges
from simulator.scenarios import load_builtin


def test_scenario_graph_has_every_host_and_mx_preferences_from_the_zones():
    graph = topology_graph(load_builtin("backup-mx"))
    assert {"pc.a.test", "mail.a.test", "mx1.b.test", "mx2.b.test", INTERNET, "dns"} == set(graph)
    assert graph.edges[INTERNET, "mx1.b.test"]["mx"] == [("b.test", 10)]
    assert graph.edges[INTERNET, "mx2.b.test"]["mx"] == [("b.test", 20)]
    assert graph.nodes["pc.a.test"]["kind"] == "mua"


def test_trace_graph_takes_mx_from_the_dns_steps_and_links_from_connect_paths(run):
    result = run("backup-mx")
    graph = topology_graph(result)
    assert graph.edges[INTERNET, "mx2.b.test"]["mx"] == [("b.test", 20)]
    assert graph.nodes["mail.a.test"]["kind"] == "mta"
    assert topology_graph(result.trace).edges == graph.edges


def test_hop_is_the_path_through_the_internet():
    graph = topology_graph(load_builtin("basic"))
    assert hop_edges(graph, ("pc.a.test", "mail.a.test")) == [("pc.a.test", INTERNET),
                                                               (INTERNET, "mail.a.test")]
    assert hop_edges(graph, ("pc.a.test",)) == []


def test_picture_shows_mx_labels_in_the_chosen_language(run):
    fig = topology(run("backup-mx"), highlight_hop=("mail.a.test", "mx2.b.test"), lang="ru")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "MX 20 b.test" in texts and "Интернет" in texts
    assert "Internet" in [t.get_text() for t in topology(load_builtin("basic"),
                                                         lang="en").axes[0].texts]
    assert to_png(fig)[:4] == b"\x89PNG"


def test_mime_tree_of_a_bounce_shows_the_report_parts(run):
    data = run("bounce").store.account("alice@a.test").inbox.messages[0].data
    fig = mime_tree(data, lang="en")
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert f"MIME structure of the message: {len(data)} octets" in labels
    assert "multipart/report" in labels
    assert any(label.startswith("2 message/delivery-status") for label in labels)


def test_part_label_names_number_type_encoding_and_file():
    part = Part(depth=1, number="2", content_type="application/pdf", fields=(), charset=None,
                transfer_encoding="base64", disposition="attachment", filename="a.pdf",
                content_id=None, size=10, wire_size=18)
    assert part_label(part) == "2 application/pdf\nbase64 · «a.pdf»"
    assert size_label(part, "en") == "10 → 18 B (+80%)"
    assert size_label(part, "ru") == "10 → 18 Б (+80\xa0%)"


def test_topology_svg_is_kept_on_disk_and_differs_by_hop_and_language(run, tmp_path,
                                                                     monkeypatch):
    from simulator.plots import to_svg, topology_svg
    module = importlib.import_module("simulator.plots.topology")
    monkeypatch.setenv("MAILSIM_PICTURE_CACHE", str(tmp_path))
    trace = run("backup-mx").trace
    hop = ("mail.a.test", "mx2.b.test")
    drawn = topology_svg(trace, hop, lang="en")
    assert drawn == to_svg(topology(trace, highlight_hop=hop, lang="en"))
    assert len(list(tmp_path.glob("*.svg"))) == 1
    monkeypatch.setattr(module, "topology", None)        # a second time it is read, not drawn
    assert topology_svg(trace, hop, lang="en") == drawn
    monkeypatch.undo()
    monkeypatch.setenv("MAILSIM_PICTURE_CACHE", str(tmp_path))
    topology_svg(trace, hop, lang="ru")
    topology_svg(trace, ("mail.a.test", "mx.b.test"), lang="en")
    assert len(list(tmp_path.glob("*.svg"))) == 3
