"""The FTP engines (RFC 959, RFC 2428, RFC 3659): exchanges, every state × command, ASCII."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.protocols.ftp import (
    FTPClient,
    FTPConfig,
    FTPServer,
    MemoryFiles,
    TransferRequested,
    states,
    to_ascii,
)
from simulator.protocols.ftp.replies import Reply

README = b"line one\nline two\nline three\n"


class Backend:
    def __init__(self):
        self.files = MemoryFiles({"/pub/readme.txt": README, "/pub/logo.bin": bytes(range(256))})
        self.port = 50000

    def login(self, user, password):
        return self.files if (user, password) == ("anne", "secret") else None

    def passive_port(self):
        self.port += 1
        return self.port


def server(**config):
    engine = FTPServer(FTPConfig("ftp.test", address="192.0.2.1", **config), Backend())
    engine.initiate()
    return engine


def feed(engine, lines, *, bytewise=False, upload=b""):
    """Send lines; open every data connection asked for and move its payload."""
    got = []
    for line in lines:
        data = (line if isinstance(line, bytes) else line.encode()) + b"\r\n"
        chunks = [data[i:i + 1] for i in range(len(data))] if bytewise else [data]
        for chunk in chunks:
            for event in engine.receive_data(chunk):
                if isinstance(event, TransferRequested):
                    engine.transfer_opened()
                    got.append(event.payload)
                    engine.transfer_done(upload if event.payload is None else b"")
    return got


def replies(engine):
    return [u.line for u in engine.take_transcript() if u.direction == "s2c"]


LOGIN = ["USER anne", "PASS secret"]


@pytest.mark.parametrize("bytewise", [False, True])
def test_the_rfc_959_section_7_scenario_retrieves_a_file(bytewise):
    """RFC 959 §7: login, the data port, RETR with 150 and 226, QUIT with 221."""
    engine = server()
    got = feed(engine, [*LOGIN, "TYPE I", "PORT 192,0,2,7,156,64", "RETR pub/readme.txt", "QUIT"],
               bytewise=bytewise)
    codes = [line[:3] for line in replies(engine)]
    assert codes == ["220", "331", "230", "200", "200", "150", "226", "221"]
    assert got == [README] and engine.closed


def test_pasv_names_address_and_port_and_the_transfer_uses_it():
    engine = server()
    events = []
    for line in [*LOGIN, "PASV", "LIST pub"]:
        events += engine.receive_data(line.encode() + b"\r\n")
    assert replies(engine)[-1] == "227 Entering Passive Mode (192,0,2,1,195,81)."
    request = events[-1]
    assert (request.passive, request.host, request.port, request.verb) == (True, "192.0.2.1",
                                                                          50001, "LIST")
    assert b"readme.txt" in request.payload and engine.state == states.CONNECTING


def test_epsv_gives_only_the_port():
    engine = server()
    feed(engine, [*LOGIN, "EPSV"])
    assert replies(engine)[-1] == "229 Entering Extended Passive Mode (|||50001|)"


def test_type_a_turns_lf_into_crlf_and_size_counts_it():
    engine = server()
    got = feed(engine, [*LOGIN, "SIZE pub/readme.txt", "PASV", "RETR pub/readme.txt",
                        "TYPE I", "SIZE pub/readme.txt"])
    sizes = [line for line in replies(engine) if line.startswith("213")]
    assert sizes == [f"213 {len(README) + 3}", f"213 {len(README)}"]
    assert got == [README.replace(b"\n", b"\r\n")] == [to_ascii(README)]


def test_stor_in_type_a_stores_lf_line_ends():
    engine = server()
    feed(engine, [*LOGIN, "PASV", "STOR pub/new.txt"], upload=b"a\r\nb\r\n")
    assert replies(engine)[-1].startswith("226") and engine.backend.files.read("/pub/new.txt") \
        == b"a\nb\n"


def test_a_transfer_without_port_or_pasv_gets_425_and_each_transfer_needs_its_own():
    engine = server()
    feed(engine, [*LOGIN, "LIST", "PASV", "LIST", "LIST"])
    codes = [line[:3] for line in replies(engine)]
    assert codes[3:] == ["425", "227", "150", "226", "425"]


def test_an_active_connection_that_fails_gets_425_and_back_to_logged_in():
    engine = server()
    for line in [*LOGIN, "PORT 192,0,2,7,156,64", "RETR pub/readme.txt"]:
        engine.receive_data(line.encode() + b"\r\n")
    engine.transfer_failed()
    assert replies(engine)[-1].startswith("425 Can't open data connection to 192.0.2.7:40000")
    assert engine.state == states.LOGGED_IN


@pytest.mark.parametrize("line, code", [
    ("CWD ../..", "550"), ("CWD /etc", "550"), ("SIZE /etc/passwd", "550"),
    (b"SIZE pub/readme.txt\x00.png", "501"), ("CWD pub/../..", "550")])
def test_no_path_leaves_the_users_tree(line, code):
    engine = server()
    feed(engine, [*LOGIN, line])
    assert replies(engine)[-1][:3] == code and engine.cwd == "/"


def test_port_to_another_host_is_refused_as_a_bounce():
    engine = server(peer_address="192.0.2.7")
    feed(engine, [*LOGIN, "PORT 198,51,100,9,0,25", "EPRT |1|192.0.2.7|4000|"])
    assert [line[:3] for line in replies(engine)[-2:]] == ["504", "200"]


def test_three_wrong_passwords_close_the_connection():
    engine = server()
    feed(engine, ["USER anne", "PASS a", "USER anne", "PASS b", "USER anne", "PASS c"])
    assert replies(engine)[-1].startswith("421") and engine.closed


def test_commands_wait_while_a_transfer_runs():
    engine = server()
    events = []
    for line in [*LOGIN, "PASV", "RETR pub/readme.txt"]:
        events += engine.receive_data(line.encode() + b"\r\n")
    engine.receive_data(b"PWD\r\n")                   # read only after the 226
    assert not replies(engine)[-1].startswith("257")
    engine.transfer_opened()
    engine.transfer_done()
    assert [line[:3] for line in replies(engine)] == ["150", "226", "257"]


ARGS = {"USER": "anne", "PASS": "secret", "CWD": "pub", "TYPE": "I", "SIZE": "pub/readme.txt",
        "MDTM": "pub/readme.txt", "RETR": "pub/readme.txt", "STOR": "pub/x", "LIST": "",
        "PORT": "192,0,2,7,156,64", "EPRT": "|1|192.0.2.7|40000|"}
REACH = {states.NOT_LOGGED_IN: [], states.NEED_PASSWORD: ["USER anne"],
         states.LOGGED_IN: LOGIN, states.DATA_READY: [*LOGIN, "PASV"]}


@pytest.mark.parametrize("state", sorted(REACH))
@pytest.mark.parametrize("verb", states.ALL_COMMANDS)
def test_every_state_and_command_does_what_the_table_says(state, verb):
    engine = server()
    feed(engine, REACH[state])
    assert engine.state == state
    engine.take_transcript()
    line = f"{verb} {ARGS.get(verb, '')}".rstrip()
    events = engine.receive_data(line.encode() + b"\r\n")
    transition = states.transition(state, verb)
    said = [u for u in engine.take_transcript() if u.direction == "s2c"]
    if transition is None:
        assert engine.state == state and said[0].line[:3] in ("530", "503", "425")
    elif any(isinstance(e, TransferRequested) for e in events):
        assert engine.state == transition.on_ok == states.CONNECTING
    else:
        code = int(said[0].line[:3])
        assert engine.state == (transition.on_ok if code < 400 else transition.on_failure)


def test_a_client_and_a_server_run_a_script_with_data_connections():
    engine = server()
    client = FTPClient("anne", "secret", script=["CWD pub", "LIST", "TYPE I", "RETR logo.bin",
                                                 "STOR up.txt"], uploads={"up.txt": b"x\n"})
    for _ in range(100):
        down, up = engine.data_to_send(), client.data_to_send()
        for byte in [down[i:i + 1] for i in range(len(down))]:
            client.receive_data(byte)
        if up:
            for event in engine.receive_data(up):
                if isinstance(event, TransferRequested):
                    engine.transfer_opened()
                    if event.payload is not None:
                        client.data_received(event.payload)
                    engine.transfer_done(client.upload if event.payload is None else b"")
        if not down and not up:
            break
    assert client.closed and engine.closed
    assert client.result.files["logo.bin"] == bytes(range(256))
    assert engine.backend.files.read("/pub/up.txt") == b"x\n"


def _valid_reply(line: str) -> bool:
    return len(line) >= 4 and line[:3].isdigit() and line[3] in " -" and line[0] in "12345"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([*states.ALL_COMMANDS, "PASV", "LIST", "RETR x",
                                           "CWD ..", "PORT 1,2,3,4,5,6", "USER anne",
                                           "PASS secret"]),
                          st.binary(max_size=40)), max_size=25))
def test_random_command_streams_never_raise_and_every_reply_is_well_formed(lines):
    engine = server()
    for line in lines:
        data = line if isinstance(line, bytes) else line.encode()
        for event in engine.receive_data(data + b"\r\n"):
            if isinstance(event, TransferRequested):
                engine.transfer_opened()
                engine.transfer_done(b"z")
    for utterance in engine.take_transcript():
        if utterance.direction == "s2c":
            assert all(_valid_reply(part) or part.startswith(" ")
                       for part in utterance.line.split("\r\n"))


def test_a_reply_is_positive_below_400():
    assert Reply("x", 350, "").ok and not Reply("x", 425, "").ok


def ipv6_server():
    """A server reached over IPv6 (`mailsim serve --host ::1`), its client at 2001:db8::7."""
    engine = FTPServer(FTPConfig("ftp.test", address="2001:db8::1",
                                 peer_address="2001:db8::7"), Backend())
    engine.initiate()
    return engine


def test_over_ipv6_epsv_and_eprt_use_protocol_2_and_pasv_is_refused():
    """RFC 2428: EPSV and EPRT name the network protocol, (2) for IPv6; 227's six numbers
    hold only an IPv4 address, so PASV over IPv6 is refused rather than answered garbled."""
    engine = ipv6_server()
    feed(engine, [*LOGIN, "PASV", "EPSV 1", "EPSV 2", "EPRT |1|192.0.2.7|4000|",
                  "EPRT |2|2001:DB8:0:0:0:0:0:7|4000|", "EPRT |2|2001:db8::99|4000|"])
    assert replies(engine)[3:] == [
        "502 PASV not implemented here",
        "522 Network protocol not supported, use (2)",
        "229 Entering Extended Passive Mode (|||50001|)",
        "522 Network protocol not supported, use (2)",
        "200 EPRT command successful, will connect to 2001:DB8:0:0:0:0:0:7:4000",
        "504 EPRT: 2001:db8::99 is not your address, refused (bounce attack)",
    ]


def test_over_ipv4_epsv_2_names_protocol_1():
    engine = server()
    feed(engine, [*LOGIN, "EPSV 2", "EPRT |2|::1|5000|"])
    assert replies(engine)[3:] == ["522 Network protocol not supported, use (1)"] * 2
