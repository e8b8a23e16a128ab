"""MailboxInspector driven from Python: account, folder, message; facts, source, MIME parts."""
from simulator.widgets import MailboxInspector


def test_opens_on_the_first_mailbox_with_mail_and_says_how_much_each_holds(run):
    inspector = MailboxInspector(run("basic").store, lang="en")
    assert inspector.account.value == "bob@b.test"              # alice got nothing
    assert inspector.folder.value == "INBOX" and "Привет, Bob!" in inspector.info.value
    assert ("alice@a.test (0)", "alice@a.test") in inspector.account.options
    assert ("bob@b.test (1)", "bob@b.test") in inspector.account.options


def test_opens_on_the_mailbox_it_is_asked_for(run):
    inspector = MailboxInspector(run("basic").store, lang="en", account="alice@a.test")
    assert inspector.account.value == "alice@a.test"
    assert "The folder is empty." in inspector.info.value


def test_shows_uid_flags_subject_source_and_parts_of_bobs_message(run):
    inspector = MailboxInspector(run("basic").store, lang="en")
    inspector.account.value = "bob@b.test"
    assert inspector.folder.options[0] == ("INBOX (1)", "INBOX")
    assert inspector.messages.options[0][0].startswith("UID 1 · — · ")
    assert "Привет, Bob!" in inspector.info.value and "UIDVALIDITY" in inspector.info.value
    assert "Return-Path: &lt;alice@a.test&gt;" in inspector.raw.value
    assert "Received: from" in inspector.raw.value
    assert "text/plain" in inspector.parts.value
    assert bytes(inspector.tree.value[:5]) == b"<?xml"


def test_bounce_shows_a_report_and_other_folders_are_empty(run):
    inspector = MailboxInspector(run("bounce").store, lang="ru")
    assert "multipart/report" in inspector.parts.value
    assert "message/delivery-status" in inspector.parts.value
    inspector.folder.value = "Sent"
    assert "В папке нет писем." in inspector.info.value
    assert inspector.tree.layout.display == "none"


def test_flags_are_listed_and_language_switches(run):
    store = run("retry").store
    message = store.account("bob@b.test").inbox.messages[0]
    message.flags.add("\\Seen")
    try:
        inspector = MailboxInspector(store, lang="ru")
        inspector.account.value = "bob@b.test"
        assert "\\Seen" in inspector.info.value and "Флаги" in inspector.info.value
        inspector.language.value = "en"
        assert "Flags" in inspector.info.value
        assert inspector.tabs.titles == ("Source", "MIME parts")
    finally:
        message.flags.discard("\\Seen")
