"""TracePlayer driven from Python: buttons, slider, Play, filters, language, pictures."""
import re

import pytest

from simulator.widgets import TracePlayer
from simulator.widgets.player import ALL


def _current(player):
    """The trace index of the row the transcript marks as current."""
    found = re.findall(r'data-index="(\d+)" data-current="true"', player.transcript.value)
    assert len(found) == 1
    return int(found[0])


@pytest.fixture()
def player(run):
    return TracePlayer(run("basic").trace, lang="en")


def test_starts_at_the_first_step_with_it_highlighted(player):
    assert player.index == 0 and _current(player) == 0
    assert "step 1 of 46" in player.position.value


def test_one_numbering_in_rows_counter_heading_and_show(player):
    """#14 is the 14th step everywhere: the row, the step panel, the counter and show(14)."""
    player.show(14)
    assert player.step.line.startswith("MAIL FROM") and player.step.number == 14
    assert "step 14 of 46" in player.position.value
    assert re.search(r'data-current="true"[^>]*>.*?#14 c1', player.transcript.value)
    assert "<b>#14 ·" in player.details.value


def test_with_a_filter_the_counter_says_both_positions(player):
    player.filters["protocol"].value = "DNS"
    player.show(24)
    assert "step 2 of 2 shown (#24 of 46)" in player.position.value
    player.language.value = "ru"
    assert "шаг 2 из 2 показанных (#24 из 46)" in player.position.value


def test_buttons_move_forward_back_last_first(player):
    player.buttons["forward"].click()
    player.buttons["forward"].click()
    assert _current(player) == 2 and "220 mail.a.test ESMTP" in player.transcript.value
    player.buttons["back"].click()
    assert _current(player) == 1
    player.buttons["last"].click()
    assert player.index == 45 and "D891B7584A relayed to mx.b.test" in player.transcript.value
    player.buttons["first"].click()
    player.buttons["back"].click()          # already at the start: stays there
    assert player.index == 0


def test_slider_and_play_move_the_transcript(player):
    player.slider.value = 14
    assert _current(player) == 14 and "state: MAIL → RCPT" in player.details.value
    player.play.value = 3               # what Play does on each tick
    assert player.slider.value == 3 and _current(player) == 3


def test_client_and_server_lines_differ_by_prefix_and_by_a_colour_blind_safe_colour(player):
    from simulator.views import COLOURS, OKABE_ITO
    player.show(5)
    rows = dict(re.findall(r'data-index="(\d+)"(.*?)</(?:div></div|details)>',
                           player.transcript.value, re.DOTALL))
    assert "<b>C:</b> EHLO pc.a.test" in rows["3"] and f"color:{COLOURS['c2s']}" in rows["3"]
    assert "<b>S:</b> 250-mail.a.test" in rows["4"] and f"color:{COLOURS['s2c']}" in rows["4"]
    assert set(COLOURS.values()) <= set(OKABE_ITO.values()) and len(set(COLOURS.values())) == 3


def test_step_panel_explains_and_shows_the_state_change(player):
    player.show(14)
    assert "state: READY → MAIL" in player.details.value
    assert "MAIL FROM" in player.details.value or "reverse path" in player.details.value


def test_language_toggle_switches_labels_and_explanations(player):
    player.show(14)
    english = player.details.value
    player.language.value = "ru"
    assert player.details.value != english and "состояние: READY → MAIL" in player.details.value
    assert player.filters["protocol"].options[0][0] == "(все)"
    assert player.buttons["forward"].tooltip == "На шаг вперёд"


def test_server_view_follows_the_step_also_backwards(player):
    player.show(21)
    assert "queue of mail.a.test: D891B7584A (queued)" in player.details.value
    player.show(42)
    assert "bob@b.test/INBOX: 1 message" in player.details.value
    player.buttons["back"].click()
    player.show(20)                      # before the queueing: nothing on the servers yet
    assert "nothing queued or delivered yet" in player.details.value


def test_filters_by_protocol_connection_and_node(player):
    player.show(11)
    player.filters["protocol"].value = "DNS"
    assert player.positions == [22, 23] and player.index == 22   # the next DNS step
    player.filters["protocol"].value = ALL
    player.filters["conn"].value = "c2"
    assert player.trace[player.index].conn == "c2"
    assert all(player.trace[i].conn == "c2" for i in player.positions)
    player.filters["conn"].value = ALL
    player.filters["node"].value = "dns"
    assert player.positions == [22, 23]


