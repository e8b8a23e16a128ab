"""kill -9 with messages waiting in the relay queue (--maildir): each is relayed or bounced once.

The first run accepts mail for two domains whose exchangers cannot be
reached, so every message waits in the relay queue (RFC 5321 §4.5.4.1);
the server is then killed with SIGKILL.  Before the restart the teacher
"repairs the network": late.test gets its exchanger, gone.test says by a
null MX (RFC 7505) that it takes no mail.  The restarted server must relay
every late.test message once and bounce every gone.test message once, and
leave nothing in the queue.
"""
from __future__ import annotations

import email
import email.policy
import mailbox
import os
import re
import signal
import smtplib
import subprocess
import time
from collections import Counter
from importlib import resources
from pathlib import Path

from simulator.mail.spool import Spool

from .conftest import serve_process, unverified

LATE, GONE = 5, 3
EXTRA_ZONES = """
  late.test: |
    $TTL 3600
    @     IN SOA ns.late.test. hostmaster.late.test. 1 3600 600 86400 300
    @     IN NS  ns.late.test.
    @     IN MX  10 mx.late.test.
    ns    IN A   203.0.113.2
    mx    IN A   203.0.113.20
  gone.test: |
    $TTL 3600
    @     IN SOA ns.gone.test. hostmaster.gone.test. 1 3600 600 86400 300
    @     IN NS  ns.gone.test.
    @     IN MX  {gone_mx}
    ns    IN A   203.0.113.3
    mx    IN A   203.0.113.30
"""
LATE_HOST = """
  - name: mx.late.test
    roles: [mta, mda]
    domains: [late.test]
"""


def scenario(path: Path, repaired: bool) -> Path:
    """The classroom plus late.test and gone.test: unreachable, or (repaired) as said above."""
    text = resources.files("simulator.scenarios").joinpath("classroom.yaml").read_text("utf-8")
    zones = EXTRA_ZONES.format(gone_mx="0 ." if repaired else "10 mx.gone.test.")
    text = text.replace("\nhosts:\n", zones + "\nhosts:\n" + (LATE_HOST if repaired else ""))
    text = text.replace("\nusers:\n", "\nusers:\n  - {address: bob@late.test, password: bob}\n")
    text += "\noptions:\n  retry_schedule: [3600, 3600]\n"
    path.write_text(text, encoding="utf-8")
    return path


def start(tmp_path: Path, scenario_file: Path) -> tuple[subprocess.Popen, int]:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"))
    return serve_process(str(scenario_file), "--maildir", str(tmp_path / "mail"), env=env)


def subjects(folder: Path) -> Counter:
    if not folder.exists():
        return Counter()
    box = mailbox.Maildir(folder, create=False)
    found = Counter()
    for key in box.keys():          # noqa: SIM118 - Maildir is not a dict
        message = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        found.update(re.findall(r"(?:late|gone) \d", message.as_string()))
    return found


def test_kill_9_then_restart_relays_or_bounces_each_queued_message_once(tmp_path):
    proc, offset = start(tmp_path, scenario(tmp_path / "class.yaml", repaired=False))
    try:
        with smtplib.SMTP("127.0.0.1", 587 + offset, timeout=30) as client:
            client.starttls(context=unverified())
            client.login("student", "student")
            for i in range(LATE):
                assert client.sendmail("student@example.test", ["bob@late.test"],
                                       f"Subject: late {i}\r\n\r\nlate {i}\r\n".encode()) == {}
            for i in range(GONE):
                assert client.sendmail("student@example.test", ["x@gone.test"],
                                       f"Subject: gone {i}\r\n\r\ngone {i}\r\n".encode()) == {}
        spool = Spool(tmp_path / "mail" / "mailsim-queue")
        assert len(spool) == LATE + GONE        # on disk before each 250 (RFC 5321 §6.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    # The restart may take other ports: nothing connects to it, it only empties the queue.
    proc, _ = start(tmp_path, scenario(tmp_path / "class.yaml", repaired=True))
    try:
        bob, student = tmp_path / "mail" / "bob@late.test", tmp_path / "mail" / \
            "student@example.test"
        deadline = time.monotonic() + 120          # a bound for a loaded machine
        while time.monotonic() < deadline and (len(spool) or
                                               sum(subjects(student).values()) < GONE):
            assert proc.poll() is None, f"the restarted server exited ({proc.returncode})"
            time.sleep(0.1)                       # polling another process's disk
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(120)                            # a bound for a loaded machine
    assert len(spool) == 0
    assert subjects(bob) == Counter({f"late {i}": 2 for i in range(LATE)})   # Subject + body
    bounces = subjects(student)
    assert sorted(bounces) == [f"gone {i}" for i in range(GONE)]
    assert len(mailbox.Maildir(student, create=False)) == GONE                 # once each
