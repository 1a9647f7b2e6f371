"""YAML files validated by pydantic models, with errors that name the file, the line and the field.

Operators edit these files by hand; a mistake must point at the exact place to fix, not at a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ConfigError(Exception):
    """One or more problems in configuration files; str() is the message an operator reads."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class YamlDocument:
    """Parsed YAML that remembers where each value came from, including values included from other files."""

    file: Path
    data: Any
    includes: dict[int, Path]

    def locate(self, loc: tuple[int | str, ...]) -> tuple[Path, int | None]:
        """The file and 1-based line of the deepest node of `loc` that exists."""
        node, file, line = self.data, self.file, None
        for part in loc:
            file = self.includes.get(id(node), file)
            found = _child_line(node, part)
            if found is None:
                continue  # a part pydantic adds that is not in the file (e.g. a union's tag): look deeper
            node, line = found
            file = self.includes.get(id(node), file)
        return file, line


def _child_line(node: Any, part: int | str) -> tuple[Any, int] | None:
    if isinstance(node, CommentedMap) and part in node:
        line, _col = node.lc.key(part)
        return node[part], line + 1
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        line, _col = node.lc.item(part)
        return node[part], line + 1
    return None


def read_yaml(path: Path, includable: frozenset[str] = frozenset()) -> YamlDocument:
    """Parse `path`; a top-level key in `includable` may name another YAML file instead of holding values."""
    document = YamlDocument(path, _parse(path), {})
    if isinstance(document.data, CommentedMap):
        for key in includable & set(document.data):
            value = document.data[key]
            if isinstance(value, str) and value.endswith((".yaml", ".yml")):
                target = (path.parent / value).resolve()
                if not target.is_file():
                    line = document.data.lc.key(key)[0] + 1
                    raise ConfigError([Problem(path, line, key, f"included file {value!r} does not exist")])
                included = _parse(target)
                document.data[key] = included
                document.includes[id(included)] = target
    return document


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(path, None, None, "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(path, None, None, f"cannot read: {exc}")]) from None
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(str(m) for m in (exc.context, exc.problem) if m) or "invalid YAML"
        raise ConfigError([Problem(path, line, None, f"invalid YAML: {message}")]) from None


def validate(document: YamlDocument, model: type[ModelT], context: dict[str, Any] | None = None) -> ModelT:
    """Validate the document as `model`; every pydantic error becomes a Problem with its file and line."""
    try:
        return model.model_validate(_plain(document.data) or {}, context=context)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            file, line = document.locate(loc)
            field = ".".join(str(part) for part in loc) or None
            problems.append(Problem(file, line, field, _message(error)))
        raise ConfigError(problems) from None


def load(path: Path, model: type[ModelT], includable: frozenset[str] = frozenset()) -> ModelT:
    """Valid files take the fast path (the C parser when installed, no line bookkeeping); a file with a
    problem is parsed again with its line numbers, so the error still names them."""
    data = _fast_plain(path, includable)
    if data is not None:
        try:
            return model.model_validate(data)
        except ValidationError:
            pass
    return validate(read_yaml(path, includable), model)


def _fast_plain(path: Path, includable: frozenset[str]) -> Any | None:
    """Plain data of `path` and what it includes, or None if anything is amiss (the slow path says what)."""
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            for key in includable & set(data):
                value = data[key]
                if isinstance(value, str) and value.endswith((".yaml", ".yml")):
                    target = (path.parent / value).resolve()
                    data[key] = YAML(typ="safe").load(target.read_text(encoding="utf-8"))
        return data or {}
    except Exception:  # any problem is reported, with its line, by the slow path
        return None


def _message(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        return "unknown field (check its spelling and indentation)"
    if error["type"] == "missing":
        return "required field is missing"
    return message.removeprefix("Value error, ")


def _plain(value: Any) -> Any:
    """ruamel's round-trip containers as plain dicts and lists, so pydantic sees ordinary data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
