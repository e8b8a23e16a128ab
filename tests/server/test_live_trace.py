"""The live trace: bounded in memory, streamed to --trace FILE, and that file replays."""
import email.message
import email.policy
import imaplib
import json
import os
import poplib
import smtplib
import subprocess
import sys
import threading

from simulator.trace import Step, Trace
from simulator.widgets import TracePlayer

from .conftest import serving, unverified

LARGE = 2 << 20             # a 2 MiB message


def big_message(size: int) -> bytes:
    message = email.message.EmailMessage()
    message["From"], message["To"] = "student@example.test", "teacher@example.test"
    message["Subject"] = "big"
    message.set_content(("x" * 76 + "\n") * (size // 77))
    return message.as_bytes(policy=email.policy.SMTP)


def use_every_protocol(live) -> None:
    with smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=30) as smtp:
        smtp.starttls(context=unverified())
        smtp.login("student", "student")
        smtp.sendmail("student@example.test", ["teacher@example.test"],
                      b"Subject: live\r\n\r\nreplay me\r\n")
    pop = poplib.POP3("127.0.0.1", live.settings["pop3"], timeout=30)
    pop.user("teacher")
    pop.pass_("teacher")
    assert b"replay me" in b"\n".join(pop.retr(1)[1])
    pop.quit()
    imap = imaplib.IMAP4("127.0.0.1", live.settings["imap"], timeout=30)
    imap.login("teacher", "teacher")
    imap.select("INBOX")
    assert b"replay me" in imap.fetch("1", "(BODY.PEEK[])")[1][0][1]
    imap.logout()


def test_serve_trace_file_replays_in_the_cli_and_the_player(tmp_path):
    path = tmp_path / "live.jsonl"
    with serving(trace_path=str(path)) as live:
        use_every_protocol(live)
    in_memory = [s.to_dict() for s in live.trace]
    header = json.loads(path.read_text("utf-8").splitlines()[0])
    assert header["format"] == "mailsim-trace" and "steps" not in header
    replayed = Trace.load(str(path))
    assert [s.to_dict() for s in replayed] == in_memory
    assert {"SMTP", "POP3", "IMAP"} <= {s.protocol for s in replayed}
    player = TracePlayer(replayed, lang="en")
    player.show(len(replayed))                  # step numbers start at 1: the last one
    assert player.index == len(replayed) - 1
    out = subprocess.run([sys.executable, "-m", "simulator", "replay", str(path), "--all",
                          "--lang", "en"], check=False, capture_output=True, text=True,
                         env=dict(os.environ, COLUMNS="200"))
    assert out.returncode == 0, out.stderr
    for command in ("STARTTLS", "RETR 1", "LOGIN", "FETCH 1 (BODY.PEEK[])"):
        assert command in out.stdout


def test_refetching_a_large_message_keeps_the_trace_bounded(tmp_path):
    path = tmp_path / "live.jsonl"
    data = big_message(LARGE)
    with serving(trace_path=str(path)) as live:
        imap = imaplib.IMAP4("127.0.0.1", live.settings["imap"], timeout=60)
        imap.login("teacher", "teacher")
        imap.append("INBOX", None, None, data)
        imap.select("INBOX")
        for _ in range(20):
            assert imap.fetch("1", "(BODY.PEEK[])")[1][0][1] == data
        imap.logout()
        retained = live.call(lambda: live.trace.retained_bytes)
        fetches = live.call(lambda: [s for s in live.trace if s.direction == "s2c"
                                     and s.meta.get("raw_size", 0) > LARGE])
    # 20 fetches moved 40 MiB; the trace keeps a reference to each, not a copy.
    assert len(fetches) == 20
    assert all(len(s.raw) <= live.trace.raw_limit and len(s.meta["raw_sha256"]) == 64
               for s in fetches)
    assert len({s.meta["raw_sha256"] for s in fetches}) == 1     # the same bytes every time
    assert retained < LARGE
    assert path.stat().st_size < LARGE


def test_memory_keeps_the_newest_steps_and_the_file_keeps_them_all(tmp_path):
    path = tmp_path / "live.jsonl"
    with serving(trace_path=str(path),
                             trace_max_steps=40) as live:
        with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=30) as smtp:
            for _ in range(60):
                smtp.noop()
        # One look at the ring, on the server's loop (steps keep coming: QUIT, close).
        steps, dropped, snapshot = live.call(
            lambda: (list(live.trace), live.trace.dropped, live.trace.snapshot()))
    on_file = list(Trace.load(str(path)))
    kept = [s.index for s in steps]
    assert len(kept) <= 40 and dropped > 0
    assert [s.index for s in on_file] == list(range(len(on_file)))
    assert kept == list(range(dropped, dropped + len(kept)))      # the file's steps, in order
    assert [s.raw for s in steps] == [on_file[i].raw for i in kept]
    # A player on what is in memory: numbered from 0, the newest step last.
    player = TracePlayer(snapshot, lang="ru")
    player.show(len(snapshot))                   # "#N", numbered from 1
    assert player.index == len(kept) - 1
    assert snapshot[-1].raw == on_file[kept[-1]].raw


