"""Teacher-authored question banks and lab tasks (``docs/quizzes.md``, issue 12).

::

    from simulator.quiz import load_bank
    bank = load_bank("exercises/smtp.yaml")          # BankError on a bad file
    variant = bank["smtp-rcpt-unknown"].variant(student="s01", secret=b"course secret")
    variant.text("en"); variant.choices("en"); variant.params
    check = variant.check(550)                       # check.score, check.correct, check.feedback("en")
    variant.key()                                    # the expected response (teacher side)

The package sits above the network and the scenarios (it runs them to find
keys and to grade tasks) and below the widgets and the command line.
"""
from .expr import ExpressionError
from .loader import BankError, load_bank, load_bank_text, schema
from .model import RESPONSES, TYPES, Bank, Item
from .responses import ResponseError, save_responses, sign, sign_with_key, verify
from .variant import Check, Variant, VariantError, seed_of

__all__ = ["RESPONSES", "TYPES", "Bank", "BankError", "Check", "ExpressionError", "Item",
           "ResponseError", "Variant", "VariantError", "load_bank", "load_bank_text", "save_responses",
           "schema", "seed_of", "sign", "sign_with_key", "verify"]
