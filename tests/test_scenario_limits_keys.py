"""The keys quota, max_message_size, backup_for and extensions are checked at load time:
each mistake names the file, the line and what was expected, in ru and en (issue 18)."""
import pytest

from simulator.scenarios import ScenarioError, load_text

BASE = """\
name: limits
hosts:
  - name: mx.b.test
    roles: [mta, mda]
    domains: [b.test]
{host}
users:
  - address: bob@b.test
{user}
"""


def text(host="", user=""):
    return BASE.format(host=host, user=user)


def error_of(source: str, lang: str = "en") -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_text(source, "my.yaml", lang)
    return info.value


def test_the_new_keys_load_into_the_model():
    scenario = load_text(text(host="    max_message_size: 20000\n"
                                   "    backup_for: c.test\n"
                                   "    extensions: {pipelining: false, SIZE: true, HELP: false}",
                              user="    quota: 5000"))
    mx = scenario.host("mx.b.test")
    assert (mx.max_message_size, mx.backup_for, mx.extensions_off) == (
        20000, ("c.test",), ("HELP", "PIPELINING"))
    assert scenario.users[0].quota == 5000


@pytest.mark.parametrize("lang, words", [("en", "a whole number of octets"),
                                         ("ru", "целым числом октетов")])
def test_a_quota_that_is_not_a_number_of_octets_is_refused_on_its_line(lang, words):
    error = error_of(text(user="    quota: 5 MB"), lang)
    assert error.line == 9 and error.source == "my.yaml"
    assert words in error.message and "'5 MB'" in error.message


def test_a_zero_message_size_is_refused():
    error = error_of(text(host="    max_message_size: 0"))
    assert error.line == 6 and "max_message_size" in error.message


@pytest.mark.parametrize("lang, words", [("en", "did you mean 'PIPELINING'"),
                                         ("ru", "может быть, 'PIPELINING'?")])
def test_an_unknown_extension_is_named_with_a_guess_and_the_choices(lang, words):
    error = error_of(text(host="    extensions:\n      PIPELINIG: false"), lang)
    assert error.line == 7
    assert "'PIPELINIG'" in error.message and words in error.message
    assert "8BITMIME, AUTH, BINARYMIME, CHUNKING, ENHANCEDSTATUSCODES" in error.message


def test_an_extension_must_be_true_or_false():
    error = error_of(text(host="    extensions: {SIZE: off-ish}"))
    assert error.line == 6 and "true or false" in error.message


def test_backup_for_needs_an_mta():
    error = error_of(text(host="    backup_for: c.test").replace("[mta, mda]", "[mda]"))
    assert "backup_for" in error.message and "mta" in error.message
    assert error.line == 6


def test_a_host_cannot_be_final_and_backup_for_one_domain():
    error = error_of(text(host="    backup_for: [c.test, B.test]"), "ru")
    assert error.line == 6 and "'B.test'" in error.message and "domains" in error.message


def test_backup_for_must_be_a_domain():
    error = error_of(text(host="    backup_for: 'not a domain'"))
    assert error.line == 6 and "domain name" in error.message


def test_the_examples_in_the_docs_load():
    """docs/scenarios.md shows the new keys in two YAML fragments; both load as written."""
    import re
    from pathlib import Path
    docs = (Path(__file__).resolve().parents[1] / "docs" / "scenarios.md").read_text("utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", docs, re.DOTALL)
              if "max_message_size" in b or "backup_for" in b]
    assert len(blocks) == 2
    limits, backup = (load_text("name: docs\n" + b, "docs.yaml") for b in blocks)
    assert limits.host("mx.b.test").extensions_off == ("PIPELINING",)
    assert limits.users[0].quota == 5300
    assert backup.host("mx2.b.test").backup_for == ("b.test",)
