"""Every state diagram, in both languages, has no overlapping labels and no untranslated input.

The bounding boxes are matplotlib's own (``get_window_extent`` after drawing),
so the test sees exactly what the SVG shows.
"""
from __future__ import annotations

import re
from itertools import combinations, pairwise

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from simulator.plots import PROTOCOLS, state_diagram, state_table, to_svg


def _boxes(fig):
    """(name, bbox) of every text and every state box, in display units."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    texts = [(t.get_gid() or t.get_text(), t.get_window_extent(renderer))
             for t in [*fig.axes[0].texts, *fig.texts] if t.get_text()]
    states = [(p.get_gid(), p.get_window_extent(renderer)) for p in fig.axes[0].patches
              if (p.get_gid() or "").startswith("state:")]
    return texts, states


def _overlap(a, b, slack: float = 0.5) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > slack
            and min(a.y1, b.y1) - max(a.y0, b.y0) > slack)


def _cases():
    for protocol in PROTOCOLS:
        states = state_table(protocol).states
        for lang in ("ru", "en"):
            yield protocol, lang, None, None
            # A highlighted (bold) state and arrow take more room: check those too.
            for previous, current in pairwise(states):
                if (previous, current) in state_table(protocol).pairs():
                    yield protocol, lang, previous, current
                    break


@pytest.mark.parametrize("protocol, lang, previous, current", list(_cases()))
def test_no_two_labels_and_no_label_and_state_overlap(protocol, lang, previous, current):
    fig = state_diagram(protocol, current, previous=previous, lang=lang)
    texts, states = _boxes(fig)
    clashes = [(a, b) for (a, box_a), (b, box_b) in combinations(texts, 2)
               if _overlap(box_a, box_b)]
    clashes += [(name, state) for name, box in texts for state, state_box in states
                if name != f"name:{state[6:]}" and _overlap(box, state_box)]
    assert clashes == []
    assert to_svg(fig).lstrip().startswith(b"<?xml")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_label_is_in_russian_in_the_russian_view(protocol):
    """Commands, reply codes and state names stay as they are; every other word is Russian."""
    fig = state_diagram(protocol, lang="ru")
    states = set(state_table(protocol).states)
    for text in [*fig.axes[0].texts, *fig.texts]:
        words = text.get_text()
        assert "<" not in words and "(tls_started)" not in words, words
        latin = [w for w in re.findall(r"[A-Za-z_]+", words)
                 if not w.isupper() and w not in states]
        assert latin == [], (words, latin)


def test_without_graphviz_the_message_says_what_to_install(monkeypatch):
    import importlib
    module = importlib.import_module("simulator.plots.state_diagram")   # not the function
    monkeypatch.setattr(module.shutil, "which", lambda name: None)
    with pytest.raises(module.GraphvizMissing, match="apt-get install graphviz"):
        state_diagram("SMTP", lang="en")
    with pytest.raises(module.GraphvizMissing, match="установите"):
        state_diagram("SMTP", lang="ru")
