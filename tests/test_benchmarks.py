"""`make bench` keeps working: it prints the four ratios of issue 16 with their anchors.

The figures are printed, never asserted (they depend on the machine and its
load); this only checks that each comparison ran, or said clearly why not.
"""
import re
import subprocess
import sys

from benchmarks import smtp_source

COMPARISONS = ("1. SMTP MX", "2. IMAP", "3. simulated SMTP session",
               "4a. TracePlayer language switch", "4b. ProtocolConsole IMAP command")


def test_quick_benchmark_prints_every_ratio_next_to_its_anchor():
    run = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], capture_output=True,
                         text=True, timeout=900, check=False)
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    out = run.stdout
    blocks = re.split(r"\n(?=\S)", out)
    for name in COMPARISONS:
        block = next((b for b in blocks if b.startswith(name)), None)
        assert block is not None, f"{name!r} missing from:\n{out}"
        assert "skipped:" in block or ("anchor:" in block and "ratio:" in block), block
        assert "ERRORS" not in block, block
    assert "messages/s" in out and "steps/s" in out
    short = next(b for b in blocks if b.startswith("1. SMTP MX, mailsim serve: a connection"))
    if smtp_source.find():
        assert "smtp-source, 20 sessions" in short.splitlines()[0], short
    else:
        assert "smtp-source not installed: Python generator" in short, short


def test_an_unknown_section_is_refused_with_the_list_of_sections():
    run = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "smpt"],
                         check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "smpt" in run.stderr and "smtp, imap, session, widgets, engine" in run.stderr


def test_a_run_too_short_for_the_cpu_clock_is_reported_not_divided_by():
    """CI's quick run once measured 0 s of Dovecot CPU (20 processes under one 10 ms tick
    each) and the bench died of ZeroDivisionError; the row now says so instead."""
    from benchmarks import imap_load, report
    idle = imap_load.Run(rate=900.0, p50=1.0, p99=2.0, server_cpu=0.0, generator_cpu=0.1,
                         seconds=0.2, commands=160, errors=[])
    assert report.spread([report.divide(1.0, imap_load.cpu_per_command(idle))]) == \
        "not measurable (too little to count in this run)"
    assert "too little to measure CPU per command" in imap_load.describe([idle])
    assert report.spread([2.0, float("nan"), 4.0]) == "×3.00 (×2.00–×4.00 in 2 runs, " \
        "1 not measurable)"


def test_the_driver_harness_runs_short_sessions_through_the_served_connection():
    # Each session checks its own "250 … queued as" and 221; the figures are only printed.
    run = subprocess.run([sys.executable, "-m", "benchmarks.live_driver", "20"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    assert re.search(r"through LiveConnection: +\d+ µs CPU per session", run.stdout), run.stdout
    assert re.search(r"engine \+ trace only: +\d+ µs", run.stdout), run.stdout
