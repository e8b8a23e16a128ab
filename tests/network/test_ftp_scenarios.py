"""The FTP built-ins: two connections in the trace, active mode behind a NAT (E22)."""
from simulator.network import simulate
from simulator.network.interactive import SimulatedSession
from simulator.scenarios import builtin_names, load


def test_both_ftp_builtins_are_listed():
    assert {"ftp-passive", "ftp-active-nat"} <= set(builtin_names())


def test_each_transfer_is_a_data_connection_of_its_own():
    trace = simulate(load("ftp-passive")).trace
    control = {s.conn for s in trace if s.protocol == "FTP"} - {None}
    data = {s.conn for s in trace if s.protocol == "FTP-DATA"}
    transfers = [s for s in trace if s.explain in ("ftp.reply.transfer_ok", "ftp.reply.stored")]
    assert len(control) == 1 and len(data) == len(transfers) == 6
    assert not control & data
    upload = next(s for s in trace if s.explain == "ftp.data.upload")
    assert upload.src == "laptop.uni.test" and upload.raw.startswith(b"Lab 16 report")


def test_a_text_file_grows_in_type_a_and_not_in_type_i():
    trace = simulate(load("ftp-passive")).trace
    sizes = [(s.params["type"], s.params["size"]) for s in trace
             if s.explain == "ftp.reply.size"]
    assert sizes[0][0] == "A" and sizes[1][0] == "I" and sizes[0][1] - sizes[1][1] == 3
    readme = next(s for s in trace if s.explain == "ftp.data.file")
    assert readme.raw.count(b"\r\n") == 3


def test_behind_a_nat_port_fails_with_425_and_pasv_works():
    trace = simulate(load("ftp-active-nat")).trace
    lines = [s.line for s in trace if s.protocol == "FTP"]
    port = lines.index(next(x for x in lines if x.startswith("PORT")))
    assert lines[port + 2] == "LIST" and lines[port + 3].startswith("425")
    assert lines[port + 4] == "PASV" and lines[port + 7].startswith("150")
    dropped = next(s for s in trace if s.explain == "ftp.data.dropped")
    assert dropped.src == "ftp.uni.test" and dropped.dst == "home.uni.test"
    assert any(s.explain == "ftp.data.file" and s.dst == "home.uni.test" for s in trace)


def test_the_console_opens_a_data_connection_for_a_transfer():
    session = SimulatedSession("ftp-passive", "FTP")
    session.open()
    for line in ["USER carol", "PASS carol-pw", "PASV"]:
        session.send(line)
    steps = session.send("RETR pub/readme.txt")
    assert [s.protocol for s in steps].count("FTP-DATA") == 3
    assert steps[-1].line.startswith("226") and session.state == "LOGGED_IN"
