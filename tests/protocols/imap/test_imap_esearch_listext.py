"""ESEARCH (RFC 4731), SEARCHRES (RFC 5182), LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819)."""
from __future__ import annotations

import pytest
from imap_kit import World, lines, say


@pytest.fixture
def inbox():
    world = World(messages=6)
    server = world.session(select="INBOX")
    say(server, "P1 STORE 2,4,5 +FLAGS (\\Seen)")
    return server


def test_rfc4731_min_max_count_in_one_esearch_line(inbox):
    out = lines(say(inbox, "A282 SEARCH RETURN (MIN COUNT) UNSEEN"))
    assert out == ['* ESEARCH (TAG "A282") MIN 1 COUNT 3', "A282 OK SEARCH completed"]
    out = lines(say(inbox, "A283 UID SEARCH RETURN (MAX ALL) SEEN"))
    assert out[0] == '* ESEARCH (TAG "A283") UID MAX 5 ALL 2,4:5'


def test_empty_return_means_all_and_nothing_found_leaves_out_min_max_all(inbox):
    assert lines(say(inbox, "A1 SEARCH RETURN () ALL"))[0] == '* ESEARCH (TAG "A1") ALL 1:6'
    assert lines(say(inbox, "A2 SEARCH RETURN (MIN MAX ALL) 1000"))[0] == '* ESEARCH (TAG "A2")'
    assert lines(say(inbox, "A3 UID SEARCH RETURN (COUNT) 1000"))[0] == '* ESEARCH (TAG "A3") UID COUNT 0'


def test_unknown_return_option_is_bad_and_rev1_search_stays_plain(inbox):
    assert lines(say(inbox, "A1 SEARCH RETURN (PARTIAL) ALL"))[0].startswith("A1 BAD")
    assert lines(say(inbox, "A2 SEARCH SEEN"))[0] == "* SEARCH 2 4 5"


def test_saved_result_is_used_by_dollar_and_save_alone_says_nothing(inbox):
    assert lines(say(inbox, "A1 SEARCH RETURN (SAVE) SEEN")) == ["A1 OK SEARCH completed"]
    assert lines(say(inbox, "A2 FETCH $ (UID)"))[:3] == ["* 2 FETCH (UID 2)", "* 4 FETCH (UID 4)",
                                                         "* 5 FETCH (UID 5)"]
    assert lines(say(inbox, "A3 SEARCH RETURN (SAVE MIN) SEEN")) == [
        '* ESEARCH (TAG "A3") MIN 2', "A3 OK SEARCH completed"]
    assert lines(say(inbox, "A4 UID SEARCH UID $"))[0] == "* SEARCH 2"      # MIN only (RFC 5182 §2.4)
    say(inbox, "A5 SEARCH RETURN (SAVE) FROB")
    assert lines(say(inbox, "A6 SEARCH $"))[0] == "* SEARCH"                # a failed SAVE empties $


def test_dollar_waits_for_the_search_that_saves_it():
    world = World(messages=3, concurrent=True)
    server = world.session(select="INBOX")
    say(server, b"A1 SEARCH RETURN (SAVE) 2\r\nA2 UID FETCH $ (FLAGS)\r\n")
    waiting = {p.tag: p.after for p in server.pending()}
    assert waiting["A2"] == ("A1",)


@pytest.fixture
def tree():
    """RFC 5258 §5 example 3 shape: subscribed, deleted-but-subscribed, nested names."""
    server = World().session(login=True)
    for line in ("C1 CREATE Fruit/Apple", "C2 CREATE Fruit/Banana", "C3 CREATE Tofu",
                 "C4 CREATE Vegetable/Broccoli", "C5 CREATE Vegetable/Corn",
                 "S1 SUBSCRIBE Fruit/Banana", "S2 SUBSCRIBE Tofu", "S3 SUBSCRIBE Vegetable",
                 "S4 SUBSCRIBE Vegetable/Broccoli", "D1 DELETE Tofu"):
        assert " OK " in say(server, line)
    return server


def test_subscribed_selection_shows_deleted_names_as_nonexistent(tree):
    out = lines(say(tree, 'A02 LIST (SUBSCRIBED) "" "*"'))
    assert '* LIST (\\NonExistent \\Subscribed) "/" Tofu' in out
    assert '* LIST (\\Subscribed) "/" Fruit/Banana' in out
    assert not any("Fruit/Apple" in x for x in out)


def test_recursivematch_reports_parents_with_childinfo(tree):
    out = lines(say(tree, 'A04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)'))
    assert '* LIST (\\HasChildren) "/" Fruit ("CHILDINFO" ("SUBSCRIBED"))' in out
    assert '* LIST (\\HasChildren \\Subscribed) "/" Vegetable ("CHILDINFO" ("SUBSCRIBED"))' in out
    assert lines(say(tree, 'A05 LIST (RECURSIVEMATCH) "" "%"'))[0].startswith("A05 BAD")
    assert lines(say(tree, 'A06 LIST (RECURSIVEMATCH REMOTE) "" "%"'))[0].startswith("A06 BAD")


def test_several_patterns_and_return_subscribed(tree):
    out = lines(say(tree, 'A1 LIST "" ("Fruit/%" "Tofu") RETURN (SUBSCRIBED)'))
    assert out == ['* LIST (\\HasNoChildren) "/" Fruit/Apple',
                   '* LIST (\\HasNoChildren \\Subscribed) "/" Fruit/Banana', "A1 OK LIST completed"]
    assert lines(say(tree, 'A2 LIST "" "" RETURN (FROB)'))[0].startswith("A2 BAD")


def test_list_status_follows_each_selectable_mailbox():
    world = World(messages=2)
    server = world.session(login=True)
    out = lines(say(server, 'A1 LIST "" "INBOX" RETURN (STATUS (MESSAGES UNSEEN))'))
    assert out == ['* LIST (\\HasNoChildren) "/" INBOX', "* STATUS INBOX (MESSAGES 2 UNSEEN 2)",
                   "A1 OK LIST completed"]
    caps = say(server, "A2 CAPABILITY")
    assert all(c in caps for c in ("ESEARCH", "SEARCHRES", "LIST-EXTENDED", "LIST-STATUS"))
