"""The MIME tree with sizes is readable on a 1366×768 screen: every label inside the picture,
no label over another, in Russian and in English, for the deepest letter the course builds."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from simulator.mail import mime, samples
from simulator.plots import mime_tree

DATE = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def deep_letter() -> bytes:
    forwarded = mime.compose(
        "carol@c.test", ["alice@a.test"], "Расписание", "Занятия в среду.\n", date=DATE,
        message_id="orig@c.test", charset="koi8-r", html="<p>Занятия в среду.</p>",
        attachments=[("расписание на осенний семестр 2026 года.pdf", "application/pdf",
                      samples.tiny_pdf("Schedule"))])
    return mime.compose(
        "alice@a.test", ["bob@b.test"], "Отчёт", "Привет!\n", date=DATE,
        message_id="deep@a.test", charset="windows-1251",
        html='<p>Привет!</p><img src="cid:logo.with.a.rather.long.name@a.test">',
        inline=[("logo.with.a.rather.long.name@a.test", "image/png", samples.tiny_png(16, 16))],
        attachments=[("Отчёт за сентябрь 2026 года, окончательный вариант.pdf",
                      "application/pdf", samples.tiny_pdf("Report")),
                     ("море.png", "image/png", samples.tiny_png())],
        forward=[forwarded])


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_no_label_overlaps_another_and_all_fit_the_screen(lang):
    data = deep_letter()
    fig = mime_tree(data, lang=lang)
    width, height = fig.get_size_inches() * fig.dpi
    assert width <= 1366 and height <= 768 - 100      # beside the notebook's margins
    canvas = FigureCanvasAgg(fig)
    canvas.draw()                                     # places the frames around the labels
    renderer = canvas.get_renderer()
    texts = [t for t in fig.axes[0].texts if t.get_text()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    # a label with a frame (the part boxes) is as large as its frame
    boxes = [(label, t.get_bbox_patch().get_window_extent(renderer) if t.get_bbox_patch()
              else box) for t, (label, box) in zip(texts, boxes)]
    for label, box in boxes:
        assert 0 <= box.x0 and box.x1 <= width and 0 <= box.y0 and box.y1 <= height, label
    overlapping = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
                   if box_a.overlaps(box_b)]
    assert overlapping == []
    labels = [label for label, _ in boxes]
    parts = mime.mime_tree(data)
    leaves = [p for p in parts if p.size is not None]
    assert sum(label.count("\n") == 1 for label in labels) == len(leaves)   # type / encoding
    assert any(label.startswith("4.2 application/pdf") for label in labels)     # nested number


def test_sizes_show_base64_growth_in_the_language_of_the_picture():
    data = deep_letter()
    pdf = next(p for p in mime.mime_tree(data) if p.number == "2")
    ru = [t.get_text() for t in mime_tree(data, lang="ru").axes[0].texts]
    en = [t.get_text() for t in mime_tree(data, lang="en").axes[0].texts]
    assert f"{pdf.size} → {pdf.wire_size} Б (+37\xa0%)" in ru
    assert f"{pdf.size} → {pdf.wire_size} B (+37%)" in en
    octets = len(data)        # the title counts the message's octets, with the plural form
    word = "октета" if octets % 10 in (2, 3, 4) and octets % 100 not in (12, 13, 14) else (
        "октет" if octets % 10 == 1 and octets % 100 != 11 else "октетов")
    assert f"MIME-структура письма: {octets} {word}" in ru
    assert f"MIME structure of the message: {octets} octets" in en
