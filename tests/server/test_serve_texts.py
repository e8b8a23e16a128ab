"""The server's own explanations exist in ru and en, with the right plural forms."""
import pytest

from simulator.locale import has, t

KEYS = ["handshake_failed", "tls_discarded", "login_delay", "shutdown", "engine_fault", "budget_pause",
        "engine_fault_last"]


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("key", KEYS)
def test_every_driver_explanation_exists_in_both_languages(key, lang):
    assert has(f"serve.explain.{key}", lang)


@pytest.mark.parametrize("lang,count,words", [
    ("en", 1, "1 octet "), ("en", 5, "5 octets "),
    ("ru", 1, "1 байт."), ("ru", 3, "3 байта."), ("ru", 5, "5 байт.")])
def test_dropped_octets_are_counted_in_the_right_form(lang, count, words):
    assert words in t("serve.explain.tls_discarded", lang, count=count)


@pytest.mark.parametrize("lang,count,words", [
    ("en", 1, "1 failure from"), ("en", 4, "4 failures from"),
    ("ru", 1, "1 неудача)"), ("ru", 4, "4 неудачи)"), ("ru", 7, "7 неудач)")])
def test_failures_from_an_address_are_counted_in_the_right_form(lang, count, words):
    assert words in t("serve.explain.login_delay", lang, count=1, address_count=count,
                      seconds="1")
