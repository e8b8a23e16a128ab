"""What reaches a mailbox has CRLF line ends (RFC 5321 §2.3.8, RFC 5322 §2.1).

DATA refuses a bare LF, and its content is stored octet for octet under the MDA's
headers; BDAT content of a 7BIT or 8BITMIME message is not read as lines (RFC 3030 §2),
so the store turns its bare LFs into CRLF before POP3 and IMAP count and serve the octets.
"""
from simulator.network.simulation import Network
from simulator.scenarios import load

HEAD = b"From: alice@a.test\r\nTo: bob@b.test\r\nSubject: lines\r\n\r\n"


def _session(commands: bytes) -> tuple[Network, list[bytes]]:
    """One SMTP session on mx.b.test (CHUNKING offered), then the MDA's deliveries."""
    net = Network(load("binarymime"), seed=1)
    server = net.nodes["mx.b.test"].server_session(25, "mail.a.test", "c1")
    server.initiate()
    server.receive_data(b"EHLO mail.a.test\r\n" + commands + b"QUIT\r\n")
    replies = server.data_to_send().split(b"\r\n")
    net.scheduler.run()
    return net, [r[:3] for r in replies if r[3:4] == b" "]


def _inbox(net: Network) -> list[bytes]:
    return [m.data for m in net.store.account("bob@b.test").inbox.messages]


def test_a_bare_lf_that_came_in_bdat_chunks_is_stored_as_crlf():
    content = HEAD + b"one\ntwo\r\n"
    net, replies = _session(b"MAIL FROM:<alice@a.test>\r\nRCPT TO:<bob@b.test>\r\n"
                            + f"BDAT {len(content)} LAST\r\n".encode() + content)
    assert replies == [b"220", b"250", b"250", b"250", b"250", b"221"]
    [stored] = _inbox(net)
    assert stored.endswith(b"\r\n\r\none\r\ntwo\r\n") and b"one\ntwo" not in stored


def test_data_content_is_stored_octet_for_octet_after_the_mda_headers():
    content = HEAD + b"one\r\n..two\r\n"
    net, replies = _session(b"MAIL FROM:<alice@a.test>\r\nRCPT TO:<bob@b.test>\r\nDATA\r\n"
                            + content + b".\r\n")
    assert replies == [b"220", b"250", b"250", b"250", b"354", b"250", b"221"]
    [stored] = _inbox(net)
    assert stored.startswith(b"Return-Path: <alice@a.test>\r\nDelivered-To: bob@b.test\r\n")
    assert stored.endswith(HEAD + b"one\r\n.two\r\n")       # the stuffed dot removed (§4.5.2)


def test_data_with_a_bare_lf_is_refused_and_nothing_is_stored():
    net, replies = _session(b"MAIL FROM:<alice@a.test>\r\nRCPT TO:<bob@b.test>\r\nDATA\r\n"
                            + HEAD + b"one\ntwo\r\n.\r\n")
    assert replies[-2:] == [b"550", b"221"] and _inbox(net) == []
