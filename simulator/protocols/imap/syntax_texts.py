"""Wire texts for the parser's complaints (the text after ``BAD``).

The parser raises ``ParseError(key, **params)``; the reply carries one of
these short English sentences (RFC 3501 §7.1.3 leaves the text free but it
should tell the client what was wrong).  The ru/en explanations of the same
keys live in the locale files under ``imap.syntax``.
"""
from __future__ import annotations

from typing import Any

SYNTAX_TEXTS: dict[str, str] = {
    "syntax.append_literal": "APPEND needs the message as a literal",
    "syntax.arguments": "expected {low} to {high} arguments",
    "syntax.bad_command_name": "{name!r} is not a command name",
    "syntax.bad_date": "{value!r} is not a date (expected e.g. 1-Feb-1994)",
    "syntax.bad_escape": "only \\\\ and \\\" may be escaped in a quoted string (column {column})",
    "syntax.bad_flag": "{flag!r} is not a flag",
    "syntax.bad_literal": "malformed literal length (column {column})",
    "syntax.bad_sequence": "{value!r} is not a sequence set",
    "syntax.beyond_exists": "there is no message {number}: the last message is number {exists}",
    "syntax.empty_mailbox": "the mailbox is empty, so no message number exists, not even *",
    "syntax.control_char": "control character in the command (column {column})",
    "syntax.expected_number": "expected a number, got {got!r}",
    "syntax.expected_string": "expected a string, got {got!r}",
    "syntax.fetch_item": "unknown FETCH item {item!r}",
    "syntax.fetch_items": "FETCH needs data items",
    "syntax.id_list": "ID takes NIL or a list of field-value pairs",
    "syntax.list_option": "unknown LIST option {option!r}",
    "syntax.list_patterns": "LIST needs a mailbox pattern",
    "syntax.list_recursivematch": "RECURSIVEMATCH needs another selection option",
    "syntax.list_return": "malformed LIST RETURN options",
    "syntax.literal8": "a literal8 is allowed only in APPEND",
    "syntax.missing_command": "a command name must follow the tag {tag}",
    "syntax.missing_space": "expected a space (column {column})",
    "syntax.missing_value": "expected a value (column {column})",
    "syntax.nul_in_literal": "NUL is allowed only in a literal8",
    "syntax.number_too_big": "{value} is over {limit}, the largest message number or UID",
    "syntax.search_argument": "search key {key} needs an argument",
    "syntax.search_charset": "unsupported charset {charset}",
    "syntax.search_empty": "SEARCH needs at least one search key",
    "syntax.search_key": "unknown search key {key!r}",
    "syntax.search_return": "malformed SEARCH RETURN options",
    "syntax.search_return_option": "unknown SEARCH RETURN option {option!r}",
    "syntax.search_too_deep": "search keys nested more than {limit} levels deep",
    "syntax.search_too_many": "more than {limit} search keys in one SEARCH",
    "syntax.searchres": "$ needs a saved search result, got {value!r}",
    "syntax.status_item": "unknown STATUS item {item!r}",
    "syntax.status_items": "STATUS needs a list of items",
    "syntax.store_item": "unknown STORE item {item!r}",
    "syntax.too_deep": "parentheses nested more than {limit} levels deep (column {column})",
    "syntax.trailing": "unexpected text after the command (column {column})",
    "syntax.unbalanced": "unbalanced parentheses or brackets (column {column})",
    "syntax.unterminated_quote": "unterminated quoted string (column {column})",
}


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(key: str, params: dict[str, Any]) -> str:
    """The wire sentence for a parser complaint (the key itself if unknown).

    What the client sent is shown as plain text, at most 40 characters, with
    anything but printable ASCII as ``?``: RFC 3501 §9 ``text`` is 7-bit, and
    a Python repr such as ``Atom('99')`` means nothing to a user.
    """
    template = SYNTAX_TEXTS.get(key)
    if not template:
        return key
    return template.format_map(_Missing({k: _printable(v) for k, v in params.items()}))


def _printable(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = str(value)[:40]               # str(): an Atom or Quoted becomes a plain str
    return "".join(c if " " <= c <= "~" else "?" for c in text)
