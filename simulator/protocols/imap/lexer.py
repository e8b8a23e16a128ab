"""The IMAP lexer: one command line (literals already cut out) into values.

The framer (:mod:`.framing`) collects a command's line and the octets of
each literal; this lexer then reads the line left to right.  Where the
line says ``{n}`` or ``{n+}`` it takes the next collected literal, so
literals are handled in one place only (the imapclient habit).

Atoms are read leniently (RFC 3501 §9 ``atom`` plus ``%``, ``*``, ``\\``
and ``]``, which list patterns, flags and sequence sets need); the parser
decides whether a value fits where it stands.  A ``[`` inside an atom opens
a section that may hold spaces and parentheses up to its ``]``, as in
``BODY[HEADER.FIELDS (FROM TO)]<0.100>`` (RFC 3501 §6.4.5).

Parenthesised lists nest at most :data:`MAX_NESTING` deep.  RFC 3501 sets
no limit, but the deepest list a real client sends is a handful of levels
(``FETCH (BODY.PEEK[HEADER.FIELDS (...)])``, a SEARCH with grouped keys);
a deeper line is answered BAD instead of exhausting the parser's stack
(Dovecot refuses such lines too, with "Too many '('").
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .types import NIL, Atom, Literal, Quoted

#: Characters that end a bare word (RFC 3501 §9 atom-specials, minus the ones we accept).
_ATOM_END = frozenset(b' ()"{\r\n')
_LITERAL = re.compile(rb"\{(\d+)(\+?)\}$")
#: An atom without a section or a control character (the usual case, see ``Lexer._atom``).
_PLAIN_ATOM = re.compile(rb'[^\x00-\x20\x7f()"{\[]+')
#: How deep parenthesised lists may nest in one command (see the module docstring).
MAX_NESTING = 100


class ParseError(ValueError):
    """The line is not well-formed IMAP; ``key`` names the locale text of the BAD reply."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key, self.params = key, params
        super().__init__(f"{key} {params}")


class Lexer:
    """Reads values from a command's line parts; a part that ends in ``{n}`` is followed
    by the next of ``literals`` and then by the next part."""

    def __init__(self, parts: list[bytes] | bytes, literals: list[bytes] | None = None) -> None:
        parts = [parts] if isinstance(parts, bytes) else parts
        self.line, self.pos = parts[0], 0
        self.depth = 0                       # lists open around the current position
        self._rests: Iterator[bytes] = iter(parts[1:])
        self._literals: Iterator[bytes] = iter(literals or [])

    def at_end(self) -> bool:
        return self.pos >= len(self.line)

    def peek(self) -> int | None:
        return self.line[self.pos] if not self.at_end() else None

    def space(self) -> bool:
        """Skip one SP; True if there was one (IMAP separates values by exactly one SP)."""
        if self.peek() == 0x20:
            self.pos += 1
            return True
        return False

    def values(self) -> list:
        """All remaining values up to the end of the line."""
        out = []
        while not self.at_end():
            if out and not self.space():
                raise ParseError("syntax.missing_space", column=self.pos)
            out.append(self.value())
        return out

    def value(self) -> object:
        """One value: list, quoted string, literal, NIL or atom."""
        char = self.peek()
        if char is None or char == 0x20:
            raise ParseError("syntax.missing_value", column=self.pos)
        if char == 0x28:                    # "("
            return self._list()
        if char == 0x29:                    # ")"
            raise ParseError("syntax.unbalanced", column=self.pos)
        if char == 0x22:                    # '"'
            return self._quoted()
        if char == 0x7B:                    # "{"
            return self._literal()
        if char == 0x7E and self.line[self.pos + 1:self.pos + 2] == b"{":   # literal8 "~{n}"
            self.pos += 1
            literal = self._literal()
            literal.binary = True
            return literal
        word = self._atom()
        return NIL if word.upper() == "NIL" else word

    def _list(self) -> list:
        if self.depth >= MAX_NESTING:
            raise ParseError("syntax.too_deep", column=self.pos, limit=MAX_NESTING)
        self.pos += 1
        self.depth += 1
        out: list = []
        while self.peek() != 0x29:
            if self.at_end():
                raise ParseError("syntax.unbalanced", column=self.pos)
            if out and not self.space():
                raise ParseError("syntax.missing_space", column=self.pos)
            out.append(self.value())
        self.pos += 1
        self.depth -= 1
        return out

    def _quoted(self) -> Quoted:
        """RFC 3501 §4.3: only ``\\"`` and ``\\\\`` may be escaped; no CR or LF inside."""
        out = bytearray()
        self.pos += 1
        while True:
            char = self.peek()
            if char is None:
                raise ParseError("syntax.unterminated_quote", column=self.pos)
            self.pos += 1
            if char == 0x22:
                return Quoted(out.decode("utf-8", "replace"))
            if char == 0x5C:
                char = self.peek()
                if char not in (0x22, 0x5C):
                    raise ParseError("syntax.bad_escape", column=self.pos)
                self.pos += 1
            out.append(char)

    def _literal(self) -> Literal:
        match = _LITERAL.match(self.line, self.pos)
        if match is None or match.end() != len(self.line):
            raise ParseError("syntax.bad_literal", column=self.pos)
        data = next(self._literals, None)
        if data is None or len(data) != int(match.group(1)):
            raise ParseError("syntax.bad_literal", column=self.pos)
        literal = Literal(data)
        literal.synchronising = not match.group(2)
        # After the literal's octets the command goes on in the next line part.
        self.line, self.pos = next(self._rests, b""), 0
        return literal

    def _atom(self) -> Atom:
        start = self.pos
        # Most atoms (command names, sets, flags) hold no "[" and no control character:
        # one regular-expression match reads them.  Anything else takes the loop below.
        plain = _PLAIN_ATOM.match(self.line, start)
        if plain is not None and (plain.end() == len(self.line)
                                  or self.line[plain.end()] in _ATOM_END):
            self.pos = plain.end()
            return Atom(plain.group().decode("utf-8", "replace"))
        depth = 0
        while not self.at_end():
            char = self.line[self.pos]
            if char == 0x5B:                 # "[" opens a section: spaces allowed inside
                depth += 1
            elif char == 0x5D and depth:
                depth -= 1
            elif depth == 0 and char in _ATOM_END:
                break
            elif char < 0x20 or char == 0x7F:
                raise ParseError("syntax.control_char", column=self.pos)
            self.pos += 1
        if depth:
            # No "]" closes it: not a section, so "[" is an ordinary atom character
            # (RFC 3501 §9: only "]" is a resp-special; "[" may appear in an atom).
            self.pos = start
            while not self.at_end() and self.line[self.pos] not in _ATOM_END:
                self.pos += 1
        if self.pos == start:
            raise ParseError("syntax.missing_value", column=self.pos)
        return Atom(self.line[start:self.pos].decode("utf-8", "replace"))
