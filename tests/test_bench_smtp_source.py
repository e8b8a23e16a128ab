"""`make bench`'s short-connection SMTP load comes from Postfix's smtp-source when installed.

The figures are never asserted; these check that smtp-source really sends
the load the row claims, that a refusal shows as the run's error rather than
as a fast run, and that each row says which generator sent its load.
"""
import pytest

from benchmarks import servers, smtp_mx, smtp_source

SOURCE = smtp_source.find()
needs_smtp_source = pytest.mark.skipif(
    SOURCE is None, reason="smtp-source not installed (apt-get install postfix; .ci/run does)")


@pytest.fixture(scope="module")
def serve():
    offset = servers.free_offset()
    with servers.mailsim_serve(offset) as proc:
        yield proc, offset


@needs_smtp_source
def test_smtp_source_delivers_every_message_and_the_server_cpu_is_counted(serve):
    proc, offset = serve
    # /proc counts CPU in clock ticks (10 ms): 400 messages take the server some 100 ms
    # (about 0.3 ms each), so a counted CPU time cannot round down to none.  With 24
    # messages it did, once the server had become fast enough (7 ms).
    shape = smtp_mx.Shape("smtp-short", "a connection per message", 5, 40, SOURCE)
    run = smtp_mx.one_run(shape, offset + 25, proc.pid, processes=2)
    assert run.errors == []
    assert run.messages == 2 * 5 * 40
    assert run.server_cpu > 0 and run.rate > 0


@needs_smtp_source
def test_a_refused_recipient_is_the_runs_error_not_a_fast_run(serve):
    _, offset = serve
    argv = smtp_source.command(SOURCE, offset + 25, 2, 4, "nobody@elsewhere.test")
    outcome = smtp_source.run(argv, 4, timeout=120)
    assert outcome.delivered == 0
    assert any("550" in error and "nobody@elsewhere.test" in error for error in outcome.errors)


def test_each_row_names_the_generator_that_sent_its_load():
    short, pipelined = smtp_mx.shapes(quick=True, source=None)
    assert short.generator(2).startswith("smtp-source not installed: Python generator")
    assert "smtp-source does not pipeline" in pipelined.generator(2)
    short, _ = smtp_mx.shapes(quick=True, source="/usr/sbin/smtp-source")
    assert "smtp-source, 20 sessions" in short.generator(2)
