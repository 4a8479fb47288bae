"""Safe YAML loading that remembers where every value was written (file, line, column).

PyYAML's composer gives nodes with marks; we build plain Python values from them ourselves, recording a
Location for each path, and reject duplicate keys and anything but plain scalars, lists and maps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from devenv.errors import Location, Problem, ProfileError

PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass
class Located:
    """A parsed document: the plain value and where each path in it was written."""

    value: Any
    file: str
    locations: dict[PathKey, Location] = field(default_factory=dict)  # a mapping key: where the key is written
    value_locations: dict[PathKey, Location] = field(default_factory=dict)  # where each value starts

    def where(self, path: PathKey) -> Location | None:
        """The location of `path`, or of its nearest written ancestor."""
        probe = path
        while True:
            loc = self.locations.get(probe)
            if loc is not None or not probe:
                return loc
            probe = probe[:-1]

    def value_where(self, path: PathKey) -> Location | None:
        """Where the value at `path` starts, or that of its nearest existing ancestor."""
        probe = path
        while True:
            loc = self.value_locations.get(probe)
            if loc is not None or not probe:
                return loc
            probe = probe[:-1]

    def problem(self, path: PathKey, message: str, *, hint: str | None = None, code: str = "invalid") -> Problem:
        return Problem(message, self.where(path), format_path(path), hint, code)


def load_yaml(text: str, file: str) -> Located:
    """Parse one YAML document. Raises ProfileError (never a yaml error) with file:line:column."""
    import yaml

    check_bounds(text, file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise _syntax_error(exc, file, text) from exc
    doc = Located(None, file)
    if node is None:
        return doc
    builder = _Builder(doc)
    try:
        doc.value = builder.build(node, (), depth=0)
    finally:
        builder.loader.dispose()
    if builder.problems:
        raise ProfileError(builder.problems)
    return doc


def load_yaml_all(text: str, file: str, *, duplicate_keys: bool = False) -> list[Located]:
    """Every document of a YAML stream (empty ones dropped), with the same limits as load_yaml.

    The node budget is shared by the whole stream, so many small alias bombs are refused like one big
    one. `duplicate_keys=True` lets a later key win, as other tools reading the same file (kubectl,
    compose) do; devenv's own files keep refusing them.
    """
    import yaml

    check_bounds(text, file)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters before parsing starts
        raise _syntax_error(exc, file) from exc
    nodes: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None and not (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
                nodes.append(node)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise _syntax_error(exc, file) from exc
    finally:
        loader.dispose()
    docs: list[Located] = []
    builder = _Builder(Located(None, file), duplicate_keys=duplicate_keys)
    try:
        for node in nodes:
            builder.doc = Located(None, file)
            builder.doc.value = builder.build(node, (), depth=0)
            if builder.problems:
                raise ProfileError(builder.problems)
            docs.append(builder.doc)
    finally:
        builder.loader.dispose()
    return docs


def _syntax_error(exc: Exception, file: str, text: str = "") -> ProfileError:
    """A ProfileError with file:line:column for what PyYAML (or the text itself) got wrong."""
    import yaml

    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        hint = _block_indicator_hint(text, mark.line) if mark and "chomping or indentation" in reason else None
        return ProfileError([Problem(f"YAML syntax error: {reason}", loc, hint=hint, code="yaml")])
    if isinstance(exc, yaml.YAMLError):  # e.g. a multi-document stream where one is expected
        return ProfileError([Problem(f"YAML error: {exc}", Location(file, 1, 1), code="yaml")])
    # ValueError, RecursionError: e.g. unpaired surrogates, absurd nesting
    return ProfileError([Problem(f"unreadable YAML: {exc}", Location(file, 1, 1), code="yaml")])


def _block_indicator_hint(text: str, line: int) -> str | None:
    """`requires: >=0.1`: a value starting with '>' or '|' opens a block of text in YAML; say to quote it."""
    lines = text.splitlines()
    if line >= len(lines):
        return None
    key, sep, value = lines[line].partition(": ")
    value = value.strip()
    if not sep or not value.startswith((">", "|")):
        return None
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'a value starting with {value[0]!r} must be quoted: {key.strip()}: "{quoted}"'


_MAX_DEPTH = 64
_MAX_NODES = 200_000  # aliases can expand a small file exponentially ("billion laughs")


def check_bounds(text: str, file: str) -> None:
    """Refuse, before anything is built, a stream nested deeper than _MAX_DEPTH or whose aliases expand
    to more than _MAX_NODES values. One pass over the parser's events (libyaml's when installed), never
    recursive, never expanding: a 5,000-deep or "billion laughs" document costs what its text costs.

    A stream the scan cannot parse is left to the loader, whose error names the line.
    """
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    anchors: dict[str, int] = {}  # anchor -> how many values it expands to
    open_counts: list[int] = [0]  # values counted inside each open collection (plus the stream)
    open_anchors: list[str | None] = [None]
    total = 0
    try:
        for event in yaml.parse(text, Loader=loader_class):
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                size = 1 if isinstance(event, yaml.ScalarEvent) else anchors.get(str(event.anchor), 1)
                if isinstance(event, yaml.ScalarEvent) and event.anchor:
                    anchors[event.anchor] = 1
                open_counts[-1] += size
                total += size
            elif isinstance(event, yaml.CollectionStartEvent):
                open_counts.append(1)
                open_anchors.append(event.anchor)
                total += 1
                if len(open_counts) - 1 > _MAX_DEPTH:
                    raise _bound_error(file, event, f"nests deeper than {_MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent) and len(open_counts) > 1:
                count, anchor = open_counts.pop(), open_anchors.pop()
                if anchor:
                    anchors[anchor] = count
                open_counts[-1] += count
            if total > _MAX_NODES:
                raise _bound_error(
                    file, event, f"'s aliases expand to more than {_MAX_NODES:,} values (an alias bomb?)"
                )
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # libyaml's own limit (1,000) is deeper than ours
            raise _bound_error(file, exc, f"nests deeper than {_MAX_DEPTH} levels") from exc
    except yaml.YAMLError:
        return


def _bound_error(file: str, event: Any, what: str) -> ProfileError:
    mark = getattr(event, "start_mark", None) or getattr(event, "problem_mark", None)
    loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
    space = "" if what.startswith("'") else " "
    return ProfileError(
        [
            Problem(
                f"refused: the YAML{space}{what}",
                loc,
                hint="no configuration file nests or expands this far; is it generated, or hostile?",
                code="yaml-bounds",
            )
        ]
    )


class _Builder:
    def __init__(self, doc: Located, *, duplicate_keys: bool = False) -> None:
        import yaml

        self.yaml = yaml
        self.doc = doc
        self.duplicate_keys = duplicate_keys
        self.problems: list[Problem] = []
        self.loader = yaml.SafeLoader("")
        self.count = 0

    def loc(self, node: Any) -> Location:
        return Location(self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: Any, path: PathKey, message: str, *, hint: str | None = None, code: str = "yaml") -> None:
        self.problems.append(Problem(message, self.loc(node), format_path(path), hint, code))

    def build(self, node: Any, path: PathKey, depth: int) -> Any:
        yaml = self.yaml
        self.doc.locations.setdefault(path, self.loc(node))
        self.doc.value_locations[path] = self.loc(node)
        self.count += 1
        if depth > _MAX_DEPTH or self.count > _MAX_NODES:
            if not self.problems:
                self.fail(node, path, "document nested too deeply or expands too far (aliases?)")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        self.fail(node, path, "unsupported YAML node")
        return None

    def mapping(self, node: Any, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in self.pairs(node, path):
            key = self.scalar(key_node, path) if isinstance(key_node, self.yaml.ScalarNode) else None
            if key is None or not isinstance(key, (str, int, float, bool)):
                self.fail(key_node, path, "keys must be plain text")
                continue
            key = str(key)
            if key in result and not self.duplicate_keys:
                self.fail(
                    key_node,
                    path,
                    f"duplicate key '{key}'",
                    hint="a later value would silently replace the earlier one",
                    code="duplicate-key",
                )
                continue
            # a key's location is where the key is written: that is what an editor should jump to
            self.doc.locations[(*path, key)] = self.loc(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def pairs(self, node: Any, path: PathKey) -> Iterator[tuple[Any, Any]]:
        """Mapping pairs with YAML merge keys (`<<: *anchor`) expanded; explicit keys win."""
        yaml = self.yaml

        def is_merge(key: Any) -> bool:
            return isinstance(key, yaml.ScalarNode) and str(key.tag).endswith(":merge")

        explicit = [(k, v) for k, v in node.value if not is_merge(k)]
        seen = {k.value for k, _ in explicit if isinstance(k, yaml.ScalarNode)}
        for key_node, value_node in node.value:
            if not is_merge(key_node):
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self.fail(source, path, "'<<' must merge a mapping")
                    continue
                for k, v in source.value:
                    if isinstance(k, yaml.ScalarNode) and k.value not in seen:
                        seen.add(k.value)
                        yield k, v
        yield from explicit

    def scalar(self, node: Any, path: PathKey) -> Any:
        yaml = self.yaml
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
            self.fail(node, path, f"bad value: {exc}")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and ":" in str(node.value):
            # YAML 1.1 reads 22:22 as the base-60 number 1342; what the author meant is the text
            return str(node.value)
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        # dates, timestamps, binary: keep the text so nothing reinterprets what the author wrote
        return str(node.value)
