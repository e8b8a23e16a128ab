"""The server-side view folded from trace steps: MTA queues, mailboxes, POP3 marks."""
from simulator.trace import Trace
from simulator.widgets.server_view import server_views


def test_retry_keeps_the_message_queued_as_deferred_until_relayed(run):
    trace = run("retry").trace
    views = server_views(trace)
    deferred = next(s.index for s in trace if s.explain == "mta.deferred")
    (item,) = views[deferred].queues["mail.a.test"]
    assert item.status == "ui.server.deferred" and dict(item.params)["attempt"] == 1
    assert views[-1].queues["mail.a.test"] == ()
    assert views[-1].mailboxes == {"bob@b.test/INBOX": 1}


def test_bounce_replaces_the_original_by_the_dsn_then_delivers_it(run):
    trace = run("bounce").trace
    views = server_views(trace)
    bounce = next(s for s in trace if s.explain == "mta.bounce")
    (item,) = views[bounce.index].queues["mail.a.test"]
    assert item.queue_id == bounce.params["queue_id"] and item.status == "ui.server.bounce"
    assert views[-1].mailboxes == {"alice@a.test/INBOX": 1}


def test_views_before_anything_happened_are_empty(run):
    assert server_views(run("basic").trace)[0].is_empty()


def _pop3(trace, conn, direction, line, explain, **params):
    src, dst = ("pc", "mx") if direction == "c2s" else ("mx", "pc")
    trace.add(time=0.0, conn=conn, src=src, dst=dst, protocol="POP3", direction=direction,
              raw=line.encode() + b"\r\n", line=line, explain=explain, params=params)


def test_pop3_marks_deleted_then_update_removes(run):
    trace = Trace(scenario="pop3-sketch")
    trace.add(time=0.0, conn=None, src="mx", dst="mx", protocol="MDA", direction="internal",
              raw=b"", line="deliver", explain="mda.deliver",
              params={"address": "bob@b.test", "folder": "INBOX", "queue_id": "Q", "uid": 1})
    trace.extend([trace[0]])
    _pop3(trace, "c1", "s2c", "+OK bob's maildrop has 2 messages", "pop3.reply.login_ok",
          user="bob", count=2, octets=10)
    _pop3(trace, "c1", "s2c", "+OK message 1 deleted", "pop3.reply.dele", number=1)
    _pop3(trace, "c1", "s2c", "+OK maildrop has 2 messages", "pop3.reply.rset", count=2)
    _pop3(trace, "c1", "s2c", "+OK message 2 deleted", "pop3.reply.dele", number=2)
    _pop3(trace, "c1", "s2c", "+OK bye (1 message left)", "pop3.reply.quit_update", left=1)
    views = server_views(trace)
    assert views[3].pop3["c1"].deleted == (1,) and views[4].pop3["c1"].deleted == ()
    assert views[5].pop3["c1"].deleted == (2,) and views[5].mailboxes["bob@b.test/INBOX"] == 2
    assert views[6].pop3["c1"].closed and views[6].mailboxes["bob@b.test/INBOX"] == 1
