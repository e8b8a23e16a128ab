"""The state diagram is drawn from the engines' tables: edges in the picture == the table's."""
import importlib

import pytest
from matplotlib.patches import FancyArrowPatch

from simulator.plots import PROTOCOLS, state_diagram, state_table, to_png
from simulator.plots.state_diagram import layout
from simulator.protocols.pop2 import states as pop2
from simulator.protocols.pop3 import states as pop3
from simulator.protocols.smtp import states as smtp


def _drawn_arrows(fig):
    return {p.get_gid() for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)}


def _drawn_states(fig):
    return {p.get_gid()[6:] for p in fig.axes[0].patches
            if (p.get_gid() or "").startswith("state:")}


def test_smtp_table_triples_are_exactly_the_engine_transitions():
    table = state_table("SMTP")
    expected = {(s.value, verb, t.value) for s, row in smtp.TRANSITIONS.items()
                for verb, t in row.items()}
    assert {(e.source, e.label, e.target) for e in table.edges} == expected


def test_pop3_edges_follow_table_and_automatic_moves():
    table = state_table("POP3")
    commands = {(s, v, tr.on_ok) for s, row in pop3.TABLE.items() for v, tr in row.items()}
    automatic = {(s, why, t) for s, t, why in pop3.AUTOMATIC}
    assert {(e.source, e.label, e.target) for e in table.edges} == commands | automatic
    # every state-changing edge of the engine module's own edges() is among them
    assert {(a, lbl, b) for a, b, lbl in pop3.edges()} <= commands


def test_pop2_edges_are_the_module_edges():
    table = state_table("POP2")
    assert {(e.source, e.target, e.label) for e in table.edges} == set(pop2.edges())


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_picture_has_one_arrow_per_table_pair_and_every_state(protocol):
    fig = state_diagram(protocol, lang="en")
    table = state_table(protocol)
    assert _drawn_arrows(fig) == {f"{a}->{b}" for a, b in table.pairs()}
    assert _drawn_states(fig) == set(table.states)
    assert to_png(fig).startswith(b"\x89PNG")


def test_picture_changes_when_the_table_changes(monkeypatch):
    """Add a transition to the engine's table: the picture grows an arrow (no hand-drawn copy)."""
    patched = {**smtp.TRANSITIONS, smtp.State.AUTH: {**smtp.TRANSITIONS[smtp.State.AUTH],
                                                     "QUIT": smtp.State.CLOSED}}
    monkeypatch.setattr(smtp, "TRANSITIONS", patched)
    assert "AUTH->CLOSED" in _drawn_arrows(state_diagram("SMTP"))


def test_current_state_and_last_move_are_highlighted():
    fig = state_diagram("SMTP", current="MAIL", previous="READY", lang="ru")
    patches = {p.get_gid(): p for p in fig.axes[0].patches}
    assert patches["state:MAIL"].get_linewidth() > patches["state:READY"].get_linewidth()
    assert patches["READY->MAIL"].get_linewidth() > patches["MAIL->RCPT"].get_linewidth()


def test_titles_and_automatic_labels_are_translated():
    ru = [t.get_text() for t in state_diagram("POP3", lang="ru").axes[0].texts]
    en = [t.get_text() for t in state_diagram("POP3", lang="en").axes[0].texts]
    assert any("ответ на QUIT" in text for text in ru)
    assert any("reply to QUIT" in text for text in en)


def test_layout_reads_left_to_right_in_the_order_of_a_session():
    nodes = layout(state_table("SMTP"))["nodes"]
    xs = [nodes[state][0] for state in ("INIT", "READY", "MAIL", "RCPT", "DATA")]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)


def test_unknown_protocol_is_refused():
    with pytest.raises(ValueError, match="NNTP"):
        state_table("NNTP")


def test_imap_table_comes_from_the_engine():
    from simulator.plots import state_diagram, state_table
    from simulator.protocols.imap import states as imap
    table = state_table("IMAP")
    assert table.initial == "NOT_AUTHENTICATED" and "PREVIOUS" not in table.states
    assert ("AUTHENTICATED", "SELECTED") in table.pairs()
    assert {e.target for e in table.edges} <= set(imap.STATES)
    assert state_diagram("IMAP", "SELECTED", previous="AUTHENTICATED", lang="en").axes


