"""kill -9 during a load of 200 messages with --maildir: every message that got 250 survives, once."""
import collections
import mailbox
import os
import re
import signal
import smtplib
import threading

from .conftest import serve_process

TOTAL = 200


def start(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"))
    return serve_process("--maildir", str(tmp_path / "mail"), env=env)


def send_until_killed(port: int, proc, acked: list[int]) -> None:
    """Send message i in its own transaction; record i when the 250 after DATA came back."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            for i in range(TOTAL):
                client.sendmail("x@outside.test", ["teacher@example.test"],
                                f"Subject: load {i}\r\n\r\nmessage {i}\r\n".encode())
                acked.append(i)
                if i == TOTAL // 2:
                    threading.Thread(target=proc.send_signal, args=(signal.SIGKILL,)).start()
    except (smtplib.SMTPException, OSError):
        pass


def test_kill_9_loses_no_acknowledged_message(tmp_path):
    proc, offset = start(tmp_path)
    acked: list[int] = []
    send_until_killed(25 + offset, proc, acked)
    proc.wait(60)                           # bounds for a loaded machine
    assert TOTAL // 2 <= len(acked) < TOTAL
    proc, _ = start(tmp_path)               # the restart reads the Maildir back
    proc.send_signal(signal.SIGTERM)
    proc.wait(120)
    box = mailbox.Maildir(tmp_path / "mail" / "teacher@example.test", create=False)
    subjects = collections.Counter(
        int(re.search(rb"Subject: load (\d+)", box.get_bytes(key)).group(1))
        for key in box.iterkeys())
    assert all(subjects[i] == 1 for i in acked)
    assert max(subjects.values()) == 1
    uids = (tmp_path / "mail" / "teacher@example.test" / "mailsim-uidlist").read_text()
    assert len(uids.splitlines()) - 1 == len(subjects)
