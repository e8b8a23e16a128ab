"""mailsim serve's FTP (issue 15, item 4): real clients against offset+21 — Python's ftplib in
passive and active mode, EPSV by hand, curl — with passive ports from a configured range."""
import ftplib
import io
import random
import shutil
import socket
import subprocess

import pytest

from simulator.server import ftp_side

from .conftest import port_free, serving
from .test_limits import wait_until

USER, PASSWORD = "student", "student"
CURL = shutil.which("curl")
BLOB = bytes(range(256)) * 40 + b"\r\n\n\r\x00 end"          # every octet, CR and LF alone


def login(live, user=USER, password=PASSWORD, *, passive=True) -> ftplib.FTP:
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", live.settings["ftp"], timeout=30)
    ftp.login(user, password)
    ftp.set_pasv(passive)
    return ftp


def reply(sock_file) -> bytes:
    """One whole FTP reply (RFC 959 §4.2: a multi-line one ends with "NNN ")."""
    first = line = sock_file.readline()
    assert line, "the server closed the control connection"
    while first[3:4] == b"-" and not (line[:3] == first[:3] and line[3:4] == b" "):
        line = sock_file.readline()
        assert line, "the server closed the control connection"
    return first


@pytest.fixture
def live():
    with serving() as server:
        yield server


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_ftplib_walks_the_tree_stores_and_gets_back_every_octet(live, passive):
    ftp = login(live, passive=passive)
    assert ftp.pwd() == "/"
    assert ftp.nlst() == ["incoming"]
    assert ftp.cwd("incoming").startswith("250")
    assert ftp.pwd() == "/incoming"
    ftp.storbinary("STOR notes.bin", io.BytesIO(BLOB))
    got = io.BytesIO()
    ftp.retrbinary("RETR notes.bin", got.write)
    assert got.getvalue() == BLOB
    assert ftp.size("notes.bin") == len(BLOB)
    listing = []
    ftp.retrlines("LIST", listing.append)
    assert len(listing) == 1 and listing[0].split()[-1] == "notes.bin"
    assert str(len(BLOB)) in listing[0].split()
    facts = dict(ftp.mlsd("/incoming"))
    assert facts["notes.bin"]["type"] == "file" and facts["notes.bin"]["size"] == str(len(BLOB))
    ftp.cwd("..")
    assert ftp.pwd() == "/"
    ftp.quit()
    steps = live.call(lambda: list(live.world.trace.steps))
    data = [s for s in steps if s.protocol == "FTP-DATA" and s.explain == "ftp.data.connect"]
    assert [s.params["verb"] for s in data] == ["NLST", "STOR", "RETR", "LIST", "MLSD"]
    assert all(s.params["passive"] is passive for s in data)
    logged_in = [s for s in steps if s.explain == "serve.explain.logged_in"]
    assert logged_in and logged_in[-1].params["user"] == "student@example.test"


def test_ascii_mode_sends_crlf_line_ends_and_stores_lf(live):
    ftp = login(live)
    ftp.storbinary("STOR unix.txt", io.BytesIO(b"one\ntwo\n"))       # TYPE I: as it is
    ftp.storlines("STOR dos.txt", io.BytesIO(b"three\nfour\n"))       # TYPE A: CRLF on the wire
    ftp.voidcmd("TYPE I")
    assert ftp.size("unix.txt") == 8 and ftp.size("dos.txt") == 11   # both kept with LF
    ftp.voidcmd("TYPE A")
    assert ftp.size("unix.txt") == 10                                # what ASCII mode will send
    with ftp.transfercmd("RETR unix.txt") as conn:
        on_the_wire = b"".join(iter(lambda: conn.recv(4096), b""))
    ftp.voidresp()
    assert on_the_wire == b"one\r\ntwo\r\n"
    got = io.BytesIO()
    ftp.retrbinary("RETR dos.txt", got.write)                        # retrbinary sets TYPE I
    assert got.getvalue() == b"three\nfour\n"
    ftp.quit()


def test_epsv_by_hand_gives_a_port_on_the_same_host(live):
    ftp = login(live)
    ftp.storbinary("STOR e.bin", io.BytesIO(b"extended passive"))
    answer = ftp.sendcmd("EPSV")
    assert answer.startswith("229")
    port = ftplib.parse229(answer, ("127.0.0.1", 0))[1]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as data:
        assert ftp.sendcmd("RETR e.bin").startswith("150")
        body = b"".join(iter(lambda: data.recv(4096), b""))
    assert ftp.voidresp().startswith("226")
    assert body == b"extended passive"
    with pytest.raises(ftplib.error_perm, match="^522"):
        ftp.sendcmd("EPSV 2")                          # IPv6 was not asked for (RFC 2428 §3)
    ftp.quit()


