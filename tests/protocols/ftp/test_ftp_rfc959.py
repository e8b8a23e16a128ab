"""The FTP engines against RFC 959's own examples: the typical scenario of §7, the multi-line
reply of §4.2, the command-reply sequences of §5.4 — and the states where commands are not
read at once (CONNECTING, TRANSFER, CLOSED) — each fed whole and byte by byte."""
import pytest
from test_ftp_engine import ARGS, LOGIN, REACH, README, feed, replies, server

from simulator.protocols.ftp import FTPClient, TransferRequested, states


@pytest.fixture(params=[False, True], ids=["whole", "bytewise"])
def bytewise(request):
    return request.param


def test_the_typical_scenario_of_section_7(bytewise):
    """RFC 959 §7, with the PORT a server today needs before RETR (RFC 959 §3.2's default
    data port is refused by modern servers): 220, 331, 230, 150/226, 200, 221."""
    engine = server()
    got = feed(engine, ["USER anne", "PASS secret", "PORT 192,0,2,7,156,64",
                        "RETR pub/readme.txt", "TYPE I", "QUIT"], bytewise=bytewise)
    said = replies(engine)
    assert [line[:3] for line in said] == ["220", "331", "230", "200", "150", "226", "200",
                                           "221"]
    assert got == [README.replace(b"\n", b"\r\n")]       # TYPE A, the default: CRLF on the wire
    assert engine.closed and engine.state == states.CLOSED


#: RFC 959 §4.2's example of a multi-line reply, as a greeting: the reply ends only at the
#: line that starts with the same code and a space, not at the line indented with "234".
MULTI_LINE_GREETING = (b"220-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n"
                       b"220 The last line\r\n")


def test_a_client_reads_the_multi_line_reply_of_section_4_2_as_one(bytewise):
    client = FTPClient("anne", "secret")
    chunks = ([MULTI_LINE_GREETING[i:i + 1] for i in range(len(MULTI_LINE_GREETING))]
              if bytewise else [MULTI_LINE_GREETING])
    for chunk in chunks[:-1]:
        client.receive_data(chunk)
        assert client.data_to_send() == b""             # nothing before the last line
    client.receive_data(chunks[-1])
    assert client.data_to_send() == b"USER anne\r\n"
    assert client.result.greeting.startswith("First line")


#: RFC 959 §5.4, "Command-Reply Sequences": every reply a command may get.
SECTION_5_4 = {
    "USER": {230, 530, 500, 501, 421, 331, 332},
    "PASS": {230, 202, 530, 500, 501, 503, 421, 332},
    "CWD": {250, 500, 501, 502, 421, 530, 550},
    "CDUP": {200, 500, 501, 502, 421, 530, 550},
    "QUIT": {221, 500},
    "PORT": {200, 500, 501, 421, 530},
    "PASV": {227, 500, 501, 502, 421, 530},
    "TYPE": {200, 500, 501, 504, 421, 530},
    "STOR": {125, 150, 110, 226, 250, 425, 426, 451, 551, 552, 532, 450, 452, 553, 500, 501,
             421, 530},
    "RETR": {125, 150, 110, 226, 250, 425, 426, 451, 450, 550, 500, 501, 421, 530},
    "LIST": {125, 150, 226, 250, 425, 426, 451, 450, 500, 501, 502, 421, 530},
    "NLST": {125, 150, 226, 250, 425, 426, 451, 450, 500, 501, 502, 421, 530},
    "PWD": {257, 500, 501, 502, 421, 550},
    "SYST": {215, 500, 501, 502, 421},
    "NOOP": {200, 500, 421},
}
#: Where the engine answers as servers do today, and why.
DEVIATIONS = {
    "CDUP": {250},          # RFC 959 §4.1.1: "identical to the reply codes of CWD" (250)
    "PWD": {530},           # before the login, RFC 959 §4.2.1's 530 "Not logged in"
    "LIST": {550, 425},     # §4.2.2's 550 "file not found"; 425 at once without PORT/PASV
    "NLST": {550, 425},
    "RETR": {425},
    "STOR": {425},
}
#: Good and bad arguments for each command.
TRIES = {"USER": ["anne", ""], "PASS": ["secret", "wrong", ""],
         "CWD": ["pub", "nowhere", "../..", ""], "CDUP": [""], "QUIT": [""],
         "PORT": ["192,0,2,7,156,64", "1,2,3", "198,51,100,9,0,25", ""], "PASV": ["", "x"],
         "TYPE": ["I", "A", "E", "X", ""], "STOR": ["pub/x", "pub", "/etc/x", ""],
         "RETR": ["pub/readme.txt", "nothing", "pub", ""], "LIST": ["", "pub", "nothing"],
         "NLST": ["", "nothing"], "PWD": [""], "SYST": [""], "NOOP": [""]}


