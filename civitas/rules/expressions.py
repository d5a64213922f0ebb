"""The formula language: tokenizer and parser producing a syntax tree.

Formulas are parsed here and type-checked in ``checker``; they are never handed
to Python's ``eval``. Grammar, lowest precedence first::

    expr     := 'if' expr 'then' expr ('elif' expr 'then' expr)* 'else' expr | or
    or       := and ('or' and)*
    and      := not ('and' not)*
    not      := 'not' not | compare
    compare  := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum | ['not'] 'in' '[' expr, ... ']')?
    sum      := product (('+'|'-') product)*
    product  := unary (('*'|'/') unary)*
    unary    := '-' unary | postfix
    postfix  := primary ('[' NAME ']')?           # period selector, e.g. rent[last_month]
    primary  := NUMBER | STRING | true | false | NAME ('.' NAME)* | NAME '(' args ')' | '(' expr ')'
"""

from __future__ import annotations

import re
from typing import Any

from civitas.rules.errors import ExpressionError

KEYWORDS = {"and", "or", "not", "if", "then", "elif", "else", "in", "true", "false"}

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<number>\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)
  | (?P<string>'[^'\n]*'|"[^"\n]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|[-+*/()<>\[\],.])
    """,
    re.VERBOSE,
)


class Token:
    __slots__ = ("kind", "offset", "text")

    def __init__(self, kind: str, text: str, offset: int) -> None:
        self.kind = kind  # number, string, name, keyword, op, end
        self.text = text
        self.offset = offset

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r}, {self.offset})"


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN_RE.match(source, pos)
        if m is None:
            ch = source[pos]
            if ch in "'\"":
                raise ExpressionError("text is not closed: add the closing quote", pos)
            if ch == "=":
                raise ExpressionError("'=' alone is not an operator; compare with '=='", pos)
            raise ExpressionError(f"unexpected character {ch!r}", pos)
        kind = m.lastgroup or ""
        text = m.group()
        if kind != "ws":
            if kind == "name" and text in KEYWORDS:
                kind = "keyword"
            tokens.append(Token(kind, text, pos))
        pos = m.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


# ---------------------------------------------------------------- syntax tree


class Node:
    """A syntax-tree node. ``offset``/``end`` delimit its source text; the checker
    fills ``type`` (a ValueType) and ``level`` (entity key, or None for a scalar)."""

    __slots__ = ("end", "level", "offset", "type")

    def __init__(self, offset: int, end: int) -> None:
        self.offset = offset
        self.end = end
        self.type: Any = None
        self.level: str | None = None

    def children(self) -> list[Node]:
        return []


class Literal(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any, offset: int, end: int) -> None:
        super().__init__(offset, end)
        self.value = value


class Name(Node):
    """A bare or dotted name: a variable, ``role``, ``period.start``, ``household.rent``
    or a parameter path. The checker sets ``resolved`` to one of the tuples below."""

    __slots__ = ("parts", "resolved", "selector")

    def __init__(self, parts: list[str], offset: int, end: int) -> None:
        super().__init__(offset, end)
        self.parts = parts
        self.selector: str | None = None
        # ("var", name, via_group|None) | ("role", group) | ("param", path) | ("period", attr)
        self.resolved: tuple[Any, ...] = ()

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


class Unary(Node):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Node, offset: int, end: int) -> None:
        super().__init__(offset, end)
        self.op = op  # "-" or "not"
        self.operand = operand

    def children(self) -> list[Node]:
        return [self.operand]


class Binary(Node):
    """Arithmetic (+ - * /) or comparison (== != < <= > >=)."""

    __slots__ = ("left", "op", "right")

    def __init__(self, op: str, left: Node, right: Node, offset: int, end: int) -> None:
        super().__init__(offset, end)
        self.op = op
        self.left = left
        self.right = right

    def children(self) -> list[Node]:
        return [self.left, self.right]


COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}


class InList(Node):
    __slots__ = ("items", "negated", "operand")

    def __init__(self, operand: Node, items: list[Node], negated: bool, offset: int, end: int):
        super().__init__(offset, end)
        self.operand = operand
        self.items = items
        self.negated = negated

    def children(self) -> list[Node]:
        return [self.operand, *self.items]


class BoolOp(Node):
    __slots__ = ("items", "op")

    def __init__(self, op: str, items: list[Node], offset: int, end: int) -> None:
        super().__init__(offset, end)
        self.op = op  # "and" | "or"
        self.items = items

    def children(self) -> list[Node]:
        return list(self.items)


class IfElse(Node):
    __slots__ = ("condition", "otherwise", "then")

    def __init__(self, condition: Node, then: Node, otherwise: Node, offset: int, end: int):
        super().__init__(offset, end)
        self.condition = condition
        self.then = then
        self.otherwise = otherwise

    def children(self) -> list[Node]:
        return [self.condition, self.then, self.otherwise]


class Call(Node):
    __slots__ = ("args", "name", "name_end")

    def __init__(self, name: str, args: list[Node], offset: int, end: int, name_end: int):
        super().__init__(offset, end)
        self.name = name
        self.args = args
        self.name_end = name_end

    def children(self) -> list[Node]:
        return list(self.args)


def walk(node: Node):
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children()))


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.tok
        return t.kind == kind and (text is None or t.text == text)

    def expect(self, kind: str, text: str, what: str) -> Token:
        if not self.at(kind, text):
            found = "the end of the formula" if self.tok.kind == "end" else repr(self.tok.text)
            raise ExpressionError(f"expected {what} but found {found}", self.tok.offset)
        return self.advance()

    def prev_end(self) -> int:
        t = self.tokens[self.i - 1]
        return t.offset + len(t.text)

    # -- grammar
    def parse(self) -> Node:
        if self.at("end"):
            raise ExpressionError("the formula is empty", 0)
        node = self.expr()
        if not self.at("end"):
            t = self.tok
            raise ExpressionError(
                f"unexpected {t.text!r} after a complete expression (missing operator?)", t.offset
            )
        return node

    def expr(self) -> Node:
        if self.at("keyword", "if"):
            return self.if_expr()
        return self.or_expr()

    def if_expr(self) -> Node:
        start = self.advance().offset
        cond = self.expr()
        self.expect("keyword", "then", "'then'")
        then = self.expr()
        if self.at("keyword", "elif"):
            self.tokens[self.i] = Token("keyword", "if", self.tok.offset)
            otherwise = self.if_expr()
        else:
            self.expect("keyword", "else", "'else' (every 'if' needs an 'else')")
            otherwise = self.expr()
        return IfElse(cond, then, otherwise, start, otherwise.end)

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.at("keyword", "or"):
            self.advance()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", items, items[0].offset, items[-1].end)

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.at("keyword", "and"):
            self.advance()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("and", items, items[0].offset, items[-1].end)

    def not_expr(self) -> Node:
        if self.at("keyword", "not"):
            start = self.advance().offset
            operand = self.not_expr()
            return Unary("not", operand, start, operand.end)
        return self.compare()

    def compare(self) -> Node:
        left = self.sum_expr()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            op = self.advance().text
            right = self.sum_expr()
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                raise ExpressionError(
                    "comparisons cannot be chained; join them with 'and'", self.tok.offset
                )
            return Binary(op, left, right, left.offset, right.end)
        negated = False
        if self.at("keyword", "not") and self.tokens[self.i + 1].text == "in":
            self.advance()
            negated = True
        if self.at("keyword", "in"):
            self.advance()
            self.expect("op", "[", "'[' to open the list of values")
            items = [self.expr()]
            while self.at("op", ","):
                self.advance()
                items.append(self.expr())
            self.expect("op", "]", "']' to close the list of values")
            return InList(left, items, negated, left.offset, self.prev_end())
        return left

    def sum_expr(self) -> Node:
        node = self.product()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance().text
            right = self.product()
            node = Binary(op, node, right, node.offset, right.end)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            op = self.advance().text
            right = self.unary()
            node = Binary(op, node, right, node.offset, right.end)
        return node

    def unary(self) -> Node:
        if self.at("op", "-"):
            start = self.advance().offset
            operand = self.unary()
            if isinstance(operand, Literal) and isinstance(operand.value, (int, float)):
                return Literal(-operand.value, start, operand.end)
            return Unary("-", operand, start, operand.end)
        if self.at("op", "+"):
            self.advance()
            return self.unary()
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        if self.at("op", "["):
            bracket = self.advance()
            if not isinstance(node, Name):
                raise ExpressionError(
                    "a period selector in [...] can only follow a variable name", bracket.offset
                )
            if self.tok.kind != "name":
                raise ExpressionError(
                    "expected a period selector such as first_month, last_month, this_year "
                    "or last_year",
                    self.tok.offset,
                )
            node.selector = self.advance().text
            self.expect("op", "]", "']'")
            node.end = self.prev_end()
        return node

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "number":
            self.advance()
            text = t.text.replace("_", "")
            is_float = any(c in text for c in ".eE")
            value: Any = float(text) if is_float else int(text)
            return Literal(value, t.offset, t.offset + len(t.text))
        if t.kind == "string":
            self.advance()
            return Literal(t.text[1:-1], t.offset, t.offset + len(t.text))
        if t.kind == "keyword" and t.text in ("true", "false"):
            self.advance()
            return Literal(t.text == "true", t.offset, t.offset + len(t.text))
        if t.kind == "name":
            self.advance()
            if self.at("op", "("):
                return self.call(t)
            parts = [t.text]
            while self.at("op", "."):
                self.advance()
                if self.tok.kind not in ("name", "keyword"):
                    raise ExpressionError("expected a name after '.'", self.tok.offset)
                parts.append(self.advance().text)
            return Name(parts, t.offset, self.prev_end())
        if t.kind == "op" and t.text == "(":
            self.advance()
            node = self.expr()
            self.expect("op", ")", "')'")
            return node
        if t.kind == "end":
            raise ExpressionError("the formula ends too early: a value is missing", t.offset)
        raise ExpressionError(f"expected a value but found {t.text!r}", t.offset)

    def call(self, name_tok: Token) -> Node:
        self.advance()  # (
        args: list[Node] = []
        if not self.at("op", ")"):
            args.append(self.expr())
            while self.at("op", ","):
                self.advance()
                args.append(self.expr())
        self.expect("op", ")", "')' or ',' in the argument list")
        return Call(
            name_tok.text,
            args,
            name_tok.offset,
            self.prev_end(),
            name_tok.offset + len(name_tok.text),
        )


def parse(source: str) -> Node:
    """Parse a formula; raise ``ExpressionError`` with the offset of the problem."""
    return _Parser(source).parse()