def _free_range(width: int) -> int:
    for _ in range(200):
        low = random.randrange(40000, 60000)
        if all(port_free(p) for p in range(low, low + width)):
            return low
    raise RuntimeError("no free port range")


def test_passive_ports_come_from_the_configured_range_in_turn():
    low = _free_range(3)
    with serving(ftp_passive_ports=(low, low + 2)) as live:
        ftp = login(live)
        ports = [ftplib.parse227(ftp.sendcmd("PASV"))[1] for _ in range(4)]
        host = ftplib.parse227(ftp.sendcmd("PASV"))[0]
        ftp.storbinary("STOR r.txt", io.BytesIO(b"in range"))     # a real transfer there
        ftp.quit()
    assert ports == [low, low + 1, low + 2, low] and host == "127.0.0.1"


def test_active_mode_to_another_host_is_refused_as_a_bounce_attack(live):
    ftp = login(live)
    with pytest.raises(ftplib.error_perm, match="^504.*bounce"):
        ftp.sendcmd("PORT 10,1,2,3,4,5")               # RFC 2577 §3
    with pytest.raises(ftplib.error_perm, match="^504"):
        ftp.sendcmd("EPRT |1|192.0.2.7|2121|")
    with pytest.raises(ftplib.error_temp, match="^425"):
        ftp.sendcmd("RETR anything")                  # the refused PORT set up nothing
    ftp.quit()


def test_a_stranger_on_the_passive_port_is_shut_out_and_the_client_gets_its_file(live):
    ftp = login(live)
    ftp.storbinary("STOR secret.txt", io.BytesIO(b"for the student only"))
    port = ftplib.parse227(ftp.sendcmd("PASV"))[1]
    stranger = socket.socket()
    try:
        stranger.bind(("127.0.0.2", 0))                # another address on loopback
    except OSError:
        pytest.skip("this system has no 127.0.0.2 on loopback")
    stranger.settimeout(30)
    stranger.connect(("127.0.0.1", port))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as data:
        assert ftp.sendcmd("RETR secret.txt").startswith("150")
        body = b"".join(iter(lambda: data.recv(4096), b""))
    assert ftp.voidresp().startswith("226")
    assert body == b"for the student only"
    assert stranger.recv(100) == b""                   # closed unread
    stranger.close()
    ftp.quit()
    steps = live.call(lambda: [s.explain for s in live.world.trace.steps])
    assert "serve.explain.ftp_data_stranger" in steps


def test_a_client_that_never_opens_its_data_connection_gets_425_and_holds_up_nobody(
        live, monkeypatch):
    monkeypatch.setattr(ftp_side, "DATA_TIMEOUT", 3.0)
    idle = socket.create_connection(("127.0.0.1", live.settings["ftp"]), timeout=30)
    replies = idle.makefile("rb")
    reply(replies)
    idle.sendall(b"USER student\r\nPASS student\r\n")
    assert reply(replies).startswith(b"331") and reply(replies).startswith(b"230")
    idle.sendall(b"PASV\r\n")
    port = ftplib.parse227(reply(replies).decode())[1]
    idle.sendall(b"LIST\r\n")                          # ... and never connects to the port
    other = login(live, "teacher", "teacher")          # meanwhile another client is served
    assert other.nlst() == ["incoming"]
    other.quit()
    assert reply(replies).startswith(b"425")
    idle.sendall(b"NOOP\r\n")
    assert reply(replies).startswith(b"200")           # the session goes on
    assert wait_until(lambda: port_free(port))         # and the passive port is closed
    idle.close()


def test_a_wrong_password_gets_530_later_each_time_then_421():
    with serving(login_delay=0.01) as live:
        control = socket.create_connection(("127.0.0.1", live.settings["ftp"]), timeout=30)
        replies = control.makefile("rb")
        reply(replies)
        answers = []
        for _ in range(3):
            control.sendall(b"USER student\r\nPASS wrong\r\n")
            answers += [reply(replies)[:3], reply(replies)[:3]]
        assert answers == [b"331", b"530", b"331", b"530", b"331", b"421"]
        assert replies.readline() == b""                 # 421: the server hung up
        control.close()
        steps = live.call(lambda: list(live.world.trace.steps))
    held = [float(s.params["seconds"]) for s in steps
            if s.explain == "serve.explain.login_delay"]
    assert held == pytest.approx([0.01, 0.02, 0.03])
    assert "serve.diagnosis.wrong_password" in [s.explain for s in steps]


