"""The relay queue's spool: committed entries come back after a crash, half-written ones do not."""
from simulator.mail.spool import Spool

ENVELOPE = {"queue_id": "Q1", "mail_from": "<a@a.test>", "rcpts": ["<b@b.test>"],
            "target": "b.test", "attempts": 0, "last_error": "", "last_status": "4.4.1",
            "last_reply": ""}


def test_an_entry_survives_updates_and_goes_when_removed(tmp_path):
    spool = Spool(tmp_path)
    name = spool.new_name("Q1")
    spool.save(name, ENVELOPE, b"Subject: x\r\n\r\nbody\r\n")
    spool.save(name, {**ENVELOPE, "attempts": 2}, None)        # a retry: envelope only
    [(loaded, envelope, content)] = Spool(tmp_path).load()     # as a restart reads it
    assert (loaded, envelope["attempts"], content) == (name, 2, b"Subject: x\r\n\r\nbody\r\n")
    spool.remove(name)
    assert Spool(tmp_path).load() == [] and len(spool) == 0


def test_a_message_without_its_envelope_was_never_accepted(tmp_path):
    spool = Spool(tmp_path)
    (tmp_path / "Q2.1.eml").write_bytes(b"half written")      # crash before the commit
    (tmp_path / "tmp" / "Q3.1.json").write_text("{")
    assert spool.load() == []
    assert list(tmp_path.glob("*.eml")) == [] and list((tmp_path / "tmp").iterdir()) == []
