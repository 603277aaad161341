"""The grammar of run filters and orderings (MLflow's search syntax), read with lark into `Condition`s and `Order`s.

    metrics.accuracy > 0.9 and params.model = 'resnet18' and status = 'failed' and tag = 'serving'
    metrics.`val loss` <= 0.2 and component in ('train', 'tune') and started >= '2026-11-01'
    order by: metrics.accuracy desc, started

Conditions are joined by `and` (no `or`, no parentheses). A key is `metrics.<name>`, `params.<name>` (a name with
other characters than letters, digits, `_`, `-` and `.` in backticks, a backtick in it doubled) or an attribute of
the run (`ATTRIBUTES`). A value is a number, a string in single or double quotes (the quote doubled inside), or
`true`/`false`. Keywords are case-insensitive. The SQL is `db/run_filters.py`'s: this module only reads and checks.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Union

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from mltrace.entities.times import parse_utc_clamped
from mltrace.errors import FilterError

MAX_FILTER_CHARS = 16_384
MAX_CONDITIONS = 100
MAX_LIST_VALUES = 1_000

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
METRICS, PARAMS, ATTRIBUTE = "metrics", "params", "attribute"
_PREFIXES = {"metrics": METRICS, "metric": METRICS, "params": PARAMS, "param": PARAMS}

# attribute -> the type of value it takes: number, text, time, or tag (a text matched against the component's tags)
NUMBER, TEXT, TIME, TAG = "number", "text", "time", "tag"
ATTRIBUTES = {
    "id": NUMBER,
    "component": TEXT,
    "status": TEXT,
    "started": TIME,
    "ended": TIME,
    "duration": NUMBER,  # seconds
    "git_commit": TEXT,
    "code_hash": TEXT,
    "notes": TEXT,
    "inputs": NUMBER,  # how many
    "outputs": NUMBER,
    "tag": TAG,
}
_ALIASES = {"run_id": "id", "start_time": "started", "end_time": "ended", "git_hash": "git_commit", "tags": "tag"}

Value = Union[float, str, bool, datetime]  # noqa: UP007  # an alias evaluated at run time on Python 3.10

_GRAMMAR = r"""
filter: [condition (_AND condition)*]
condition: KEY OP value                           -> compare
         | KEY _IN "(" value ("," value)* ")"     -> member
         | KEY _LIKE value                        -> like
value: NUMBER | STRING | TRUE | FALSE

order: [term ("," term)*]
term: KEY DIRECTION?

KEY: /[A-Za-z_][A-Za-z0-9_]*(\.(`([^`]|``)+`|[A-Za-z0-9_][A-Za-z0-9_.\-]*))?/
OP: "!=" | "<=" | ">=" | "=" | "<" | ">"
NUMBER: /[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?/
STRING: /'([^']|'')*'/ | /"([^"]|"")*"/
TRUE: "true"i
FALSE: "false"i
_AND: "and"i
_IN: "in"i
_LIKE: "like"i
DIRECTION: "asc"i | "desc"i
%ignore /[ \t\r\n]+/
"""


@dataclass(frozen=True)
class Key:
    """What a condition or ordering looks at: `kind` METRICS, PARAMS or ATTRIBUTE, and its name."""

    kind: str
    name: str
    column: int  # 1-based, in the text it was read from

    @property
    def value_type(self) -> str:
        """NUMBER, TEXT, TIME or TAG for an attribute; "" for a param or metric (numbers, texts and booleans)."""
        return ATTRIBUTES[self.name] if self.kind == ATTRIBUTE else ""


@dataclass(frozen=True)
class Condition:
    """`key op values`: `op` one of COMPARISONS, "in" or "like"; one value except for "in"."""

    key: Key
    op: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Order:
    """One term of an ordering."""

    key: Key
    descending: bool


DEFAULT_ORDER = (Order(Key(ATTRIBUTE, "started", 1), descending=True),)


def parse_filter(text: str | None) -> tuple[Condition, ...]:
    """The conditions of a filter (none for an empty one); FilterError pointing at what cannot be read."""
    if not text or not text.strip():
        return ()
    tree = _parse(text, "filter")
    conditions = tuple(_condition(node, text) for node in tree.children if isinstance(node, Tree))
    if len(conditions) > MAX_CONDITIONS:
        raise FilterError(f"at most {MAX_CONDITIONS} conditions", conditions[MAX_CONDITIONS].key.column, text)
    return conditions


def parse_order(text: str | None) -> tuple[Order, ...]:
    """The terms of an ordering (`metrics.accuracy desc, started`); DEFAULT_ORDER, newest first, when empty."""
    if not text or not text.strip():
        return DEFAULT_ORDER
    try:
        return _order(text)
    except FilterError as error:
        raise FilterError(error.reason, error.column, text, what="ordering") from None


def _order(text: str) -> tuple[Order, ...]:
    tree = _parse(text, "order")
    terms = []
    for node in tree.children:
        if not isinstance(node, Tree):
            continue
        key = _key(node.children[0], text)  # type: ignore[arg-type]
        if key.value_type == TAG:
            raise FilterError("runs cannot be ordered by tag", key.column, text)
        direction = str(node.children[1]) if len(node.children) > 1 else ""
        terms.append(Order(key, descending=direction.lower() == "desc"))
    if len(terms) > MAX_CONDITIONS:
        raise FilterError(f"at most {MAX_CONDITIONS} terms", terms[MAX_CONDITIONS].key.column, text)
    return tuple(terms)


@functools.cache
def _parser(start: str) -> Lark:
    return Lark(_GRAMMAR, start=start, parser="lalr", propagate_positions=False, maybe_placeholders=False)


def _parse(text: str, start: str) -> Tree[Token]:
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError(f"longer than {MAX_FILTER_CHARS} characters", MAX_FILTER_CHARS + 1, text)
    bad = next((i for i, ch in enumerate(text) if ch == "\x00" or 0xD800 <= ord(ch) <= 0xDFFF), None)
    if bad is not None:
        raise FilterError("NUL characters and lone surrogates cannot be matched", bad + 1, text)
    try:
        return _parser(start).parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None


def _syntax_error(error: UnexpectedInput, text: str) -> FilterError:
    """The lark error as a FilterError: where, and what was expected there."""
    if isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        return FilterError("the filter ends too early", len(text.rstrip()) + 1, text)
    column = getattr(error, "column", None)
    if not isinstance(column, int) or column < 1:
        column = 1
    if isinstance(error, UnexpectedCharacters):
        char = text[column - 1] if column <= len(text) else ""
        if char in "'\"`":
            return FilterError(f"unbalanced quote {char}", column, text)
        return FilterError(f"unexpected character {char!r}", column, text)
    if isinstance(error, UnexpectedToken):
        found = str(error.token)
        if found.lower() == "or":
            return FilterError("only 'and' joins conditions (there is no 'or')", error.token.column or column, text)
        expected = sorted(_describe(name) for name in error.expected if not name.startswith("__"))
        hint = f"; expected {', '.join(dict.fromkeys(expected))}" if expected else ""
        return FilterError(f"unexpected {found!r}{hint}", error.token.column or column, text)
    return FilterError("cannot be read", column, text)