@pytest.mark.parametrize("line, code", [
    (b"XYZZY", b"500"), (b"RETR", b"501"), (b"PORT 1,2,3", b"501"), (b"TYPE Q", b"504"),
    (b"SIZE a\x00b", b"501"), (b"CWD ../..", b"550"), (b"RETR /etc/passwd", b"550"),
    (b"MKD new", b"502"), (b"A" * 5000, b"500"), (b"\xff\xfe RETR", b"500"),
    (b"STOR", b"501"), (b"LIST /etc", b"550")])
def test_a_bad_command_gets_a_clear_reply_and_the_session_goes_on(live, line, code):
    control = socket.create_connection(("127.0.0.1", live.settings["ftp"]), timeout=30)
    replies = control.makefile("rb")
    reply(replies)
    control.sendall(b"USER student\r\nPASS student\r\nPASV\r\n")
    assert [reply(replies)[:3] for _ in range(3)] == [b"331", b"230", b"227"]
    control.sendall(line + b"\r\nNOOP\r\n")
    answer = reply(replies)
    assert answer[:3] == code and len(answer) > 6        # a code and words, never a traceback
    assert reply(replies).startswith(b"200")
    control.close()
    explains = live.call(lambda: [s.explain for s in live.world.trace.steps])
    assert not [e for e in explains if e.startswith("serve.explain.engine_fault")]


def test_each_account_has_its_own_files_and_they_outlive_a_restart(tmp_path):
    with serving(maildir=str(tmp_path)) as live:
        ftp = login(live)
        ftp.storbinary("STOR incoming/mine.bin", io.BytesIO(BLOB))
        ftp.quit()
        other = login(live, "teacher", "teacher")
        assert other.nlst("incoming") == []             # the teacher's tree is another
        other.quit()
    stored = tmp_path / "ftp" / "student@example.test" / "incoming" / "mine.bin"
    assert stored.read_bytes() == BLOB
    with serving(maildir=str(tmp_path)) as live:          # the restart
        ftp = login(live)
        got = io.BytesIO()
        ftp.retrbinary("RETR incoming/mine.bin", got.write)
        ftp.quit()
    assert got.getvalue() == BLOB


def test_a_symbolic_link_in_the_folder_does_not_lead_outside_it(tmp_path):
    home = tmp_path / "ftp" / "student@example.test"
    home.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.txt").write_bytes(b"not for ftp")
    (home / "escape").symlink_to(outside)
    with serving(maildir=str(tmp_path)) as live:
        ftp = login(live)
        with pytest.raises(ftplib.error_perm, match="^550"):
            ftp.sendcmd("CWD escape")
        with pytest.raises(ftplib.error_perm, match="^550"):
            ftp.retrbinary("RETR escape/private.txt", lambda _: None)
        ftp.quit()


@pytest.mark.skipif(CURL is None, reason="curl is not installed (.ci/run installs it)")
@pytest.mark.parametrize("mode", [[], ["--ftp-port", "-"]], ids=["passive", "active"])
def test_curl_uploads_lists_and_downloads(live, tmp_path, mode):
    base = f"ftp://{USER}:{PASSWORD}@127.0.0.1:{live.settings['ftp']}/incoming/"
    upload = tmp_path / "up.bin"
    upload.write_bytes(BLOB)

    def curl(*args: str) -> bytes:
        return subprocess.run([CURL, "-sS", "--max-time", "30", *mode, *args],
                              capture_output=True, check=True).stdout
    curl("-T", str(upload), base)
    assert b"up.bin" in curl("--list-only", base)
    assert curl(base + "up.bin") == BLOB


def test_bad_passive_range_is_refused_in_both_languages(capsys):
    from simulator.cli import main
    for lang, words in (("en", "must be LOW-HIGH"), ("ru", "ожидает LOW-HIGH")):
        assert main(["serve", "--lang", lang, "--ftp-passive-ports", "60000-50000"]) == 2
        assert words in capsys.readouterr().err


@pytest.mark.parametrize("passive", [True, False], ids=["epsv", "eprt"])
def test_over_ipv6_ftplib_uses_epsv_or_eprt_and_pasv_is_refused_cleanly(passive):
    """Served on ::1, ftplib speaks RFC 2428 (EPSV, EPRT |2|…|) and moves every octet; a
    client that still sends PASV gets a 502, not a 227 with an IPv6 address cut in pieces."""
    with serving(host="::1") as live:
        ftp = ftplib.FTP()
        ftp.connect("::1", live.settings["ftp"], timeout=30)
        ftp.login(USER, PASSWORD)
        ftp.set_pasv(passive)
        ftp.storbinary("STOR incoming/v6.bin", io.BytesIO(BLOB))
        got = io.BytesIO()
        ftp.retrbinary("RETR incoming/v6.bin", got.write)
        assert got.getvalue() == BLOB
        with pytest.raises(ftplib.error_perm, match="^502 PASV"):
            ftp.sendcmd("PASV")
        ftp.quit()
