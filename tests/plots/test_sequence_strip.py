"""The fast sequence picture: strips drawn once, windows cropped and highlighted per step."""
import io

import numpy as np
from PIL import Image

from simulator.plots.sequence_strip import SequenceStrips, squeeze_blank_rows
from simulator.views import HIGHLIGHT_EDGE


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _edge_rows(pixels: np.ndarray) -> np.ndarray:
    """Pixel rows whose left edge carries the orange mark of the current row."""
    edge = np.array([int(HIGHLIGHT_EDGE[i:i + 2], 16) for i in (1, 3, 5)])
    return np.where((pixels[:, 0] == edge).all(axis=1))[0]


def test_window_is_a_png_with_one_marked_row(run):
    trace = run("retry").trace
    strips = SequenceStrips(trace, window=7, chunk=20)
    pixels = _pixels(strips.png(list(range(len(trace))), 30, "en"))
    rows = _edge_rows(pixels)
    assert 10 < len(rows) < 40 and rows.max() - rows.min() == len(rows) - 1


def test_the_mark_moves_down_as_the_step_advances_near_the_start(run):
    trace = run("basic").trace
    strips = SequenceStrips(trace, window=7, chunk=20)
    positions = list(range(len(trace)))
    tops = [_edge_rows(_pixels(strips.png(positions, p, "en"))).min() for p in (0, 1, 2)]
    assert tops[0] < tops[1] < tops[2]


def test_windows_in_the_middle_of_a_strip_keep_the_mark_in_place(run):
    trace = run("retry").trace
    strips = SequenceStrips(trace, window=7, chunk=20)
    positions = list(range(len(trace)))
    tops = {_edge_rows(_pixels(strips.png(positions, p, "en"))).min() for p in (25, 26, 33)}
    assert max(tops) - min(tops) <= 1      # rows are rounded to whole pixels


def test_one_strip_serves_a_chunk_and_strips_are_few(run):
    trace = run("retry").trace
    strips = SequenceStrips(trace, window=7, chunk=20)
    positions = list(range(len(trace)))
    for p in range(20, 40):
        strips.png(positions, p, "en")
    assert len(strips._strips) == 1


def test_filtered_positions_and_the_last_step(run):
    trace = run("basic").trace
    positions = [s.index for s in trace.filter(protocol="SMTP")]
    png = SequenceStrips(trace).png(positions, len(positions) - 1, "ru")
    assert png[:4] == b"\x89PNG"


def test_squeeze_keeps_at_most_n_blank_rows():
    pixels = np.full((30, 4, 3), 255, dtype=np.uint8)
    pixels[0] = pixels[29] = 0
    assert squeeze_blank_rows(pixels, keep=5).shape[0] == 7


def test_a_language_switch_redraws_the_title_and_the_notes_not_the_rows(run):
    from simulator.plots.imap_tags import overtaken
    trace = run("imap-pipelining").trace
    strips = SequenceStrips(trace, window=7, chunk=20)
    positions = list(range(len(trace)))
    noted = min(overtaken(trace.steps))
    ru, en = (_pixels(strips.png(positions, noted, lang)) for lang in ("ru", "en"))
    assert len(strips._strips) == 3         # the rows once, their notes in each language
    title = 30                              # the title line sits above the lane names
    assert ru.shape == en.shape and (ru[:title] != en[:title]).any()
    rows = (ru[title:] != en[title:]).any(axis=(1, 2)).nonzero()[0] + title
    assert 0 < len(rows) < 25               # only the "overtook" note's rows differ
    quiet = 10
    assert (_pixels(strips.png(positions, quiet, "ru"))[title:]
            == _pixels(strips.png(positions, quiet, "en"))[title:]).all()
