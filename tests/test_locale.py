"""Everything a user reads exists in Russian and in English."""
import re

import pytest

from simulator import locale


def test_russian_and_english_have_the_same_keys():
    ru, en = set(locale.texts("ru")), set(locale.texts("en"))
    assert sorted(ru - en) == [], "keys missing in English"
    assert sorted(en - ru) == [], "keys missing in Russian"


def test_placeholders_match_between_languages():
    def fields(text):
        return set(re.findall(r"{(\w+)(?::[^{}]*)?}", text))
    ru, en = locale.texts("ru"), locale.texts("en")
    mismatched = [k for k in ru if k in en and fields(ru[k]) != fields(en[k])]
    assert mismatched == []


def test_russian_texts_are_in_russian():
    not_cyrillic = [k for k, v in locale.texts("ru").items()
                    if len(v) > 40 and not re.search("[а-яА-Я]", v)]
    assert not_cyrillic == []


def test_text_is_filled_and_missing_keys_show_themselves():
    assert "TCP" in locale.t("net.connect", "ru", host="mx", port=25, path="a → b")
    assert "mx" in locale.t("net.connect", "en", host="mx", port=25, path="a → b")
    assert locale.t("no.such.key", "en") == "no.such.key"
    assert "{host}" in locale.t("net.connect", "en")     # unfilled placeholder stays visible


def test_default_language_is_russian_unless_asked(monkeypatch):
    for var in ("MAILSIM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert locale.default_lang() == "ru"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert locale.default_lang() == "en"
    monkeypatch.setenv("MAILSIM_LANG", "ru")
    assert locale.default_lang() == "ru"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        locale.texts("de")