@pytest.mark.parametrize("state", sorted(REACH))
@pytest.mark.parametrize("verb", sorted(SECTION_5_4))
def test_every_reply_is_one_section_5_4_allows_for_its_command(state, verb, bytewise):
    allowed = SECTION_5_4[verb] | DEVIATIONS.get(verb, set())
    for argument in TRIES[verb]:
        engine = server()
        feed(engine, REACH[state])
        engine.take_transcript()
        feed(engine, [f"{verb} {argument}".rstrip()], bytewise=bytewise)
        codes = {int(line[:3]) for line in replies(engine)}
        assert codes and codes <= allowed, (state, verb, argument, codes)


def _wait_for_data(verb: str):
    """A session in CONNECTING (the data connection opening) or TRANSFER (150 sent)."""
    engine = server()
    events = []
    for line in [*LOGIN, "PASV", f"{verb} {ARGS[verb]}".rstrip()]:
        events += engine.receive_data(line.encode() + b"\r\n")
    request = next(e for e in events if isinstance(e, TransferRequested))
    return engine, request


@pytest.mark.parametrize("opened", [False, True], ids=["CONNECTING", "TRANSFER"])
@pytest.mark.parametrize("verb", states.ALL_COMMANDS)
def test_a_command_during_a_transfer_waits_for_the_226_then_is_answered(verb, opened,
                                                                        bytewise):
    """RFC 959 §5.4: the client waits for the transfer's reply; a command that comes early is
    read after it, so its reply never lands between 150 and 226."""
    engine, request = _wait_for_data("RETR")
    if opened:
        engine.transfer_opened()
    assert engine.state == (states.TRANSFER if opened else states.CONNECTING)
    assert states.allowed(engine.state) == ()
    replies(engine)                                      # what was said up to now
    feed(engine, [f"{verb} {ARGS.get(verb, '')}".rstrip()], bytewise=bytewise)
    assert replies(engine) == []                         # nothing said yet
    if not opened:
        engine.transfer_opened()
    engine.transfer_done()
    codes = [line[:3] for line in replies(engine)]
    transfer = ["226"] if opened else ["150", "226"]
    assert codes[:-1] == transfer and len(codes) == len(transfer) + 1, codes
    assert request.payload == README.replace(b"\n", b"\r\n")


@pytest.mark.parametrize("verb", states.ALL_COMMANDS)
def test_nothing_is_read_after_quit(verb, bytewise):
    engine = server()
    feed(engine, [*LOGIN, "QUIT"])
    assert engine.state == states.CLOSED and engine.closed
    engine.take_transcript()
    engine.data_to_send()
    feed(engine, [f"{verb} {ARGS.get(verb, '')}".rstrip()], bytewise=bytewise)
    assert engine.take_transcript() == [] and engine.data_to_send() == b""


@pytest.mark.parametrize("state", sorted(REACH))
@pytest.mark.parametrize("verb", states.ALL_COMMANDS)
def test_every_state_and_command_byte_by_byte_as_whole(state, verb):
    """The same command in the same state gets the same replies and the same next state
    whether it arrives in one piece or one octet at a time."""
    line = f"{verb} {ARGS.get(verb, '')}".rstrip()
    seen = []
    for bytewise in (False, True):
        engine = server()
        feed(engine, REACH[state])
        engine.take_transcript()
        feed(engine, [line], bytewise=bytewise)
        seen.append(([u.line for u in engine.take_transcript()], engine.state))
    assert seen[0] == seen[1]
