"""A small renderer for the subset of Helm templates our chart uses, so the chart is rendered and
validated in the test suite with no ``helm`` binary and no network.

Supported: ``{{ }}`` actions with ``{{-``/``-}}`` trimming and ``/* */`` comments; ``if``/``else
if``/``else``, ``range`` (lists and maps, with ``$k, $v :=``), ``with``, ``define``/``include``;
variables (``$``, ``$x :=``); pipelines; the functions in ``FUNCTIONS``. Anything else raises
``TemplateError``, so the chart cannot quietly use a feature this renderer gets wrong. When a real
``helm`` is available the test also compares both renderings.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<raw>`[^`]*`)
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<declare>:=)
      | (?P<assign>=)
      | (?P<pipe>\|)
      | (?P<open>\()
      | (?P<close>\))
      | (?P<comma>,)
      | (?P<variable>\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
      | (?P<field>(?:\.[A-Za-z0-9_]+)+|\.)
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.X,
)


class TemplateError(Exception):
    pass


# --- parsing --------------------------------------------------------------------------------------


@dataclass
class Text:
    text: str


@dataclass
class Action:
    source: str


@dataclass
class Block:
    kind: str  # if, range, with, define
    source: str
    body: list = field(default_factory=list)
    orelse: list = field(default_factory=list)
    chained: bool = False  # an "else if": closed by its parent's end


def _lex(template: str) -> list[tuple[str, str]]:
    """[(kind, content)] with kind "text" or "action"; trimming already applied."""
    out: list[tuple[str, str]] = []
    position, trim_next = 0, False
    for match in ACTION.finditer(template):
        text = template[position : match.start()]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if match.group(1):
            text = text.rstrip(" \t\r\n")
        out.append(("text", text))
        body = match.group(2).strip()
        if not (body.startswith("/*") and body.endswith("*/")):
            out.append(("action", body))
        trim_next = bool(match.group(3))
        position = match.end()
    tail = template[position:]
    out.append(("text", tail.lstrip(" \t\r\n") if trim_next else tail))
    return out


def parse(template: str) -> list:
    root: list = []
    stack: list[tuple[Block | None, list]] = [(None, root)]
    for kind, content in _lex(template):
        current = stack[-1][1]
        if kind == "text":
            if content:
                current.append(Text(content))
            continue
        word = content.split(None, 1)[0] if content else ""
        rest = content[len(word) :].strip()
        if word in {"if", "range", "with", "define"}:
            block = Block(word, rest)
            current.append(block)
            stack.append((block, block.body))
        elif word == "else":
            block = stack[-1][0]
            if block is None:
                raise TemplateError("else outside a block")
            if rest.startswith(
                "if "
            ):  # else if: a nested if in the else branch, closed by the same end
                nested = Block("if", rest[3:].strip(), chained=True)
                block.orelse.append(nested)
                stack[-1] = (block, block.orelse)
                stack.append((nested, nested.body))
            else:
                stack[-1] = (block, block.orelse)
        elif word == "end":
            while True:
                block, _ = stack.pop()
                if block is None:
                    raise TemplateError("end without a block")
                if not block.chained:
                    break
        elif word in {"template", "block", "break", "continue", "tpl"}:
            raise TemplateError(f"{word!r} is not supported by this renderer")
        else:
            current.append(Action(content))
    if len(stack) != 1:
        raise TemplateError("a block is not closed with end")
    return root


# --- values -----------------------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    return not (value is None or value is False or value == 0 or value == "" or value in ({}, []))


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_yaml(value: Any) -> str:
    if value in ({}, None):
        return "{}" if value == {} else "null"
    return yaml.safe_dump(value, sort_keys=True, default_flow_style=False).rstrip("\n")


def _indent(spaces: int, text: str) -> str:
    pad = " " * int(spaces)
    return "\n".join(pad + line for line in to_text(text).split("\n"))


def _required(message: str, value: Any) -> Any:
    if not truthy(value):
        raise TemplateError(message)
    return value


def _and(*values):
    for value in values:
        if not truthy(value):
            return value
    return values[-1]


def _or(*values):
    for value in values:
        if truthy(value):
            return value
    return values[-1]


def _printf(fmt: str, *args):
    return re.sub(r"%[vsd]", "%s", fmt) % tuple(to_text(a) for a in args)


FUNCTIONS = {
    "toYaml": to_yaml,
    "toJson": lambda v: json.dumps(v, sort_keys=True, separators=(",", ":")),
    "nindent": lambda n, s: "\n" + _indent(n, s),
    "indent": _indent,
    "quote": lambda *v: " ".join(json.dumps(to_text(x), ensure_ascii=False) for x in v),
    "default": lambda fallback, value=None: value if truthy(value) else fallback,
    "trunc": lambda n, s: to_text(s)[: int(n)],
    "trimSuffix": lambda suffix, s: to_text(s).removesuffix(suffix),
    "printf": _printf,
    "print": lambda *v: "".join(to_text(x) for x in v),
    "contains": lambda needle, haystack: needle in to_text(haystack),
    "required": _required,
    "eq": lambda a, *others: any(a == b for b in others),
    "ne": lambda a, b: a != b,
    "not": lambda v: not truthy(v),
    "and": _and,
    "or": _or,
    "list": lambda *v: list(v),
    "index": lambda collection, *keys: _index(collection, keys),
    "sha256sum": lambda s: hashlib.sha256(to_text(s).encode()).hexdigest(),
}


def _index(collection, keys):
    for key in keys:
        collection = collection[key] if collection is not None else None
    return collection


# --- evaluation -------------------------------------------------------------------------------------


class Renderer:
    def __init__(self, defines: dict[str, list]):
        self.defines = defines

    def render(self, nodes: list, dot: Any, scopes: list[dict]) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, Action):
                value = self.pipeline(node.source, dot, scopes, declare=True)
                if value is not _DECLARED:
                    out.append(to_text(value))
            elif node.kind == "define":
                continue
            elif node.kind == "if":
                branch = (
                    node.body if truthy(self.pipeline(node.source, dot, scopes)) else node.orelse
                )
                out.append(self.render(branch, dot, [*scopes, {}]))
            elif node.kind == "with":
                value = self.pipeline(node.source, dot, scopes)
                if truthy(value):
                    out.append(self.render(node.body, value, [*scopes, {}]))
                else:
                    out.append(self.render(node.orelse, dot, [*scopes, {}]))
            elif node.kind == "range":
                out.append(self._range(node, dot, scopes))
        return "".join(out)

    def _range(self, node: Block, dot, scopes) -> str:
        names: list[str] = []
        source = node.source
        if ":=" in source:
            left, source = source.split(":=", 1)
            names = [n.strip() for n in left.split(",")]
        collection = self.pipeline(source.strip(), dot, scopes)
        if isinstance(collection, dict):
            items = [(k, collection[k]) for k in sorted(collection)]
        else:
            items = list(enumerate(collection or []))
        if not items:
            return self.render(node.orelse, dot, [*scopes, {}])
        out = []
        for key, value in items:
            scope: dict[str, Any] = {}
            if len(names) == 1:
                scope[names[0]] = value
            elif len(names) == 2:
                scope[names[0]], scope[names[1]] = key, value
            out.append(self.render(node.body, value, [*scopes, scope]))
        return "".join(out)

    # pipelines
    def pipeline(self, source: str, dot, scopes, *, declare: bool = False):
        tokens = _tokens(source)
        if (
            declare
            and len(tokens) > 2
            and tokens[0][0] == "variable"
            and tokens[1][0] in {"declare", "assign"}
        ):
            value = self._pipe(tokens[2:], dot, scopes)
            name = tokens[0][1]
            if tokens[1][0] == "declare":
                scopes[-1][name] = value
            else:
                for scope in reversed(scopes):
                    if name in scope:
                        scope[name] = value
                        break
            return _DECLARED
        return self._pipe(tokens, dot, scopes)

    def _pipe(self, tokens, dot, scopes):
        commands, depth, current = [], 0, []
        for token in tokens:
            if token[0] == "open":
                depth += 1
            elif token[0] == "close":
                depth -= 1
            if token[0] == "pipe" and depth == 0:
                commands.append(current)
                current = []
            else:
                current.append(token)
        commands.append(current)
        value = _NOTHING
        for command in commands:
            value = self._command(command, dot, scopes, value)
        return value

    def _command(self, tokens, dot, scopes, piped):
        terms = self._terms(tokens, dot, scopes)
        head, args = terms[0], terms[1:]
        if piped is not _NOTHING:
            args = [*args, piped]
        if isinstance(head, _Function):
            if head.name == "include":
                return self.include(args[0], args[1])
            return FUNCTIONS[head.name](*args)
        if args:
            raise TemplateError(f"cannot call a value with arguments: {tokens}")
        return head

    def _terms(self, tokens, dot, scopes) -> list:
        terms, i = [], 0
        while i < len(tokens):
            kind, text = tokens[i]
            if kind == "open":
                depth, j = 1, i + 1
                while depth:
                    depth += {"open": 1, "close": -1}.get(tokens[j][0], 0)
                    j += 1
                terms.append(self._pipe(tokens[i + 1 : j - 1], dot, scopes))
                i = j
                continue
            if kind == "string":
                terms.append(json.loads(text))
            elif kind == "raw":
                terms.append(text[1:-1])
            elif kind == "number":
                terms.append(float(text) if "." in text else int(text))
            elif kind == "field":
                terms.append(_walk(dot, text))
            elif kind == "variable":
                name, _, path = text.partition(".")
                terms.append(_walk(self._lookup(name, scopes), "." + path if path else "."))
            elif kind == "ident":
                if text in {"true", "false"}:
                    terms.append(text == "true")
                elif text == "nil":
                    terms.append(None)
                elif text in FUNCTIONS or text == "include":
                    terms.append(_Function(text))
                else:
                    raise TemplateError(f"unknown function {text!r}")
            else:
                raise TemplateError(f"unexpected {text!r}")
            i += 1
        return terms

    @staticmethod
    def _lookup(name: str, scopes):
        for scope in reversed(scopes):
            if name in scope:
                return scope[name]
        raise TemplateError(f"undefined variable {name}")

    def include(self, name: str, context):
        if name not in self.defines:
            raise TemplateError(f"no template named {name!r}")
        return self.render(self.defines[name], context, [{"$": context}])


@dataclass
class _Function:
    name: str


_NOTHING = object()
_DECLARED = object()


def _tokens(source: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    source = source.strip()
    while position < len(source):
        match = TOKEN.match(source, position)
        if not match or match.end() == position:
            raise TemplateError(f"cannot read {source[position:]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _walk(value, path: str):
    for part in [p for p in path.split(".") if p]:
        if isinstance(value, dict):
            value = value.get(part)
        elif value is None:
            return None
        else:
            raise TemplateError(f"cannot read .{part} of {type(value).__name__}")
    return value


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def render_chart(
    chart: Path, *, release: str = "civitas", namespace: str = "default", values: dict | None = None
) -> dict[str, list[dict]]:
    """Render every template of ``chart``: ``{template file name: [manifest, ...]}``."""
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    defaults = yaml.safe_load((chart / "values.yaml").read_text()) or {}
    context = {
        "Values": _merge(defaults, values or {}),
        "Release": {"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": True},
        "Chart": {
            "Name": meta["name"],
            "Version": meta["version"],
            "AppVersion": meta.get("appVersion", ""),
        },
    }
    files = sorted((chart / "templates").glob("*"))
    parsed = {path.name: parse(path.read_text()) for path in files}
    defines: dict[str, list] = {}

    def collect(nodes):
        for node in nodes:
            if isinstance(node, Block):
                if node.kind == "define":
                    defines[json.loads(node.source)] = node.body
                collect(node.body)

    for nodes in parsed.values():
        collect(nodes)
    renderer = Renderer(defines)
    rendered: dict[str, list[dict]] = {}
    for name, nodes in parsed.items():
        if name.startswith("_"):
            continue
        text = renderer.render(nodes, context, [{"$": context}])
        documents = [doc for doc in yaml.safe_load_all(text) if doc]
        if documents:
            rendered[name] = documents
    return rendered
