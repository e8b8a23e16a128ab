"""Counts in every text take the plural form CLDR gives for the number (Babel), in ru and en."""
import re
import string

import pytest

from simulator import locale

NUMBERS = (1, 2, 5, 11, 21, 101)
# CLDR: Russian 1, 21, 101 → one; 2 → few; 5, 11 → many.  English: only 1 → one.
CATEGORY = {
    "ru": {1: "one", 2: "few", 5: "many", 11: "many", 21: "one", 101: "one"},
    "en": {1: "one", 2: "other", 5: "other", 11: "other", 21: "other", 101: "other"},
}

# The keys issue 19 lists as giving "1 lines", «1 строк», «писем — 1», and the others found since.
COUNT_KEYS = (
    "smtp.data.content", "smtp.tls.discarded", "smtp.input.line_too_long",
    "pop3.cmd.too_long", "pop2.cmd.too_long",
    "imap.cmd.literal_too_big", "imap.cont.literal", "imap.client.done", "imap.cmd.too_long",
    "imap.cmd.literal_announced", "imap.reply.literal_too_big",
    "pop.session.kept", "pop.session.deleted", "pop.session.script", "pop.session.dropped",
    "ui.server.mailbox", "ui.server.pop3", "ui.console.literal_left",
    "cli.run.arrivals", "cli.run.counts", "cli.run.bounces", "cli.replay.hidden",
    "cli.replay.title", "mda.deliver", "mta.queued", "mta.relayed", "mta.expired",
    "imap.reply.mailbox_name_too_deep", "imap.reply.mailbox_name_too_long",
    "mail.store.name_too_deep", "mail.store.name_too_long", "imap.syntax.arguments",
)


def plural_fields(text):
    """(name, forms) of every ``{name:form|form}`` placeholder."""
    return [(name, spec.split("|")) for _, name, spec, _ in string.Formatter().parse(text)
            if name and spec and "|" in spec]


def plural_keys():
    return sorted({k for lang in locale.LANGUAGES for k, v in locale.texts(lang).items()
                   if plural_fields(v)})


def test_babel_gives_the_cldr_categories_the_forms_follow():
    assert locale.plural_categories("ru") == ("one", "few", "many")
    assert locale.plural_categories("en") == ("one", "other")


@pytest.mark.parametrize("key", COUNT_KEYS)
def test_every_count_bearing_key_has_plural_forms_in_both_languages(key):
    for lang in locale.LANGUAGES:
        assert plural_fields(locale.texts(lang)[key]), f"{lang} {key} counts without word forms"


@pytest.mark.parametrize("key", plural_keys())
@pytest.mark.parametrize("lang", locale.LANGUAGES)
def test_each_count_gets_the_form_of_its_category(key, lang):
    text = locale.texts(lang)[key]
    fields = plural_fields(text)
    assert fields, f"{lang} {key}: the other language counts here, this one does not"
    categories = locale.plural_categories(lang)
    for name, forms in fields:
        assert len(forms) == len(categories), f"{lang} {key} {{{name}}}: give {categories}"
    for n in NUMBERS:
        shown = locale.t(key, lang, **{name: n for name, _ in fields})
        for name, forms in fields:
            expected = forms[categories.index(CATEGORY[lang][n])]
            assert f"{n} {expected}" in shown, (lang, key, n)


@pytest.mark.parametrize("lang, key, params, phrases", [
    ("ru", "smtp.data.content", "lines", ["1 строка", "2 строки", "5 строк", "11 строк",
                                          "21 строка", "101 строка"]),
    ("en", "smtp.data.content", "lines", ["1 line,", "2 lines", "5 lines", "11 lines",
                                          "21 lines", "101 lines"]),
    ("ru", "ui.server.mailbox", "count", ["1 письмо", "2 письма", "5 писем", "11 писем",
                                          "21 письмо", "101 письмо"]),
    ("en", "ui.server.mailbox", "count", ["1 message", "2 messages", "5 messages",
                                          "11 messages", "21 messages", "101 messages"]),
    ("ru", "imap.cont.literal", "size", ["из 1 октета", "из 2 октетов", "из 5 октетов",
                                         "из 11 октетов", "из 21 октета", "из 101 октета"]),
    ("ru", "cli.replay.hidden", "count", ["ещё 1 строка", "ещё 2 строки", "ещё 5 строк",
                                          "ещё 11 строк", "ещё 21 строка", "ещё 101 строка"]),
    ("en", "cli.replay.hidden", "count", ["1 more line)", "2 more lines", "5 more lines",
                                          "11 more lines", "21 more lines", "101 more lines"]),
    ("ru", "imap.client.done", "commands", ["после 1 команды", "после 2 команд",
                                            "после 5 команд", "после 11 команд",
                                            "после 21 команды", "после 101 команды"]),
])
def test_the_words_a_reader_sees(lang, key, params, phrases):
    for n, phrase in zip(NUMBERS, phrases):
        assert phrase in locale.t(key, lang, **{params: n})


def test_no_text_counts_with_a_label_or_an_s_in_brackets():
    en = [k for k, v in locale.texts("en").items() if "(s)" in v]
    ru = [k for k, v in locale.texts("ru").items()
          if re.search(r"(писем|строк|байт|октетов|шагов|получателей) ?[—:] ?\{", v)]
    assert (en, ru) == ([], [])


def test_a_missing_count_stays_visible():
    assert "{lines} lines" in locale.t("smtp.data.content", "en", octets=3)
    assert "3 октета" in locale.t("smtp.data.content", "ru", octets=3)


def test_a_key_missing_in_one_language_counts_by_the_rules_of_the_other(monkeypatch):
    ru, en = dict(locale.texts("ru")), locale.texts("en")
    del ru["ui.server.mailbox"]
    monkeypatch.setattr(locale, "texts", lambda lang: ru if lang == "ru" else en)
    assert "5 messages" in locale.t("ui.server.mailbox", "ru", mailbox="x", count=5)
