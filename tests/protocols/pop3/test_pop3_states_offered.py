"""A POP3 server knows LAST and STLS only with their switches on (RFC 1225, RFC 2595)."""
import pytest

from simulator.protocols.pop3 import POP3Config
from simulator.protocols.pop3 import states as S


@pytest.mark.parametrize("verb", sorted(S.OPTIONAL))
def test_a_switched_command_is_offered_exactly_when_its_switch_is_on(verb):
    switch = S.OPTIONAL[verb]
    assert POP3Config("mx.test", **{switch: True}).offers(verb)
    assert not POP3Config("mx.test", **{switch: False}).offers(verb)


def test_every_other_command_is_always_offered():
    plain = POP3Config("mx.test")
    assert all(plain.offers(v) for v in S.ALL_COMMANDS if v not in S.OPTIONAL)
