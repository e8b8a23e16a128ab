"""Sequence diagram: lanes, one row per step, the highlight, IMAP tags and untagged lines."""
from simulator.plots import sequence_diagram, to_png
from simulator.plots.sequence import imap_marker, lanes
from simulator.trace import Trace


def _gids(fig):
    ax = fig.axes[0]
    return [a.get_gid() for a in [*ax.texts, *ax.patches, *ax.collections, *ax.get_children()]
            if a.get_gid()]


def test_one_row_per_step_and_lanes_in_order_of_appearance(run):
    trace = run("basic").trace
    fig = sequence_diagram(trace, lang="en")
    rows = {g for g in _gids(fig) if g.startswith("step:")}
    assert rows == {f"step:{s.index}" for s in trace}
    lane_names = [t.get_text() for t in fig.axes[0].texts if t.get_text() in trace.nodes]
    assert lane_names == ["pc.a.test", "mail.a.test", "dns", "mx.b.test"]


def test_window_keeps_whole_trace_lane_order_and_marks_the_current_step(run):
    trace = run("basic").trace
    fig = sequence_diagram(trace, steps=range(8, 24), highlight=14, lang="ru")
    assert "highlight" in _gids(fig)
    assert lanes(trace[i] for i in range(8, 24))[0] == "mail.a.test"   # first seen in window
    shown = [t.get_text() for t in fig.axes[0].texts]
    assert shown.index("pc.a.test") < shown.index("mail.a.test")
    bold = [t.get_text() for t in fig.axes[0].texts if t.get_fontweight() == "bold"
            and "RCPT" in t.get_text()]
    assert bold == ["RCPT TO:<bob@b.test>"]
    assert "Диаграмма" in fig._suptitle.get_text()


def test_no_highlight_band_without_a_current_step(run):
    assert "highlight" not in _gids(sequence_diagram(run("bounce").trace, steps=range(5)))


def _imap_trace():
    trace = Trace(scenario="imap-sketch", nodes=["pc", "imap"])
    lines = [("c2s", "A1 SELECT INBOX"), ("c2s", "A2 FETCH 1 FLAGS"), ("s2c", "* 3 EXISTS"),
             ("s2c", "A2 OK FETCH completed"), ("s2c", "A1 OK SELECT completed"),
             ("c2s", "A3 APPEND INBOX {10}"), ("s2c", "+ Ready for literal data")]
    for direction, line in lines:
        src, dst = ("pc", "imap") if direction == "c2s" else ("imap", "pc")
        trace.add(time=0.0, conn="c1", src=src, dst=dst, protocol="IMAP", direction=direction,
                  raw=(line + "\r\n").encode(), line=line)
    return trace


def test_imap_tags_untagged_and_continuations_are_marked():
    trace = _imap_trace()
    assert [imap_marker(s) for s in trace][:3] == [("tagged", "A1"), ("tagged", "A2"),
                                                   ("untagged", "*")]
    gids = _gids(sequence_diagram(trace))
    assert {"tagged:0", "tagged:1", "untagged:2", "tagged:3", "continuation:6"} <= set(gids)


def test_a_tag_has_the_same_colour_on_its_command_and_its_completion():
    fig = sequence_diagram(_imap_trace())
    boxes = {t.get_gid(): t.get_bbox_patch().get_facecolor() for t in fig.axes[0].texts
             if (t.get_gid() or "").startswith("tagged:")}
    assert boxes["tagged:0"] == boxes["tagged:4"]      # A1 command and its late completion
    assert boxes["tagged:1"] == boxes["tagged:3"]


def test_renders_to_png(run):
    assert to_png(sequence_diagram(run("retry").trace, steps=range(40, 60), highlight=41))[:4] \
        == b"\x89PNG"


def _texts(fig, prefix):
    return {t.get_gid(): t for t in fig.axes[0].texts if (t.get_gid() or "").startswith(prefix)}


def test_real_pipelining_trace_tags_colours_and_overtaking(run):
    """imap-pipelining: A1 FETCH, A2 NOOP, A3 STATUS sent together; A2 and A3 finish first."""
    from simulator.plots.imap_tags import overtaken
    trace = run("imap-pipelining").trace
    imap = [s for s in trace if s.protocol == "IMAP" and s.direction != "internal"]
    index = {s.line.split(" ", 2)[0] + " " + s.line.split(" ", 2)[1]: s.index for s in imap
             if s.line.split(" ", 1)[0] in ("A1", "A2", "A3")}
    assert index["A2 OK"] < index["A3 OK"] < index["A1 OK"]       # out of order, as RFC 9051 §5.5
    assert overtaken(trace) == {index["A2 OK"]: ("A1",), index["A3 OK"]: ("A1",)}
    fig = sequence_diagram(trace, steps=[s.index for s in imap], lang="en")
    tagged = _texts(fig, "tagged:")
    colour = {i: tagged[f"tagged:{i}"].get_bbox_patch().get_facecolor() for i in index.values()}
    for tag in ("A1", "A2", "A3"):                  # a tag's command and completion: one colour
        command = next(i for k, i in index.items() if k.startswith(tag) and not k.endswith("OK"))
        assert colour[command] == colour[index[f"{tag} OK"]]
        assert tagged[f"tagged:{command}"].get_text() == tag
    assert len({colour[index[f"{tag} OK"]] for tag in ("A1", "A2", "A3")}) == 3
    notes = _texts(fig, "overtook:")
    assert set(notes) == {f"overtook:{index['A2 OK']}", f"overtook:{index['A3 OK']}"}
    assert all("overtook A1" in n.get_text() for n in notes.values())
    untagged = {s.index for s in imap if s.line.startswith("* ")}
    assert {f"untagged:{i}" for i in untagged} == set(_texts(fig, "untagged:"))
    ru = _texts(sequence_diagram(trace, steps=[s.index for s in imap], lang="ru"), "overtook:")
    assert all("обогнал A1" in n.get_text() for n in ru.values())


def test_idle_done_is_a_continuation_not_a_tag(run):
    trace = run("imap-idle").trace
    done = next(s for s in trace if s.protocol == "IMAP" and s.line == "DONE")
    assert imap_marker(done) == ("continuation", "DONE")


def test_a_window_colours_a_tag_as_the_whole_trace_does(run):
    trace = run("imap-pipelining").trace
    a1 = [s.index for s in trace if s.protocol == "IMAP" and s.line.startswith("A1 ")]
    whole = _texts(sequence_diagram(trace, lang="en"), "tagged:")
    window = _texts(sequence_diagram(trace, steps=range(a1[-1] - 2, a1[-1] + 1)), "tagged:")
    gid = f"tagged:{a1[-1]}"
    assert window[gid].get_bbox_patch().get_facecolor() == \
        whole[gid].get_bbox_patch().get_facecolor()
    assert f"overtook:{a1[-1]}" not in _texts(sequence_diagram(trace), "overtook:")
