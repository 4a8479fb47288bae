"""A small declarative spec for YAML documents: one definition gives validation and JSON Schema.

Validation collects every problem (unknown keys with a did-you-mean, wrong types, bad patterns), each
pinned to its file, line and column through the Located document.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devenv.domain.yamldoc import Located, PathKey

JsonSchema = dict[str, Any]


class Spec:
    description: str = ""

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        raise NotImplementedError

    def schema(self) -> JsonSchema:
        raise NotImplementedError

    def expects(self) -> str:
        raise NotImplementedError

    def _described(self, schema: JsonSchema) -> JsonSchema:
        if self.description:
            schema["description"] = self.description
        return schema


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"a number ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text ('{shown}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_YAML_TRUE = ("yes", "on", "true", "y")
_YAML_FALSE = ("no", "off", "false", "n")


def _wrong(value: Any, spec: Spec, path: PathKey, doc: Located, problems: list[Any]) -> None:
    problems.append(doc.problem(path, f"expected {spec.expects()}, got {_type_name(value)}", code="type"))


@dataclass
class Str(Spec):
    pattern: str | None = None
    pattern_hint: str | None = None
    enum: tuple[str, ...] = ()
    description: str = ""

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        if isinstance(value, bool):
            problems.append(
                doc.problem(
                    path, f"expected text, got {_type_name(value)}", hint=self._quote_hint(value, path), code="type"
                )
            )
            return
        if not isinstance(value, str):
            _wrong(value, self, path, doc, problems)
            return
        if self.enum and value not in self.enum:
            close = difflib.get_close_matches(value, self.enum, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(self.enum)}"
            problems.append(doc.problem(path, f"'{value}' is not allowed here", hint=hint, code="enum"))
        elif self.pattern and not re.fullmatch(self.pattern, value):
            problems.append(doc.problem(path, f"'{value}' is not {self.pattern_hint or 'valid here'}", code="pattern"))

    def expects(self) -> str:
        return "text"

    def _quote_hint(self, value: bool, path: PathKey) -> str:
        """YAML 1.1 reads an unquoted yes/no/on/off/true/false as a boolean: say how to keep the text."""
        words = _YAML_TRUE if value else _YAML_FALSE
        meant = next((e for e in self.enum if e.lower() in words), None)
        key = path[-1] if path and isinstance(path[-1], str) else None
        if meant is not None and key is not None:
            return f'YAML reads an unquoted {meant} as {str(value).lower()}; write {key}: "{meant}"'
        return "YAML reads an unquoted yes, no, on, off, true or false as a boolean; quote it to keep the text"

    def schema(self) -> JsonSchema:
        out: JsonSchema = {"type": "string"}
        if self.enum:
            out["enum"] = list(self.enum)
        elif self.pattern:
            out["pattern"] = f"^(?:{self.pattern})$"
        return self._described(out)


@dataclass
class Int(Spec):
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            _wrong(value, self, path, doc, problems)
            return
        if self.minimum is not None and value < self.minimum:
            problems.append(doc.problem(path, f"{value} is below the minimum {self.minimum}", code="range"))
        if self.maximum is not None and value > self.maximum:
            problems.append(doc.problem(path, f"{value} is above the maximum {self.maximum}", code="range"))

    def expects(self) -> str:
        return "a whole number"

    def schema(self) -> JsonSchema:
        out: JsonSchema = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return self._described(out)


@dataclass
class Bool(Spec):
    description: str = ""

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        if not isinstance(value, bool):
            _wrong(value, self, path, doc, problems)

    def expects(self) -> str:
        return "true or false"

    def schema(self) -> JsonSchema:
        return self._described({"type": "boolean"})


@dataclass
class Scalar(Spec):
    """Text, a number or a boolean (environment values, defaults)."""

    description: str = ""

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        if not isinstance(value, (str, int, float, bool)):
            _wrong(value, self, path, doc, problems)

    def expects(self) -> str:
        return "text, a number or true/false"

    def schema(self) -> JsonSchema:
        return self._described({"type": ["string", "number", "boolean"]})


@dataclass
class AnyValue(Spec):
    description: str = ""

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        return

    def expects(self) -> str:
        return "anything"

    def schema(self) -> JsonSchema:
        return self._described({})


@dataclass
class ListOf(Spec):
    item: Spec
    description: str = ""

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        if not isinstance(value, list):
            _wrong(value, self, path, doc, problems)
            return
        for i, item in enumerate(value):
            self.item.check(item, (*path, i), doc, problems)

    def expects(self) -> str:
        return f"a list of {self.item.expects()}"

    def schema(self) -> JsonSchema:
        return self._described({"type": "array", "items": self.item.schema()})


@dataclass
class MapOf(Spec):
    """A mapping whose keys are names chosen by the author (services, variables, environment)."""

    value: Spec
    key_pattern: str | None = None
    key_hint: str = "a valid name"
    nullable_values: bool = False  # `services: {worker: null}` removes an inherited service
    description: str = ""

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        if not isinstance(value, dict):
            _wrong(value, self, path, doc, problems)
            return
        for key, item in value.items():
            if self.key_pattern and not re.fullmatch(self.key_pattern, key):
                problems.append(doc.problem((*path, key), f"'{key}' is not {self.key_hint}", code="name"))
            if item is None and self.nullable_values:
                continue
            self.value.check(item, (*path, key), doc, problems)

    def expects(self) -> str:
        return "a mapping"

    def schema(self) -> JsonSchema:
        value_schema = self.value.schema()
        if self.nullable_values:
            value_schema = {"anyOf": [value_schema, {"type": "null"}]}
        out: JsonSchema = {"type": "object", "additionalProperties": value_schema}
        if self.key_pattern:
            out["propertyNames"] = {"pattern": f"^(?:{self.key_pattern})$"}
        return self._described(out)


@dataclass
class Obj(Spec):
    """A mapping with known keys; an unknown key is an error with a did-you-mean."""

    fields: Mapping[str, Spec]
    required: tuple[str, ...] = ()
    name: str = "this section"
    description: str = ""
    exclusive: tuple[tuple[str, ...], ...] = field(default=())  # at most one key of each group

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        if not isinstance(value, dict):
            _wrong(value, self, path, doc, problems)
            return
        for key, item in value.items():
            spec = self.fields.get(key)
            if spec is None:
                close = difflib.get_close_matches(key, list(self.fields), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(self.fields)}"
                problems.append(
                    doc.problem((*path, key), f"unknown key '{key}' in {self.name}", hint=hint, code="unknown-key")
                )
                continue
            spec.check(item, (*path, key), doc, problems)
        for key in self.required:
            if key not in value:
                problems.append(doc.problem(path, f"missing required key '{key}' in {self.name}", code="required"))
        for group in self.exclusive:
            present = [k for k in group if k in value]
            if len(present) > 1:
                problems.append(
                    doc.problem(
                        (*path, present[1]),
                        f"'{present[0]}' and '{present[1]}' cannot both be set in {self.name}",
                        code="exclusive",
                    )
                )

    def expects(self) -> str:
        return "a mapping"

    def schema(self) -> JsonSchema:
        out: JsonSchema = {
            "type": "object",
            "properties": {k: v.schema() for k, v in self.fields.items()},
            "additionalProperties": False,
        }
        if self.required:
            out["required"] = list(self.required)
        return self._described(out)


@dataclass
class OneOf(Spec):
    """Alternatives told apart by their YAML type: text, list or mapping (e.g. `build: app` or `build: {...}`)."""

    options: tuple[Spec, ...]
    description: str = ""

    def check(self, value: Any, path: PathKey, doc: Located, problems: list[Any]) -> None:
        for option in self.options:
            if _accepts_type(option, value):
                option.check(value, path, doc, problems)
                return
        _wrong(value, self, path, doc, problems)

    def expects(self) -> str:
        return " or ".join(o.expects() for o in self.options)

    def schema(self) -> JsonSchema:
        return self._described({"anyOf": [o.schema() for o in self.options]})


def _accepts_type(spec: Spec, value: Any) -> bool:
    if isinstance(spec, Str):
        return isinstance(value, str)
    if isinstance(spec, Int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(spec, Bool):
        return isinstance(value, bool)
    if isinstance(spec, Scalar):
        return isinstance(value, (str, int, float, bool))
    if isinstance(spec, ListOf):
        return isinstance(value, list)
    if isinstance(spec, (Obj, MapOf)):
        return isinstance(value, dict)
    return True
