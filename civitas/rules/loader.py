"""Load a programme folder (or the same files held in memory) into a checked model.

Layout of a programme::

    programme.yaml        name, label, version, currency, outputs, entities, settings
    variables/*.yaml      variable definitions and their formulas (or variables.yaml)
    parameters/**.yaml    parameters and scales; folders and file names make the path
    tests/**.yaml         YAML tests, run by ``civitas rules test``

Every problem found is collected and reported together; a programme with any
problem does not load at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from civitas.rules.checker import Checker, Scope
from civitas.rules.errors import ExpressionError, Location, ProgrammeError
from civitas.rules.expressions import parse
from civitas.rules.model import (
    BOOL,
    DATE,
    ENUM,
    FLOAT,
    INT,
    LINEAR_AVERAGE_RATE,
    MARGINAL_AMOUNT,
    MARGINAL_RATE,
    SCALE_KINDS,
    STR,
    VALUE_KINDS,
    ZERO_DEFAULTS,
    Bracket,
    DatedValue,
    Entity,
    FormulaVersion,
    Parameter,
    Programme,
    Role,
    Scale,
    Settings,
    ValueType,
    Variable,
)
from civitas.rules.periods import ETERNITY, MONTH, UNITS
from civitas.rules.yamlsource import (
    LocatedDict,
    key_location,
    load_yaml,
    node_location,
    scalar_offset_location,
    value_location,
)

TYPE_ALIASES = {
    "float": FLOAT,
    "number": FLOAT,
    "amount": FLOAT,
    "int": INT,
    "integer": INT,
    "bool": BOOL,
    "boolean": BOOL,
    "date": DATE,
    "str": STR,
    "string": STR,
    "text": STR,
    "enum": ENUM,
}
PERIOD_ALIASES = {"month": MONTH, "year": "year", "eternity": ETERNITY}
VARIABLE_KEYS = {
    "entity",
    "type",
    "period",
    "label",
    "description",
    "reference",
    "unit",
    "default",
    "values",
    "set_input",
    "end",
    "formula",
    "formulas",
    "documentation",
}
PROGRAMME_KEYS = {
    "name",
    "label",
    "version",
    "description",
    "currency",
    "outputs",
    "entities",
    "float_storage",
    "require_references",
}
# reform.yaml: where the baseline is (for a reform folder) and what to call the result
REFORM_KEYS = {"base", "name", "label", "version", "description"}
REFORM_PREFIX = "reform:"  # internal key of a reform's files, apart from the baseline's
NODE_META_KEYS = {"description", "metadata", "documentation", "reference", "unit", "label"}
DEFAULT_ENTITIES = (
    Entity("person", "persons", "Person", (), True),
    Entity(
        "household",
        "households",
        "Household",
        (Role("adult", "adults", "Adult"), Role("child", "children", "Child")),
    ),
)


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[Location | None, str]] = []

    def add(self, loc: Location | None, message: str) -> None:
        self.items.append((loc, message))


def load_programme(path: str | Path) -> Programme:
    """Load and check the programme in folder ``path``."""
    root = Path(path)
    sources = _read_folder(root)
    if "reform.yaml" not in sources:
        return load_programme_from_sources(
            sources, default_name=root.resolve().name, display_root=str(root)
        )
    # A reform folder: its reform.yaml names the baseline folder, relative to it.
    meta = load_yaml(sources["reform.yaml"], str(root / "reform.yaml"))
    base = meta.get("base") if isinstance(meta, dict) else None
    if not isinstance(base, str) or not (root / base).is_dir():
        raise ProgrammeError.single(
            Location(str(root / "reform.yaml")),
            "a reform folder's reform.yaml needs base: the baseline programme folder, "
            "relative to the reform folder",
        )
    base_root = root / base
    return load_programme_from_sources(
        _read_folder(base_root),
        default_name=base_root.resolve().name,
        display_root=str(base_root),
        reform=sources,
        reform_root=str(root),
    )


def _read_folder(root: Path) -> dict[str, str]:
    if not root.is_dir():
        raise ProgrammeError.single(Location(str(root)), "not a programme folder")
    sources: dict[str, str] = {}
    for file in sorted(root.rglob("*")):
        if file.is_file() and file.suffix in (".yaml", ".yml"):
            rel = file.relative_to(root).as_posix()
            try:
                sources[rel] = file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise ProgrammeError.single(Location(rel), "not UTF-8 text") from None
    return sources


def load_programme_from_sources(
    sources: Mapping[str, str],
    *,
    default_name: str = "programme",
    display_root: str = "",
    reform: Mapping[str, str] | None = None,
    reform_root: str = "",
) -> Programme:
    """Load and check a programme held in memory as ``{relative file name: YAML text}``.

    ``reform``: files laid over the programme (``reform.yaml``, ``variables/``,
    ``parameters/``): each variable they define replaces the programme's variable of that
    name or adds one, each parameter or scale replaces the one at its path or adds one;
    ``reform.yaml`` may rename the result (name, label, version, description). The result
    is checked as a whole, like any programme."""
    return _Builder(
        dict(sources), default_name, display_root, dict(reform or {}), reform_root
    ).build()


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _reference_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return "; ".join(_reference_text(v) for v in value if v)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_reference_text(v)}" for k, v in value.items())
    return str(value)


class _Builder:
    def __init__(
        self,
        sources: dict[str, str],
        default_name: str,
        display_root: str,
        reform: dict[str, str] | None = None,
        reform_root: str = "",
    ) -> None:
        self.sources = sources
        self.default_name = default_name
        self.root = display_root
        self.reform = reform or {}
        self.reform_root = reform_root
        # every file's text by internal key: its path, or REFORM_PREFIX + path for a reform's
        self.texts = dict(sources) | {REFORM_PREFIX + r: t for r, t in self.reform.items()}
        self.problems = _Problems()
        self.docs: dict[str, Any] = {}
        self.reform_docs: dict[str, Any] = {}
        # formula id -> (YAML mark of its text, file lines): to place errors inside formulas
        self._marks: dict[int, Any] = {}

    def where(self, rel: str) -> str:
        if rel.startswith(REFORM_PREFIX):
            rel = rel[len(REFORM_PREFIX) :]
            root = self.reform_root or "(reform)"
            return f"{root.rstrip('/')}/{rel}"
        return f"{self.root.rstrip('/')}/{rel}" if self.root else rel

    def layers(self) -> list[tuple[dict[str, Any], str]]:
        """The baseline's files, then a reform's (whose definitions win), with the prefix
        of their internal keys."""
        return [(self.docs, ""), (self.reform_docs, REFORM_PREFIX)]

    # -- top level
    def build(self) -> Programme:
        for rel, text in sorted(self.sources.items()):
            try:
                self.docs[rel] = load_yaml(text, self.where(rel))
            except ProgrammeError as exc:
                self.problems.items.extend(exc.problems)
        for rel, text in sorted(self.reform.items()):
            try:
                self.reform_docs[rel] = load_yaml(text, self.where(REFORM_PREFIX + rel))
            except ProgrammeError as exc:
                self.problems.items.extend(exc.problems)
        meta = self.programme_meta()
        renamed = self.reform_meta()
        entities = self.entities(meta)
        parameters = self.parameters()
        variables = self.variables(entities)
        self.check_names(entities, variables, parameters)
        settings = Settings(
            float_storage=str(meta.get("float_storage", "float64")),
            require_references=bool(meta.get("require_references", False)),
            currency=str(meta.get("currency", "") or ""),
        )
        if settings.float_storage not in ("float64", "float32"):
            self.problems.add(
                self.meta_loc(meta, "float_storage"), "float_storage must be float64 or float32"
            )
        if settings.require_references:
            self.check_references(parameters)
        self.check_formulas(entities, variables, parameters)
        if not self.problems.items:
            self.check_cycles(variables)
        outputs = self.outputs(meta, variables)
        unknown = [r for r in self.docs if not self.known_file(r)]
        for rel in unknown:
            self.problems.add(
                Location(self.where(rel)),
                "not a programme file: expected programme.yaml, variables.yaml, "
                "variables/, parameters/, tests/ or reforms/",
            )
        for rel in self.reform_docs:
            if rel != "reform.yaml" and rel.split("/")[0] not in ("variables", "parameters"):
                self.problems.add(
                    Location(self.where(REFORM_PREFIX + rel)),
                    "not a reform file: expected reform.yaml, variables/ or parameters/",
                )
        if self.problems.items:
            raise ProgrammeError(self.problems.items)
        meta = {**meta, **renamed}
        return Programme(
            name=str(meta.get("name") or self.default_name),
            label=str(meta.get("label") or meta.get("name") or self.default_name),
            version=str(meta.get("version", "") or ""),
            description=str(meta.get("description", "") or ""),
            entities={e.key: e for e in entities},
            variables=variables,
            parameters=parameters,
            settings=settings,
            outputs=outputs,
            sources=dict(self.sources),
            test_files=tuple(sorted(r for r in self.docs if r.startswith("tests/"))),
        )

    @staticmethod
    def known_file(rel: str) -> bool:
        return rel in (
            "programme.yaml",
            "programme.yml",
            "variables.yaml",
            "variables.yml",
        ) or rel.split("/")[0] in ("variables", "parameters", "tests", "reforms")

    def meta_loc(self, meta: Any, key: str) -> Location:
        return key_location(self.where("programme.yaml"), meta, key)

    def programme_meta(self) -> dict[str, Any]:
        rel = "programme.yaml" if "programme.yaml" in self.docs else "programme.yml"
        meta = self.docs.get(rel)
        if meta is None:
            return {}
        if not isinstance(meta, dict):
            self.problems.add(Location(self.where(rel)), "programme.yaml must be a mapping")
            return {}
        for key in meta:
            if key not in PROGRAMME_KEYS:
                self.problems.add(
                    key_location(self.where(rel), meta, key),
                    f"unknown programme setting {key!r}; known: "
                    + ", ".join(sorted(PROGRAMME_KEYS)),
                )
        return meta

    def reform_meta(self) -> dict[str, Any]:
        """What reform.yaml renames (name, label, version, description)."""
        meta = self.reform_docs.get("reform.yaml")
        if meta is None:
            return {}
        where = self.where(REFORM_PREFIX + "reform.yaml")
        if not isinstance(meta, dict):
            self.problems.add(Location(where), "reform.yaml must be a mapping")
            return {}
        for key in meta:
            if key not in REFORM_KEYS:
                self.problems.add(
                    key_location(where, meta, key),
                    f"unknown reform setting {key!r}; known: " + ", ".join(sorted(REFORM_KEYS)),
                )
        return {k: meta[k] for k in ("name", "label", "version", "description") if meta.get(k)}

    def entities(self, meta: dict[str, Any]) -> list[Entity]:
        spec = meta.get("entities")
        if spec is None:
            return list(DEFAULT_ENTITIES)
        file = self.where("programme.yaml")
        if not isinstance(spec, dict):
            self.problems.add(self.meta_loc(meta, "entities"), "entities must be a mapping")
            return list(DEFAULT_ENTITIES)
        result: list[Entity] = []
        for key, body in spec.items():
            loc = key_location(file, spec, key)
            body = body or {}
            if not isinstance(body, dict):
                self.problems.add(loc, f"entity {key!r} must be a mapping")
                continue
            roles_spec = body.get("roles") or {}
            roles = []
            if isinstance(roles_spec, dict):
                for rkey, rbody in roles_spec.items():
                    rbody = rbody or {}
                    roles.append(
                        Role(
                            str(rkey),
                            str(rbody.get("plural", f"{rkey}s")),
                            str(rbody.get("label", rkey)),
                        )
                    )
            else:
                self.problems.add(loc, "roles must be a mapping of role name to plural/label")
            is_person = not roles
            result.append(
                Entity(
                    str(key),
                    str(body.get("plural", f"{key}s")),
                    str(body.get("label", key)),
                    tuple(roles),
                    is_person,
                )
            )
        if sum(e.is_person for e in result) != 1:
            self.problems.add(
                self.meta_loc(meta, "entities"),
                "exactly one entity must have no roles: the person entity",
            )
            return list(DEFAULT_ENTITIES)
        return result

    def outputs(self, meta: dict[str, Any], variables: dict[str, Variable]) -> tuple[str, ...]:
        outs = meta.get("outputs") or []
        if not isinstance(outs, list):
            self.problems.add(self.meta_loc(meta, "outputs"), "outputs must be a list of names")
            return ()
        for i, name in enumerate(outs):
            if name not in variables:
                loc = (
                    Location(
                        self.where("programme.yaml"),
                        outs.item_marks[i].line,
                        outs.item_marks[i].column,
                    )
                    if hasattr(outs, "item_marks")
                    else None
                )
                self.problems.add(loc, f"output {name!r} is not a variable of the programme")
        return tuple(str(o) for o in outs)

    # -- parameters
    def parameters(self) -> dict[str, Parameter | Scale]:
        result: dict[str, Parameter | Scale] = {}
        for docs, prefix in self.layers():  # a reform's parameters replace the baseline's
            for rel, doc in sorted(docs.items()):
                if not rel.startswith("parameters/"):
                    continue
                parts = rel[len("parameters/") :].rsplit(".", 1)[0].split("/")
                if parts[-1] == "index":
                    continue  # node metadata only
                file = self.where(prefix + rel)
                if not isinstance(doc, dict):
                    self.problems.add(Location(file), "a parameter file must be a mapping")
                    continue
                self.parameter_node(".".join(parts), doc, file, result, node_location(file, doc))
        return result

    def parameter_node(
        self,
        path: str,
        node: dict[str, Any],
        file: str,
        out: dict[str, Parameter | Scale],
        loc: Location,
    ) -> None:
        if "values" in node:
            out[path] = self.parameter(path, node, file, loc)
        elif "brackets" in node:
            scale = self.scale(path, node, file, loc)
            if scale is not None:
                out[path] = scale
        else:
            children = [k for k in node if k not in NODE_META_KEYS]
            if not children:
                self.problems.add(loc, f"parameter {path} has no values or brackets")
            for key in children:
                child = node[key]
                cloc = key_location(file, node, key)
                if not isinstance(child, dict):
                    self.problems.add(
                        cloc, f"{path}.{key}: expected 'values', 'brackets' or nested parameters"
                    )
                    continue
                self.parameter_node(f"{path}.{key}", child, file, out, cloc)

    def _meta(self, node: dict[str, Any], key: str) -> Any:
        if key in node:
            return node[key]
        meta = node.get("metadata")
        return meta.get(key) if isinstance(meta, dict) else None

    def parameter(self, path: str, node: dict[str, Any], file: str, loc: Location) -> Parameter:
        for key in node:
            if key not in NODE_META_KEYS | {"values"}:
                self.problems.add(
                    key_location(file, node, key), f"unknown key {key!r} in parameter {path}"
                )
        values = self.value_history(
            path, node.get("values"), file, value_location(file, node, "values")
        )
        return Parameter(
            path,
            values,
            loc,
            description=str(node.get("description") or ""),
            unit=str(self._meta(node, "unit") or ""),
            reference=_reference_text(self._meta(node, "reference")),
        )

    def value_history(self, path: str, spec: Any, file: str, loc: Location) -> list[DatedValue]:
        if not isinstance(spec, dict) or not spec:
            self.problems.add(loc, f"{path}: values must map start dates to values")
            return []
        result: list[DatedValue] = []
        for key, entry in spec.items():
            kloc = key_location(file, spec, key)
            start = _as_date(key)
            if start is None:
                self.problems.add(kloc, f"{path}: {key!r} is not a start date YYYY-MM-DD")
                continue
            reference = ""
            end = None
            if isinstance(entry, dict):
                for k in entry:
                    if k not in ("value", "metadata", "reference", "end"):
                        self.problems.add(
                            key_location(file, entry, k),
                            f"{path}: unknown key {k!r} in a dated value",
                        )
                if "value" not in entry:
                    self.problems.add(kloc, f"{path}: the entry for {start} has no 'value'")
                    continue
                reference = _reference_text(self._meta(entry, "reference"))
                if "end" in entry:
                    end = _as_date(entry["end"])
                    if end is None or end < start:
                        self.problems.add(
                            key_location(file, entry, "end"),
                            f"{path}: end must be a date on or after {start}",
                        )
                        end = None
                value = entry["value"]
            else:
                value = entry
            if value == "expected":
                continue  # a placeholder for a change announced but not yet decided
            if value is not None and not isinstance(value, (int, float)):
                self.problems.add(
                    value_location(file, spec, key),
                    f"{path}: value {value!r} is not a number or true/false",
                )
                continue
            result.append(DatedValue(start, value, reference, kloc))
            if end is not None:
                result.append(DatedValue(end + timedelta(days=1), None, "", kloc))
        starts = [v.start for v in result]
        if len(set(starts)) != len(starts):
            self.problems.add(loc, f"{path}: two values start on the same date")
        return result

    def scale(self, path: str, node: dict[str, Any], file: str, loc: Location) -> Scale | None:
        brackets_spec = node.get("brackets")
        bloc = value_location(file, node, "brackets")
        if not isinstance(brackets_spec, list) or not brackets_spec:
            self.problems.add(bloc, f"{path}: brackets must be a non-empty list")
            return None
        kind = self._meta(node, "type")
        has_rate = any(isinstance(b, dict) and "rate" in b for b in brackets_spec)
        has_average = any(isinstance(b, dict) and "average_rate" in b for b in brackets_spec)
        if kind is None:
            # As OpenFisca tells them apart: average_rate brackets, rate brackets, amounts.
            kind = (
                LINEAR_AVERAGE_RATE
                if has_average
                else MARGINAL_RATE
                if has_rate
                else MARGINAL_AMOUNT
            )
        if kind not in SCALE_KINDS:
            self.problems.add(
                loc, f"{path}: scale type {kind!r} is not one of " + ", ".join(SCALE_KINDS)
            )
            return None
        value_key = {MARGINAL_RATE: "rate", LINEAR_AVERAGE_RATE: "average_rate"}.get(kind, "amount")
        brackets = []
        for i, b in enumerate(brackets_spec):
            iloc = Location(
                file, brackets_spec.item_marks[i].line, brackets_spec.item_marks[i].column
            )
            if not isinstance(b, dict) or "threshold" not in b or value_key not in b:
                self.problems.add(
                    iloc,
                    f"{path}: bracket {i + 1} needs 'threshold' and '{value_key}' ({kind} scale)",
                )
                continue
            extra = set(b) - {"threshold", value_key}
            if extra:
                self.problems.add(
                    iloc,
                    f"{path}: bracket {i + 1} has unexpected " + ", ".join(sorted(map(str, extra))),
                )
            parts = {}
            for key in ("threshold", value_key):
                spec = b[key]
                if isinstance(spec, dict) and "values" in spec:
                    spec = spec["values"]
                values = self.value_history(
                    f"{path}[{i + 1}].{key}", spec, file, value_location(file, b, key)
                )
                parts[key] = Parameter(
                    f"{path}[{i + 1}].{key}",
                    values,
                    iloc,
                    reference=_reference_text(self._meta(node, "reference")),
                )
            brackets.append(
                Bracket(
                    parts["threshold"],
                    rate=parts.get("rate", parts.get("average_rate")),
                    amount=parts.get("amount"),
                )
            )
        return Scale(
            path,
            kind,
            brackets,
            loc,
            description=str(node.get("description") or ""),
            unit=str(self._meta(node, "unit") or self._meta(node, "threshold_unit") or ""),
            reference=_reference_text(self._meta(node, "reference")),
        )

    def check_references(self, parameters: dict[str, Parameter | Scale]) -> None:
        for param in parameters.values():
            inner = (
                [param]
                if isinstance(param, Parameter)
                else [p for b in param.brackets for p in (b.threshold, b.rate, b.amount) if p]
            )
            for p in inner:
                for v in p.values:
                    if v.value is not None and not (v.reference or param.reference):
                        self.problems.add(
                            v.location,
                            f"{param.path}: the value from {v.start} has no legal reference",
                        )

    # -- variables
    def variables(self, entities: list[Entity]) -> dict[str, Variable]:
        result: dict[str, Variable] = {}
        entity_keys = {e.key for e in entities}
        for docs, prefix in self.layers():
            layer: set[str] = set()  # a reform's variable replaces the baseline's
            for rel, doc in sorted(docs.items()):
                if not (rel.startswith("variables/") or rel.split(".")[0] == "variables"):
                    continue
                file = self.where(prefix + rel)
                if doc is None:
                    continue
                if not isinstance(doc, dict):
                    self.problems.add(Location(file), "a variables file maps names to definitions")
                    continue
                for name, body in doc.items():
                    loc = key_location(file, doc, name)
                    if not isinstance(name, str) or not name.isidentifier():
                        self.problems.add(loc, f"{name!r} is not a valid variable name")
                        continue
                    if name in layer:
                        first = f" (also at {result[name].location})" if name in result else ""
                        self.problems.add(loc, f"variable {name} is defined twice{first}")
                        continue
                    layer.add(name)
                    if not isinstance(body, dict):
                        self.problems.add(loc, f"variable {name} must be a mapping")
                        continue
                    var = self.variable(name, body, file, prefix + rel, loc, entity_keys)
                    if var is not None:
                        result[name] = var
        return result

    def variable(
        self,
        name: str,
        body: LocatedDict,
        file: str,
        rel: str,
        loc: Location,
        entity_keys: set[str],
    ) -> Variable | None:
        ok = True
        for key in body:
            if key not in VARIABLE_KEYS:
                self.problems.add(
                    key_location(file, body, key),
                    f"{name}: unknown key {key!r}; known: " + ", ".join(sorted(VARIABLE_KEYS)),
                )
                ok = False
        entity = body.get("entity")
        if entity not in entity_keys:
            self.problems.add(
                value_location(file, body, "entity") if "entity" in body else loc,
                f"{name}: entity must be one of {', '.join(sorted(entity_keys))}",
            )
            ok = False
        type_name = TYPE_ALIASES.get(str(body.get("type", "")).lower())
        if type_name not in VALUE_KINDS:
            self.problems.add(
                value_location(file, body, "type") if "type" in body else loc,
                f"{name}: type must be one of float, int, bool, date, str, enum",
            )
            return None
        choices: tuple[str, ...] = ()
        if type_name == ENUM:
            values = body.get("values")
            if isinstance(values, (dict, list)):
                choices = tuple(str(k) for k in values)
            if not choices:
                self.problems.add(loc, f"{name}: an enum lists its possible values under 'values'")
                return None
        vtype = ValueType(type_name, choices, name if choices else "")
        unit_name = PERIOD_ALIASES.get(str(body.get("period", "month")).lower())
        if unit_name not in UNITS:
            self.problems.add(
                value_location(file, body, "period"),
                f"{name}: period must be month, year or eternity",
            )
            ok = False
        default = self.default_value(name, vtype, body, file)
        end = None
        if "end" in body:
            end = _as_date(body["end"])
            if end is None:
                self.problems.add(
                    value_location(file, body, "end"), f"{name}: end must be a date YYYY-MM-DD"
                )
        set_input = str(body.get("set_input", "") or "")
        if set_input not in ("", "divide"):
            self.problems.add(
                value_location(file, body, "set_input"), f"{name}: set_input can only be 'divide'"
            )
        var = Variable(
            name=name,
            entity=str(entity),
            value_type=vtype,
            period_unit=str(unit_name),
            location=loc,
            label=str(body.get("label") or ""),
            description=str(body.get("description") or body.get("documentation") or ""),
            reference=_reference_text(body.get("reference")),
            unit=str(body.get("unit") or ""),
            default=default,
            set_input=set_input,
            end=end,
        )
        var.formulas = self.formula_versions(var, body, file, rel)
        return var if ok else None

    def default_value(self, name: str, vtype: ValueType, body: dict[str, Any], file: str) -> Any:
        if "default" not in body:
            return vtype.choices[0] if vtype.kind == ENUM else ZERO_DEFAULTS[vtype.kind]
        raw = body["default"]
        loc = value_location(file, body, "default")
        try:
            return coerce_value(raw, vtype)
        except ValueError as exc:
            self.problems.add(loc, f"{name}: default {exc}")
            return ZERO_DEFAULTS.get(vtype.kind)

    def formula_versions(
        self, var: Variable, body: LocatedDict, file: str, rel: str
    ) -> list[FormulaVersion]:
        versions: list[FormulaVersion] = []
        lines = self.texts[rel].splitlines()
        if "formula" in body and "formulas" in body:
            self.problems.add(
                key_location(file, body, "formulas"),
                f"{var.name}: give either formula or formulas, not both",
            )
            return []
        if "formula" in body:
            src = body["formula"]
            if not isinstance(src, str):
                src = str(src)
            versions.append(FormulaVersion(src, value_location(file, body, "formula")))
            self._remember(versions[-1], body, "formula", lines)
        elif "formulas" in body:
            spec = body["formulas"]
            if isinstance(spec, dict):
                for start_key, src in spec.items():
                    start = _as_date(start_key)
                    if start is None:
                        self.problems.add(
                            key_location(file, spec, start_key),
                            f"{var.name}: {start_key!r} is not a start date",
                        )
                        continue
                    fv = FormulaVersion(str(src), value_location(file, spec, start_key), start)
                    self._remember(fv, spec, start_key, lines)
                    versions.append(fv)
            elif isinstance(spec, list):
                for i, item in enumerate(spec):
                    iloc = Location(file, spec.item_marks[i].line, spec.item_marks[i].column)
                    if not isinstance(item, dict) or "formula" not in item:
                        self.problems.add(
                            iloc,
                            f"{var.name}: each version needs a 'formula' "
                            "(and optional start/end dates)",
                        )
                        continue
                    start = _as_date(item["start"]) if "start" in item else None
                    end = _as_date(item["end"]) if "end" in item else None
                    if ("start" in item and start is None) or ("end" in item and end is None):
                        self.problems.add(iloc, f"{var.name}: start and end are dates YYYY-MM-DD")
                        continue
                    if start and end and end < start:
                        self.problems.add(iloc, f"{var.name}: this version ends before it starts")
                    fv = FormulaVersion(
                        str(item["formula"]), value_location(file, item, "formula"), start, end
                    )
                    self._remember(fv, item, "formula", lines)
                    versions.append(fv)
            else:
                self.problems.add(
                    key_location(file, body, "formulas"),
                    f"{var.name}: formulas maps start dates to formulas, or "
                    "lists {start, end, formula}",
                )
        starts = [v.start for v in versions]
        if len(set(starts)) != len(starts):
            self.problems.add(
                var.location, f"{var.name}: two formula versions start on the same date"
            )
        versions.sort(key=lambda v: (v.start is not None, v.start or date.min))
        return versions

    def _remember(self, fv: FormulaVersion, mapping: Any, key: Any, lines: list[str]) -> None:
        marks = getattr(mapping, "value_marks", {})
        self._marks[id(fv)] = (marks.get(key), lines)

    def check_names(
        self,
        entities: list[Entity],
        variables: dict[str, Variable],
        parameters: dict[str, Parameter | Scale],
    ) -> None:
        reserved = {e.key for e in entities} | {"period", "role"}
        for path, param in parameters.items():
            head = path.split(".")[0]
            if head in reserved:
                self.problems.add(
                    param.location,
                    f"parameter {path}: {head!r} is reserved "
                    "(an entity, 'period' or 'role'); rename the folder or file",
                )
            if "." not in path and path in variables:
                self.problems.add(param.location, f"parameter {path} has the name of a variable")
        for name, var in variables.items():
            if name in reserved:
                self.problems.add(var.location, f"variable name {name!r} is reserved")

    def check_formulas(
        self,
        entities: list[Entity],
        variables: dict[str, Variable],
        parameters: dict[str, Parameter | Scale],
    ) -> None:
        ents = {e.key: e for e in entities}
        for var in variables.values():
            for fv in var.formulas:
                scope = Scope(ents, variables, parameters, var)
                try:
                    tree = parse(fv.source)
                    Checker(scope).check_formula(tree)
                except ExpressionError as exc:
                    mark, lines = self._marks.get(id(fv), (None, []))
                    loc = scalar_offset_location(
                        fv.location.file, lines, mark, fv.source, exc.offset
                    )
                    self.problems.add(loc, f"{var.name}: {exc.message}")
                    continue
                fv.tree = tree
                fv.parameters = tuple(sorted(scope.params))
                fv.reads = tuple(sorted(scope.reads, key=lambda r: (r[0], r[1] or "")))

    def check_cycles(self, variables: dict[str, Variable]) -> None:
        """Formulas must not depend on themselves, directly or through others."""
        state: dict[str, int] = {}  # 1 visiting, 2 done
        stack: list[str] = []
        reported: set[frozenset[str]] = set()

        def visit(name: str) -> None:
            state[name] = 1
            stack.append(name)
            for fv in variables[name].formulas:
                for dep, _sel in fv.reads:
                    if state.get(dep) == 1:
                        cycle = [*stack[stack.index(dep) :], dep]
                        key = frozenset(cycle)
                        if key not in reported:
                            reported.add(key)
                            self.problems.add(
                                fv.location, "cycle between formulas: " + " -> ".join(cycle)
                            )
                    elif dep not in state:
                        visit(dep)
            stack.pop()
            state[name] = 2

        for name in variables:
            if name not in state:
                visit(name)


def coerce_value(raw: Any, vtype: ValueType) -> Any:
    """Convert a YAML/JSON scalar to the engine's value for ``vtype``; ValueError otherwise."""
    kind = vtype.kind
    if kind == FLOAT:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ValueError(f"{raw!r} is not a number")
        return float(raw)
    if kind == INT:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or int(raw) != raw:
            raise ValueError(f"{raw!r} is not a whole number")
        return int(raw)
    if kind == BOOL:
        if not isinstance(raw, bool):
            raise ValueError(f"{raw!r} is not true or false")
        return raw
    if kind == DATE:
        d = _as_date(raw)
        if d is None:
            raise ValueError(f"{raw!r} is not a date YYYY-MM-DD")
        return d
    if kind == STR:
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            raise ValueError(f"{raw!r} is not text")
        return str(raw)
    if raw not in vtype.choices:
        raise ValueError(f"{raw!r} is not one of {', '.join(vtype.choices)}")
    return str(raw)