_TERMINALS = {
    "KEY": "a key",
    "OP": "a comparison",
    "NUMBER": "a value",
    "STRING": "a value",
    "TRUE": "a value",
    "FALSE": "a value",
    "_AND": "'and'",
    "_IN": "'in'",
    "_LIKE": "'like'",
    "DIRECTION": "asc or desc",
    "_WS": "a space",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
}


def _describe(terminal: str) -> str:
    return _TERMINALS.get(terminal, terminal.lower())


def _key(token: Token, text: str) -> Key:
    column = token.column or 1
    raw = str(token)
    head, dot, rest = raw.partition(".")
    if not dot:
        name = _ALIASES.get(raw.lower(), raw.lower())
        if name not in ATTRIBUTES:
            known = ", ".join(sorted(ATTRIBUTES))
            raise FilterError(f"unknown key {raw!r}; use metrics.<name>, params.<name> or one of {known}", column, text)
        return Key(ATTRIBUTE, name, column)
    kind = _PREFIXES.get(head.lower())
    if kind is None:
        raise FilterError(f"unknown key prefix {head!r}; use metrics.<name> or params.<name>", column, text)
    if rest.startswith("`"):
        rest = rest[1:-1].replace("``", "`")
    return Key(kind, rest, column)


def _condition(node: Tree[Token], text: str) -> Condition:
    key = _key(node.children[0], text)  # type: ignore[arg-type]
    values: tuple[Value, ...]
    if node.data == "compare":
        op_token, value_node = node.children[1], node.children[2]
        op = str(op_token)
        values = (_value(value_node, key, op, text),)  # type: ignore[arg-type]
    elif node.data == "member":
        op = "in"
        nodes = node.children[1:]
        if len(nodes) > MAX_LIST_VALUES:
            raise FilterError(f"at most {MAX_LIST_VALUES} values in a list", _column(nodes[MAX_LIST_VALUES]), text)  # type: ignore[arg-type]
        values = tuple(_value(v, key, op, text) for v in nodes)  # type: ignore[arg-type]
    else:
        op = "like"
        values = (_value(node.children[1], key, op, text),)  # type: ignore[arg-type]
    return Condition(key, op, values)


def _column(value_node: Tree[Token]) -> int:
    token = value_node.children[0]
    return (token.column or 1) if isinstance(token, Token) else 1


def _value(node: Tree[Token], key: Key, op: str, text: str) -> Value:
    """A literal as the condition compares it, checked against what the key and operator take."""
    token = node.children[0]
    assert isinstance(token, Token)
    column = token.column or 1
    kind = key.value_type
    if token.type == "NUMBER":
        if kind in (TEXT, TIME, TAG):
            raise FilterError(f"{key.name} takes a string in quotes, not a number", column, text)
        if op == "like":
            raise FilterError("like takes a string pattern", column, text)
        number = float(token)
        if math.isinf(number):
            raise FilterError("number out of range", column, text)
        return number
    if token.type in ("TRUE", "FALSE"):
        if kind:
            raise FilterError(f"{key.name} does not take true or false", column, text)
        if op not in ("=", "!=", "in"):
            raise FilterError(f"true and false are compared with = != or in, not {op}", column, text)
        return token.type == "TRUE"
    quote = token[0]
    string = token[1:-1].replace(quote * 2, quote)
    if kind == NUMBER:
        raise FilterError(f"{key.name} takes a number, not a string", column, text)
    if kind == TAG and op not in ("=", "!=", "in", "like"):
        raise FilterError(f"tag is compared with = != in or like, not {op}", column, text)
    if op == "like":
        if kind == TIME:
            raise FilterError(f"{key.name} takes a time: compare it with = != < <= > >= or in", column, text)
        trailing = len(string) - len(string.rstrip("\\"))
        if trailing % 2:
            raise FilterError("a like pattern cannot end with a lone backslash", column, text)
    if kind == TIME:
        try:
            return parse_utc_clamped(string)
        except ValueError:
            raise FilterError(
                f"{key.name} takes an ISO 8601 time ('2026-11-01T09:00'), not {string!r}", column, text
            ) from None
    return string
