"""The mailbox hub wakes the other sessions on a mailbox when it changes (RFC 2177 IDLE)."""
from simulator.protocols.imap.hub import MailboxHub


class Session:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self) -> bool:
        self.woken += 1
        return True


def test_a_change_wakes_the_sessions_on_that_mailbox_but_not_the_one_that_made_it():
    hub, one, two, other = MailboxHub(), Session(), Session(), Session()
    assert not hub.watched                      # mail arriving now wakes nobody
    hub.subscribe("bob@b.test/INBOX", one)
    hub.subscribe("bob@b.test/INBOX", two)
    hub.subscribe("bob@b.test/Junk", other)
    assert hub.watched
    assert hub.notify("bob@b.test/INBOX", origin=one) == [two]
    assert (one.woken, two.woken, other.woken) == (0, 1, 0)


def test_a_session_that_leaves_its_mailbox_is_not_woken_and_the_hub_forgets_it():
    hub, one = MailboxHub(), Session()
    hub.subscribe("bob@b.test/INBOX", one)
    hub.unsubscribe("bob@b.test/INBOX", one)
    hub.unsubscribe("bob@b.test/INBOX", one)   # twice (CLOSE, then LOGOUT) is harmless
    assert not hub.watched
    assert hub.notify("bob@b.test/INBOX") == [] and one.woken == 0
    hub.subscribe("bob@b.test/INBOX", one)      # selected again: woken again
    assert hub.notify("bob@b.test/INBOX") == [one]
