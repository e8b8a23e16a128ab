"""Lab 16's steps, checked per student over the live trace of a real lesson (issue 17).

``exercises/lab16/classroom.yaml``'s live tasks are computed from the
``--trace`` file of ``mailsim serve --students 10`` that real stdlib clients
used (:mod:`.classroom_run`): the grade CSV of ``mailsim quiz grade --trace``
is what each student did, every mistake is some student's last error, and
one made before any login, from an address nobody logged in from, has a row
of its own.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
from html import escape

import pytest

from simulator.cli import main
from simulator.locale import explain
from simulator.quiz import load_bank
from simulator.quiz.live import ClassProgress, class_roster, grade_trace
from simulator.server.roster import read_roster
from simulator.server.trace_file import TraceFollower
from simulator.widgets import TeacherDashboard

from .classroom_run import BANK, EXPECTED, STRANGER, run_lesson, send
from .conftest import serving
from .test_clients import wait_for


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    return run_lesson(tmp_path_factory.mktemp("lesson"))


def expected_csv() -> str:
    bank = load_bank(BANK)
    rows = [["student", *bank.ids, "total"]]
    for login, (points, _error) in EXPECTED.items():
        rows.append([f"{login}@example.test", *map(str, points), str(sum(points))])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_the_grade_csv_of_the_trace_is_what_each_student_did(lesson, tmp_path, capsys):
    out = tmp_path / "grades.csv"
    assert main(["quiz", "grade", str(BANK), "--trace", str(lesson.trace), "--class",
                 str(lesson.passwords), "--csv", str(out), "--lang", "en"]) == 0
    assert out.read_text("utf-8") == expected_csv()
    assert "Graded 10 students from" in capsys.readouterr().out


def test_each_mistake_is_the_last_error_of_the_student_who_made_it(lesson):
    progress = grade_trace(load_bank(BANK), lesson.trace,
                           class_roster(read_roster(lesson.passwords), "example.test"))
    errors = {row.login: row.error.meta["diagnosis"] if row.error else None
              for row in progress.students()}
    assert errors == {login: error for login, (_points, error) in EXPECTED.items()}
    strangers = {row.key: row.error.meta["diagnosis"] for row in progress.strangers()}
    assert strangers == {STRANGER: "unknown_user"}


def test_the_memory_trace_and_a_small_window_give_the_same_grades(lesson):
    """Checked before old steps leave a student's window, nothing done is forgotten."""
    bank = load_bank(BANK)
    roster = class_roster(read_roster(lesson.passwords), "example.test")
    small = ClassProgress(bank, roster, max_steps=40, max_bytes=4096)
    small.feed(lesson.steps)
    assert small.csv() == expected_csv()
    assert max(len(row.window) for row in small.students()) <= 40


def test_a_follower_reads_a_rotated_file_and_waits_for_a_line_being_written(tmp_path):
    path = tmp_path / "live.jsonl"
    header = json.dumps({"format": "mailsim-trace", "version": 2})

    def step(n: int) -> str:
        return json.dumps({"index": n, "time": n, "conn": "c1", "src": "a:1", "dst": "b",
                           "protocol": "SMTP", "direction": "c2s", "raw": "NOOP\r\n",
                           "line": "NOOP"})
    path.write_text(f"{header}\n{step(0)}\n{step(1)}\n{step(2)}"[:-5])   # 2 being written
    follower = TraceFollower(str(path))
    assert [s.index for s in follower.read()] == [0, 1]
    with open(path, "a") as handle:
        handle.write(step(2)[-5:] + "\n" + step(3) + "\n")
    path.rename(tmp_path / "live.jsonl.1")                                  # rotation
    path.write_text(f"{header}\n{step(4)}\nnot json\n")
    assert [s.index for s in follower.read()] == [2, 3, 4]
    assert follower.read() == [] and follower.skipped == 1
    assert [s.index for s in TraceFollower(str(path)).read()] == [0, 1, 2, 3, 4]


