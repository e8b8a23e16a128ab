"""Listening only on the given host, idle timeouts, --require-tls, the CLI's banner and ready."""
import os
import poplib
import signal
import smtplib
import socket
import time
from pathlib import Path

import pytest

from .conftest import serve_process, serving, unverified


def listening_ports(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state (from /proc/net/tcp)."""
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A":
                address, port = local.split(":")
                out.append((address, int(port, 16)))
    return out


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="needs Linux /proc/net/tcp")
def test_nothing_listens_but_on_the_given_host():
    with serving() as live:
        ours = set(live.settings.values())
        found = [(a, p) for a, p in listening_ports(os.getpid()) if p in ours]
        assert {p for _, p in found} == ours
        assert {a for a, _ in found} == {"0100007F"}     # 127.0.0.1, little-endian hex


def test_idle_client_is_disconnected_and_others_go_on():
    with serving(timeouts={"SMTP": 0.5}) as live:
        idle = socket.create_connection(("127.0.0.1", live.settings["smtp"]))
        assert idle.recv(100).startswith(b"220")
        with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=5) as other:
            assert other.noop()[0] == 250
        idle.settimeout(5)
        time.sleep(0.8)
        assert idle.recv(100) == b""                      # the server hung up
        assert any(s.explain == "serve.explain.timeout" for s in live.trace)


def test_a_client_that_keeps_talking_outlasts_the_idle_timeout():
    """The idle timeout counts from the start of each wait for a command (RFC 5321
    §4.5.3.2.7), not from the connection: one timer per connection is re-armed lazily."""
    with serving(timeouts={"SMTP": 2.0}) as live:
        with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=30) as client:
            until = time.monotonic() + 5.0              # more than twice the timeout
            while time.monotonic() < until:
                assert client.noop()[0] == 250
                time.sleep(0.2)
        assert not any(s.explain == "serve.explain.timeout" for s in live.trace)


def test_require_tls_refuses_auth_in_clear_text():
    with serving(require_tls=True) as live:
        assert "pop2" not in live.settings            # POP2 has no TLS at all
        with smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=5) as client:
            client.ehlo()
            code, _ = client.docmd("AUTH", "PLAIN AHN0dWRlbnQAc3R1ZGVudA==")
            assert code == 538
            client.starttls(context=unverified())
            client.login("student", "student")
        pop = poplib.POP3("127.0.0.1", live.settings["pop3"], timeout=5)
        assert "USER" not in pop.capa()                 # RFC 2449 §6.5
        with pytest.raises(poplib.error_proto, match="STLS first"):
            pop.user("student")
        pop.stls(context=unverified())
        pop.user("student")
        pop.pass_("student")
        pop.quit()


def test_domain_and_extra_users():
    with (serving(domain="school.test", users=[("ivan", "s3cret:x")]) as live,
          smtplib.SMTP_SSL("127.0.0.1", live.settings["smtps"], context=unverified()) as c):
        c.login("ivan@school.test", "s3cret:x")
        assert c.sendmail("ivan@school.test", ["student@school.test"], b"hi\r\n") == {}


def test_cli_prints_settings_then_ready_and_stops_on_sigterm(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    trace = tmp_path / "live.jsonl"
    lines: list[str] = []
    # Another offset if a port was taken between the look and the bind (a busy machine).
    proc, _ = serve_process("--trace", str(trace), env=env, banner=lines)
    assert any("outgoing, SMTP" in line for line in lines)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0


def test_over_the_connection_limit_the_client_is_told_to_come_back_later():
    with serving(max_connections=1) as live:
        first = smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=5)
        try:
            with socket.create_connection(("127.0.0.1", live.settings["pop3"]), 5) as second:
                assert second.makefile("rb").readline().startswith(b"-ERR [SYS/TEMP]")
        finally:
            first.quit()
