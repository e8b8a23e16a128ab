"""5. A class that lasts: 30 students for two simulated hours, the server's memory as it goes.

Issue 17 asks that a two-hour lesson with 30 clients polling every minute not
grow without bound.  Real hours would make ``make bench`` hours long, so
each simulated minute is one round run as fast as the server answers:

- 15 students keep an IMAP connection open, as Thunderbird does (STARTTLS,
  RFC 2595), and each minute ask NOOP and UID SEARCH UNSEEN and fetch the
  headers of what is new (RFC 9051 §6.4.4, §6.4.5);
- 15 students poll POP3 as Outlook does: a new connection each minute, STLS,
  USER/PASS, STAT and UIDL, RETR of what they have not seen, QUIT leaving a
  copy (RFC 1939, RFC 2595);
- every fifth minute (the 1st, 6th, …) each student sends a message to the next one through
  submission with STARTTLS and AUTH (RFC 6409, RFC 4954).

The server runs in class mode (``--students 30``) with ``--trace`` streaming
to a rotated file.  Its resident memory (VmRSS from /proc) is read after the
first minute (warm-up: certificates, engines, the first steps of the trace),
every twenty minutes and after the last.  The live trace keeps its newest 10,000 steps,
which a class fills in about twenty minutes, and the mailboxes grow by design
(about 12 messages per student an hour), so the growth per minute in the
second half is the figure to watch.
"""
from __future__ import annotations

import imaplib
import poplib
import smtplib
import ssl
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from simulator.server.roster import read_roster

from . import servers
from .report import Row

STUDENTS = 30
SEND_EVERY = 5                      # simulated minutes between a student's messages
READ_EVERY = 20                     # simulated minutes between readings of the server's RSS


def _context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def rss_kib(pid: int) -> int:
    """The resident set size of ``pid`` in KiB (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Student:
    """One student's mail client: IMAP kept open, or POP3 polled; sends now and then."""

    def __init__(self, login: str, password: str, neighbour: str, imap: bool, offset: int):
        self.login, self.password, self.neighbour = login, password, neighbour
        self.offset, self.uses_imap = offset, imap
        self.imap: imaplib.IMAP4 | None = None
        self.seen: set[bytes] = set()
        self.polls = self.sent = 0

    def minute(self, number: int) -> None:
        if number % SEND_EVERY == 1:
            self.send(number)
        self.poll_imap() if self.uses_imap else self.poll_pop3()
        self.polls += 1

    def send(self, number: int) -> None:
        with smtplib.SMTP("127.0.0.1", 587 + self.offset, timeout=60) as client:
            client.starttls(context=_context())
            client.login(self.login, self.password)
            body = f"Subject: minute {number}\r\n\r\nfrom {self.login}\r\n" + ("x" * 70 + "\r\n") * 28
            client.sendmail(f"{self.login}@example.test", [f"{self.neighbour}@example.test"],
                            body.encode())
        self.sent += 1

    def poll_imap(self) -> None:
        if self.imap is None:
            self.imap = imaplib.IMAP4("127.0.0.1", 143 + self.offset, timeout=60)
            self.imap.starttls(ssl_context=_context())
            self.imap.login(self.login, self.password)
            self.imap.select("INBOX")
        self.imap.noop()
        unseen = self.imap.uid("SEARCH", "UNSEEN")[1][0].split()
        if unseen:
            self.imap.uid("FETCH", b",".join(unseen).decode(),
                          "(FLAGS BODY[HEADER.FIELDS (FROM SUBJECT)])")

    def poll_pop3(self) -> None:
        pop = poplib.POP3("127.0.0.1", 110 + self.offset, timeout=60)
        try:
            pop.stls(_context())
            pop.user(self.login)
            pop.pass_(self.password)
            pop.stat()
            for entry in pop.uidl()[1]:
                number, uid = entry.split()
                if uid not in self.seen:
                    pop.retr(int(number))
                    self.seen.add(uid)
        finally:
            pop.quit()                  # leave a copy: nothing is deleted

    def close(self) -> None:
        if self.imap is not None:
            self.imap.logout()


def soak(minutes: int, offset: int) -> tuple[dict[int, int], list[Student], tuple[int, int]]:
    """Run the class for ``minutes``; (RSS in KiB after minute 1, every READ_EVERY minutes
    and the last, the students, (trace files, their bytes))."""
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        extra = ("--students", str(STUDENTS), "--passwords", str(work / "pw.csv"),
                 "--trace", str(work / "live.jsonl"), "--trace-max-mb", "8",
                 "--login-delay", "0")
        with servers.mailsim_serve(offset, extra) as proc:
            roster = read_roster(work / "pw.csv")
            students = [Student(s.login, s.password, roster[(i + 1) % STUDENTS].login,
                                i % 2 == 0, offset) for i, s in enumerate(roster)]
            rss = {}
            with ThreadPoolExecutor(STUDENTS) as pool:
                for number in range(1, minutes + 1):
                    list(pool.map(lambda s, n=number: s.minute(n), students))
                    if number == 1 or number % READ_EVERY == 0 or number == minutes:
                        rss[number] = rss_kib(proc.pid)
                for student in students:
                    student.close()
            files = sorted(work.glob("live.jsonl*"))
            trace = (len(files), sum(f.stat().st_size for f in files))
    return rss, students, trace


def rows(quick: bool, offset: int) -> list[Row]:
    minutes = 3 if quick else 120
    start = time.perf_counter()
    rss, students, (files, size) = soak(minutes, offset)
    wall = time.perf_counter() - start
    polls, sent = sum(s.polls for s in students), sum(s.sent for s in students)
    middle = max(1, minutes // 2)
    readings = ", ".join(f"{kib / 1024:,.1f} (minute {m})" for m, kib in sorted(rss.items()))
    half = rss[max(m for m in rss if m <= middle)]
    late = (rss[minutes] - half) / max(1, minutes - middle)   # once the trace's ring is full
    return [Row(f"5. soak: {STUDENTS} students (15 IMAP kept open, 15 POP3 polling) for "
                f"{minutes} simulated minutes, class mode, --trace rotated at 8 MB",
                f"server RSS in MiB: {readings}; {late:+,.0f} KiB per simulated minute in the "
                f"second half; {polls:,} polls, "
                f"{sent:,} messages; trace: {files} file(s), {size / 2**20:,.1f} MiB on disk; "
                f"{wall:,.0f} s on the clock")]