def test_a_restart_keeps_the_last_run_and_a_follower_reads_only_the_new_one(tmp_path):
    from simulator.server.live_trace import LiveTrace
    from simulator.server.trace_file import TraceFile
    path = tmp_path / "live.jsonl"

    def run(lines: list[str]) -> None:
        trace = LiveTrace(scenario="classroom")
        writer = TraceFile(str(path), trace)
        for line in lines:
            trace.add(time=0.0, conn="c1", src="a:1", dst="b", protocol="SMTP",
                      direction="c2s", raw=line.encode() + b"\r\n", line=line)
        writer.close()
    run(["EHLO first", "QUIT"])
    run(["EHLO second"])
    assert "\"line\": \"EHLO first\"" in (tmp_path / "live.jsonl.1").read_text()
    assert [s.line for s in TraceFollower(str(path)).read()] == ["EHLO second"]


# -- the teacher's dashboard -----------------------------------------------------------------

def _rows(html: str) -> dict[str, str]:
    """The dashboard table's rows by their student (or client address)."""
    parts = html.split("<tr data-student='")[1:]
    return {part.split("'", 1)[0]: part for part in parts}


def test_the_dashboard_shows_what_each_student_did_and_exports_the_same_csv(lesson, tmp_path):
    roster = class_roster(read_roster(lesson.passwords), "example.test")
    dashboard = TeacherDashboard(lesson.trace, BANK, roster, lang="en", export_dir=tmp_path)
    rows = _rows(dashboard.table.value)
    for login, (points, _error) in EXPECTED.items():
        row = rows[f"{login}@example.test"]
        assert row.count("step done") == sum(points), login
        assert f"<td>{sum(points)}/6</td>" in row
    assert "1 student has done every step (of 10)" in dashboard.status.value
    dashboard.export.click()
    written = list(tmp_path.glob("grades-lab16-classroom-*.csv"))
    assert len(written) == 1 and written[0].read_text("utf-8") == expected_csv()
    assert "base64," in dashboard.download.value
    dashboard.export_dir = tmp_path / "no such folder"      # a folder it cannot write to
    assert dashboard.export_csv() is None
    assert "Could not write" in dashboard.download.value and "base64," in dashboard.download.value


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_each_mistake_shows_on_the_dashboard_with_its_explanation(lesson, lang):
    roster = class_roster(read_roster(lesson.passwords), "example.test")
    dashboard = TeacherDashboard(lesson.trace, BANK, roster, lang=lang)
    rows = _rows(dashboard.table.value)
    shown = 0
    for row in dashboard.progress.rows.values():
        if row.error is None:
            continue
        text = explain(row.error.explain, row.error.params, lang)
        assert escape(text) in rows[row.key] and "{" not in text
        assert f"data-diagnosis='{row.error.meta['diagnosis']}'" in rows[row.key]
        shown += 1
    assert shown == 9             # students 03 … 10 and the stranger: one row each
    assert {key for key, _ in lesson.diagnoses} <= {
        r.error.meta["diagnosis"] for r in dashboard.progress.rows.values() if r.error}
    assert STRANGER in dashboard.table.value


def test_the_dashboard_follows_a_running_server(tmp_path):
    """Steps appear on the next refresh while the server runs; before, a waiting message."""
    trace = tmp_path / "live.jsonl"
    with serving(students=2, passwords_path=str(tmp_path / "pw.csv"), trace_path=str(trace),
                 login_delay=0.0) as live:
        students = read_roster(tmp_path / "pw.csv")
        roster = class_roster(students, "example.test")
        dashboard = TeacherDashboard(tmp_path / "not-yet.jsonl", BANK, roster, lang="en")
        assert "Waiting for the trace file" in dashboard.status.value
        dashboard = TeacherDashboard(trace, BANK, roster, lang="en")
        assert _rows(dashboard.table.value)["student01@example.test"].count("step done") == 0
        send(live, "127.0.0.1", students[0], "student01")
        assert wait_for(lambda: (dashboard.refresh() or True) and _rows(
            dashboard.table.value)["student01@example.test"].count("step done") == 1,
            seconds=30)


def test_the_dashboard_refreshes_on_the_event_loops_timer(lesson):
    """No thread and no blocking loop: a callback of the kernel's loop, again and again."""
    dashboard = TeacherDashboard(lesson.trace, BANK, lang="en", interval=0.01)
    refreshed = []
    dashboard.refresh = lambda: refreshed.append(1)

    async def run() -> None:
        dashboard.start()
        for _ in range(500):                  # bounded: at most 500 turns of the loop
            if len(refreshed) >= 3:
                break
            await asyncio.sleep(0.01)
        dashboard.stop()
    asyncio.run(run())
    assert len(refreshed) >= 3 and dashboard._timer is None
