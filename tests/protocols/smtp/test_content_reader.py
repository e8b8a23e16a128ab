"""The content reader gives the same result however the bytes arrive."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.protocols.smtp.chunking import is_binary
from simulator.protocols.smtp.content import HOLD, DataReader, dot_stuff, normalize_newlines

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


def test_bytes_after_the_final_dot_are_left_for_the_commands():
    reader = DataReader(max_size=1 << 20)
    assert reader.feed(b"one\r\n.\r\nMAIL FROM:<a@a.test>\r\nsecond\r\n.\r\n")
    assert reader.feed(b"")                 # asked again, the content does not grow
    assert bytes(reader.content) == b"one\r\n"
    assert reader.take_rest() == b"MAIL FROM:<a@a.test>\r\nsecond\r\n.\r\n"


def test_two_transactions_in_one_write_are_two_messages():
    # A client that does not wait for 354 (or a pipelining bug) sends both
    # transactions at once: the server must keep them apart, not append the
    # second envelope and message to the first one's content (RFC 5321 §4.1.1.4,
    # RFC 2920 §3.2: the input buffer is never lost).
    from simulator.protocols.smtp import ServerConfig, SMTPServer
    from simulator.protocols.smtp.events import MessageReceived
    server = SMTPServer(ServerConfig("mx.b.test"))
    server.initiate()
    one = b"MAIL FROM:<a@a.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\n%s\r\n.\r\n"
    events = server.receive_data(b"EHLO c.test\r\n" + one % b"first" + one % b"second"
                                 + b"QUIT\r\n")
    messages = [e.envelope.content for e in events if isinstance(e, MessageReceived)]
    assert messages == [b"first\r\n", b"second\r\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"", b".", b"..", b".x", b"x.", b"text", b"\r", b"\n",
                                 b"\r\n", b"\r\n.", b". ."]), max_size=20))
def test_any_content_stuffed_by_the_client_is_read_back_line_for_line(parts):
    """RFC 5321 §4.5.2: every line that starts with a dot gets one more on the wire, and
    the server takes it off again; nothing else changes but the line ends (CRLF)."""
    content = b"".join(parts)
    wire = dot_stuff(content)
    lines = normalize_newlines(content).split(b"\r\n")[:-1]
    assert wire.split(b"\r\n")[:-2] == [b"." + x if x.startswith(b".") else x for x in lines]
    assert wire.endswith(b"\r\n.\r\n") or wire == b".\r\n"
    assert read([wire])[0] == normalize_newlines(content)


@pytest.mark.parametrize("content, binary", [
    (b"Subject: x\r\n\r\nplain text\r\n", False),
    (b"Subject: binary\r\n\r\nthe word binary in the body\r\n", False),
    (b"Content-Transfer-Encoding: binary\r\n\r\n\xff\xfe\r\n", True),
    (b"Subject: x\r\ncontent-transfer-encoding:BINARY \r\n\r\n", True),
    (b"Subject: x\r\n\r\nNUL \0 in the text\r\n", True),
])
def test_binary_mime_is_told_by_its_header_field_or_a_nul(content, binary):
    """RFC 3030 §3: only BODY=BINARYMIME may carry it; RFC 2045 §2.7: no NUL in 7bit/8bit."""
    assert is_binary(content) is binary


def test_content_is_held_until_its_final_dot_but_only_up_to_hold():
    """A short body is read in one go once its final dot is in, however it came; a long
    one is read line by line past HOLD octets, so that memory stays bounded."""
    line = b"x" * 70 + b"\r\n"
    reader = DataReader(max_size=1 << 20)
    assert not reader.feed(line)
    assert reader.lines == 0                    # held: no final dot yet
    many = HOLD // len(line) + 1
    assert not reader.feed(line * many)
    assert reader.lines == many + 1             # past HOLD: every whole line is read
    assert reader.feed(b".\r\n")
    assert bytes(reader.content) == line * (many + 1)