def test_the_trace_file_is_rotated_and_every_piece_replays(tmp_path):
    """A class-long --trace stays within (backups + 1) files of the limit, each one readable."""
    path = tmp_path / "live.jsonl"
    with serving(trace_path=str(path), trace_file_max_mb=0.01) as live:     # about 10 kB
        for _ in range(4):
            use_every_protocol(live)
        last = live.call(lambda: live.trace.steps[-1].index)
    pieces = [path] + [tmp_path / f"live.jsonl.{n}" for n in range(1, 5)]
    assert all(p.exists() for p in pieces) and not (tmp_path / "live.jsonl.5").exists()
    assert all(p.stat().st_size < 40_000 for p in pieces)
    traces = [Trace.load(str(p)) for p in reversed(pieces)]           # oldest first
    indexes = [s.index for trace in traces for s in trace]
    assert indexes == list(range(indexes[0], last + 1))               # no gap, no repeat
    assert all(trace.scenario == "classroom" for trace in traces)


def test_a_notebook_reading_the_trace_while_mail_flows_sees_whole_steps_in_order():
    """A notebook reads ``live.trace`` in its own thread while the server records steps
    (and forgets the oldest) in the server's: it sees Steps, numbered one after another."""
    with serving(trace_max_steps=60) as live:
        def talk() -> None:
            with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=30) as smtp:
                for _ in range(300):
                    smtp.noop()
        client = threading.Thread(target=talk)
        client.start()
        seen = []
        while client.is_alive() and len(seen) < 2000:      # bounded either way
            steps = list(live.trace)
            if not steps:
                continue                    # nothing recorded yet
            assert all(isinstance(s, Step) for s in steps)
            numbers = [s.index for s in steps]
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
            seen.extend(numbers[-1:])
        client.join(60)
    assert seen and seen == sorted(seen)


def test_a_served_connections_tcp_steps_name_its_client_service_and_port():
    """connect and close share their texts among connections, each step still names
    its own client and connection."""
    from benchmarks.live_driver import driver_sessions, run_served, served_world

    async def two_sessions():
        world = served_world()
        await driver_sessions(world, 2)
        return world.trace.steps
    steps = run_served(two_sessions)
    tcp = [s for s in steps if s.protocol == "TCP"]
    assert [s.explain for s in tcp] == ["serve.explain.connect", "net.close"] * 2
    assert [s.line for s in tcp] == ["connect smtp (25)", "close smtp (25)"] * 2
    assert all(s.params == {"port": 25} and s.meta == {"port": 25, "live": True}
               and s.dst == "mail.example.test" and s.direction == "internal" for s in tcp)
    smtp = [s for s in steps if s.protocol == "SMTP"]
    for first, second in (tcp[:2], tcp[2:]):
        assert first.conn == second.conn and first.src == second.src
        assert first.src == next(s.src for s in smtp if s.conn == first.conn
                                 and s.direction == "c2s")
    assert tcp[0].conn != tcp[2].conn and tcp[0].src != tcp[2].src