def test_filters_that_match_nothing_say_so(player):
    player.filters["node"].value = "dns"
    player.filters["conn"].value = "c1"
    assert player.index is None and "No steps match" in player.transcript.value


@pytest.mark.parametrize("kind, start", [("sequence", b"\x89PNG"), ("state", b"<?xml"),
                                         ("topology", b"<?xml")])
def test_pictures_of_the_current_step(player, kind, start):
    assert player.image.value == ""
    player.picture.value = kind
    player.show(15)
    assert player.shown.data.startswith(start)
    kind_of = "image/png" if kind == "sequence" else "image/svg+xml"
    assert f'class="mailsim-picture" alt="" src="data:{kind_of};base64,' in player.image.value


def test_state_picture_says_why_there_is_none_or_whose_state_it_shows(player):
    player.picture.value = "state"
    player.show(1)                       # MUA compose: no connection, no state table
    assert player.image.value == ""
    assert "#1" in player.note.value and "outside any connection" in player.note.value
    player.show(2)                       # TCP connect of c1: the session has not begun
    assert "has not started yet" in player.note.value
    player.show(21)                      # MTA queued: inside mail.a.test
    assert "inside mail.a.test (MTA)" in player.note.value
    player.show(29)                      # TCP close of c1: the SMTP session's last state
    assert "mailsim-picture" in player.image.value
    assert "The last protocol state of c1: SMTP in CLOSED (after #28)" in player.note.value
    player.show(27)                      # an SMTP step draws its own state, no note
    assert "mailsim-picture" in player.image.value and player.note.value == ""


def test_a_multi_line_reply_is_one_folded_row_that_unfolds(player):
    player.show(5)                       # the EHLO reply: nine lines
    row = re.search(r'<details class="mailsim-row" data-index="4".*?</details>',
                    player.transcript.value, re.DOTALL).group(0)
    summary = re.search(r"<summary.*?</summary>", row, re.DOTALL).group(0)
    assert "250-mail.a.test greets pc.a.test" in summary and "(+8 more)" in summary
    assert "PIPELINING" not in summary and "PIPELINING" in row


def test_every_row_has_text_even_an_event_without_bytes(player):
    player.show(9)                       # TLS established: no bytes on the wire
    row = re.search(r'data-index="8".*?</div></div>', player.transcript.value).group(0)
    assert "TLS" in re.sub(r"<[^>]+>", "", row).split("··", 1)[1]


def test_keys_sent_by_the_page_step_the_player(player):
    player.shell._message(player.shell, {"move": "forward"}, [])
    assert player.index == 1
    player.shell._message(player.shell, {"move": "last"}, [])
    assert player.index == 45
    player.shell._message(player.shell, {"move": "rm -rf"}, [])     # ignored
    player.shell._message(player.shell, {"move": "back"}, [])
    assert player.index == 44


def test_speed_sets_the_play_interval(player):
    player.speed.value = 4
    assert player.play.interval == 250


def test_every_step_of_the_longest_builtin_trace_is_shown_with_its_number(run):
    """Speed is measured by `make bench` (player section), not asserted here."""
    trace = run("source-route").trace
    player = TracePlayer(trace, lang="en")
    for number in range(1, len(trace) + 1):
        player.show(number)
        assert player.position.value == f"step {number} of {len(trace)}"


def test_filter_dropdowns_show_all_as_a_label_in_both_languages(player):
    """ipywidgets 8 shows a blank for a None value: "(all)" must be a real, selected option."""
    for dropdown in player.filters.values():
        assert dropdown.index == 0 and dropdown.label == "(all)" and dropdown.value == ALL
        assert all(label and isinstance(label, str) for label, _ in dropdown.options)
    player.filters["protocol"].value = "DNS"
    player.language.value = "ru"
    assert player.filters["protocol"].label == "DNS" and player.positions == [22, 23]
    assert [d.label for name, d in player.filters.items() if name != "protocol"] == ["(все)"] * 2
    player.filters["protocol"].index = 0
    assert player.filters["protocol"].label == "(все)" and len(player.positions) == len(
        player.trace)
