"""A store that fails after the 250: the message is retried or bounced, never dropped (RFC 5321 §6.1)."""
import smtplib
import threading

from .conftest import serving

SENDER, RCPT = "teacher@example.test", "student@example.test"


def _failing_store(live, failures: int | None):
    """Make the store refuse the student's mail ``failures`` times (None: always), as a full disk."""
    net = live.world.net
    store, real = net.store, net.store.deliver
    left = [failures]

    def deliver(address, data, internal_date=None):
        if address.lower() == RCPT and (left[0] is None or left[0] > 0):
            if left[0] is not None:
                left[0] -= 1
            raise OSError(28, "No space left on device")
        return real(address, data, internal_date)

    def install():
        store.deliver = deliver
        net.retry_schedule = (0.05, 0.05)      # seconds, so that the test need not wait minutes
    live.call(install)


def _copies(live, address: str, needle: bytes) -> int:
    def count():
        inbox = live.world.net.store.account(address).inbox
        return sum(needle in m.data for m in inbox.messages)
    return live.call(count)


def _wait_for(live, address: str, needle: bytes) -> int:
    """Bounded wait for a copy of ``needle`` in ``address``'s INBOX (the retries run on timers)."""
    for _ in range(400):
        if found := _copies(live, address, needle):
            return found
        threading.Event().wait(0.025)
    return 0


def _send(live, message_id: bytes) -> None:
    data = b"Subject: disk full\r\nMessage-ID: " + message_id + b"\r\n\r\nhello\r\n"
    with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=10) as client:
        assert client.sendmail(SENDER, [RCPT], data) == {}        # 250 after DATA


def test_a_store_error_after_the_250_is_retried_and_the_message_arrives_once():
    with serving() as live:
        _failing_store(live, failures=1)
        _send(live, b"<retry@fuzz.test>")
        assert _wait_for(live, RCPT, b"<retry@fuzz.test>") == 1
        assert _copies(live, SENDER, b"<retry@fuzz.test>") == 0      # no bounce


def test_a_store_that_keeps_failing_bounces_the_message_to_its_sender():
    with serving() as live:
        _failing_store(live, failures=None)
        _send(live, b"<bounced@fuzz.test>")
        assert _wait_for(live, SENDER, b"<bounced@fuzz.test>") == 1  # the DSN quotes it
        assert _copies(live, RCPT, b"<bounced@fuzz.test>") == 0
        dsn = live.call(lambda: live.world.net.store.account(SENDER).inbox.messages[-1].data)
        assert b"multipart/report" in dsn and b"No space left on device" in dsn
