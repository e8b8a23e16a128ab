"""The content reader gives the same result however the bytes arrive."""
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.protocols.smtp.content import DataReader, dot_stuff

LINES = st.lists(st.sampled_from([b"", b".", b"..", b".x", b"text", b"x" * 990, b"a\nb",
                                  b"c\rd", b"y" * 1200]), max_size=12)


def read(chunks):
    reader = DataReader(max_size=1 << 20)
    for chunk in chunks:
        if reader.feed(chunk):
            break
    return bytes(reader.content), reader.lines, reader.problems, bytes(reader.raw)


@settings(max_examples=300, deadline=None)
@given(LINES, st.integers(min_value=1, max_value=7))
def test_whole_and_chunked_feeding_agree(lines, step):
    wire = b"".join(line + b"\r\n" for line in lines) + b".\r\n"
    whole = read([wire])
    chunked = read([wire[i:i + step] for i in range(0, len(wire), step)])
    assert whole == chunked


def test_stuffed_content_comes_back_exactly():
    content = b"first\r\n.\r\n..\r\n.hidden\r\nlast\r\n"
    assert read([dot_stuff(content)])[0] == content