def _label_texts(fig):
    return {t.get_gid(): t.get_text() for t in [*fig.axes[0].texts, *fig.texts] if t.get_gid()}


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_table_transition_is_still_in_the_picture(protocol, lang):
    """Grouped loop labels lose nothing: each (from, label, to) of the table is shown."""
    from simulator.plots.state_diagram import _edge_label
    from simulator.plots.state_loops import listed, stay_groups
    table = state_table(protocol)
    texts = _label_texts(state_diagram(protocol, lang=lang))
    common, loops = stay_groups(table)
    for edge in table.edges:
        if edge.source != edge.target:
            label = texts[f"label:{edge.source}->{edge.target}"]
            assert _edge_label(edge, lang) in label.replace("\n", " "), edge
            continue
        loop = loops[edge.source]
        shown = listed(texts[f"loop:{edge.source}"])
        if edge.label in common:
            assert edge.label in texts["loops:common"] and edge.source in texts["loops:common"]
        elif edge.label not in loop.own:
            assert loop.inherits and edge.label in table.labels(loop.inherits, loop.inherits)
            assert loop.inherits in texts[f"loop:{edge.source}"]
            assert edge.label not in loop.without
        else:
            assert _edge_label(edge, lang) in shown, (edge, shown)


def test_imap_loops_are_grouped_and_wrapped():
    texts = _label_texts(state_diagram("IMAP", lang="en"))
    selected = texts["loop:SELECTED"]
    assert selected.startswith("as in AUTHENTICATED except ENABLE, and:")
    assert "CREATE" not in selected
    assert "UID\u00a0FETCH/STORE/SEARCH/COPY/MOVE/EXPUNGE" in selected
    assert all(len(line) <= 42 for line in selected.splitlines())
    assert "CAPABILITY, NOOP, ID" in texts["loops:common"].replace("\n", " ")
    assert "CAPABILITY" not in texts["loop:AUTHENTICATED"]
    ru = _label_texts(state_diagram("IMAP", lang="ru"))
    assert ru["loop:SELECTED"].startswith("как в AUTHENTICATED") and "после" in ru["loops:common"]


@pytest.mark.parametrize(("protocol", "previous", "current"), [
    ("POP3", "AUTHORIZATION", "TRANSACTION"), ("IMAP", "NOT_AUTHENTICATED", "AUTHENTICATED"),
    ("SMTP", "READY", "MAIL")])
def test_the_kept_picture_is_what_state_diagram_draws(protocol, previous, current):
    """state_svg keeps each picture once drawn: the same bytes as drawing it afresh."""
    from simulator.plots import state_svg, to_svg
    kept = state_svg(protocol, current, previous, "en")
    assert kept is state_svg(protocol, current, previous, "en")          # drawn once
    assert kept == to_svg(state_diagram(protocol, current, previous=previous, lang="en"))
    assert state_svg(protocol, previous, None, "en") != kept            # the highlight moved


def test_a_fresh_process_reads_the_kept_picture_from_disk_and_it_is_what_would_be_drawn(
        tmp_path, monkeypatch):
    module = importlib.import_module("simulator.plots.state_diagram")
    from simulator.plots import to_svg
    monkeypatch.setenv("MAILSIM_PICTURE_CACHE", str(tmp_path))
    module.forget_pictures()
    drawn = module.state_svg("POP3", "TRANSACTION", "AUTHORIZATION", "en")
    assert len(list(tmp_path.glob("*.svg"))) == 1
    module.forget_pictures()                     # as a new notebook kernel would start
    monkeypatch.setattr(module, "state_diagram", None)      # reading must not draw
    assert module.state_svg("POP3", "TRANSACTION", "AUTHORIZATION", "en") == drawn
    monkeypatch.undo()
    assert drawn == to_svg(state_diagram("POP3", "TRANSACTION", previous="AUTHORIZATION",
                                         lang="en"))
    module.forget_pictures()


def test_another_language_or_highlight_is_another_kept_picture(tmp_path, monkeypatch):
    from simulator.plots import picture_cache
    from simulator.plots.state_diagram import _inputs
    from simulator.plots.state_tables import state_table
    table = state_table("POP3")
    names = {picture_cache.key("state", _inputs(table, lang), current, None)
             for lang in ("ru", "en") for current in ("AUTHORIZATION", "TRANSACTION")}
    assert len(names) == 4


def test_a_cache_folder_that_cannot_be_written_only_costs_the_drawing(tmp_path, monkeypatch):
    module = importlib.import_module("simulator.plots.state_diagram")
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("MAILSIM_PICTURE_CACHE", str(blocked / "pictures"))
    module.forget_pictures()
    assert module.state_svg("POP2", None, None, "ru").startswith(b"<?xml")
    monkeypatch.setenv("MAILSIM_PICTURE_CACHE", "off")
    module.forget_pictures()
    assert module.state_svg("POP2", None, None, "ru").startswith(b"<?xml")
    module.forget_pictures()
