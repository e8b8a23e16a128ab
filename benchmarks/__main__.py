"""Measure mailsim and print figures with ratios against anchors run in the same run.

Wall-clock numbers vary between machines and with the machine's load; the
ratios against an anchor measured alternately in the same run are what to
compare across runs.  Nothing here is asserted: tests check behaviour, this
measures.  The four ratios of issue 16 come first, then the soak of issue 17:

1. ``mailsim serve``'s MX against aiosmtpd (short and pipelined connections);
2. ``mailsim serve``'s IMAP against Dovecot at 200 clients (p99 latency);
3. a simulated SMTP session against a real smtplib → aiosmtpd one;
4. the widgets: a language switch and a console command;
5. a class of 30 students for two simulated hours: the server's memory as it goes.

    make bench            # or: python -m benchmarks [--quick] [--only smtp,imap]
"""
from __future__ import annotations

import argparse
import sys
import time

from . import engine, imap_load, session, smtp_mx, soak, widgets
from .report import Row, machine_load
from .servers import free_offset

SECTIONS = ("smtp", "imap", "session", "widgets", "engine", "soak")


def section_rows(name: str, quick: bool, repeat: int) -> list[Row]:
    if name == "smtp":
        return smtp_mx.rows(quick, repeat, free_offset())
    if name == "imap":
        return imap_load.rows(quick, repeat, free_offset())
    if name == "session":
        return session.rows(quick, repeat, free_offset())
    if name == "widgets":
        return widgets.rows(quick)
    if name == "soak":
        return soak.rows(quick, free_offset())
    return engine.rows(quick)


def print_row(row: Row) -> None:
    print(row.what)
    print(f"    mailsim: {row.figure}")
    if row.anchor:
        print(f"    anchor:  {row.anchor}")
    if row.ratio:
        print(f"    ratio:   {row.ratio}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small loads and one run each (seconds, not minutes)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections among {', '.join(SECTIONS)}")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of each comparison (default 3, 1 with --quick; a full "
                             "run of the SMTP and IMAP servers takes at least 5)")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose among {', '.join(SECTIONS)}")
    repeat = args.repeat or (1 if args.quick else 3)
    least = min(smtp_mx.MIN_RUNS, imap_load.MIN_RUNS)
    servers_note = "" if args.quick else f", at least {least} for the SMTP and IMAP servers"
    print(f"mailsim benchmarks ({'quick' if args.quick else 'full'}, {repeat} run(s) per "
          f"comparison{servers_note}); at the start: {machine_load()}", flush=True)
    start = time.perf_counter()
    for name in chosen:
        print(f"[{name}]", file=sys.stderr, flush=True)
        for row in section_rows(name, args.quick, repeat):
            print_row(row)
        sys.stdout.flush()
    print(f"done in {time.perf_counter() - start:.0f} s; at the end: {machine_load()}")


if __name__ == "__main__":
    main()
