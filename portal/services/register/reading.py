"""Reading the register file: YAML that refuses a key written twice, and ``Fields``, typed
reads of one block that record a problem (with the field's path in the file) instead of
raising, so one pass finds every problem (issue 3, point 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import yaml

from portal.domain.errors import DomainError

UNKNOWN_FIELD = "is not a field here (check the spelling)"


class RegisterInvalid(DomainError):
    """The register file breaks the schema; ``problems`` lists every problem, in file order."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"the register file has {len(self.problems)} problem(s)")


def show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _is_http_link(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:  # for example an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


class Fields:
    """One block of the file at ``path``: typed reads that record a problem when they fail."""

    def __init__(self, data: Mapping[Any, Any], path: str, problems: list[str], allowed: Iterable[str],
                 unknown: str = UNKNOWN_FIELD) -> None:
        self.data, self.path, self.problems = data, path, problems
        allowed = frozenset(allowed)
        for key in data:
            if key not in allowed:
                self.problem(key, unknown)

    def at(self, key: object) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    def problem(self, key: object, message: str) -> None:
        self.problems.append(f"{self.at(key)}: {message}")

    def text(self, key: str, *, nullable: bool = False, max_length: int | None = None) -> str | None:
        value = self.data.get(key)
        if value is None:
            if not nullable:
                self.problem(key, "is required")
            return None
        if not isinstance(value, str):
            self.problem(key, "must be text" + (" or null" if nullable else ""))
            return None
        if not value.strip():
            self.problem(key, "must not be empty" + (" (write null for none)" if nullable else ""))
            return None
        if max_length and len(value.strip()) > max_length:
            self.problem(key, f"must be at most {max_length} characters")
            return None
        return value.strip()

    def choice(self, key: str, options: tuple[str, ...]) -> str | None:
        value = self.data.get(key)
        if not isinstance(value, str) or value not in options:
            message = "must be one of " + ", ".join(options)
            self.problem(key, message if value is None else f"{message}, not {show(value)}")
            return None
        return value

    def link(self, key: str, *, nullable: bool = False) -> str | None:
        value = self.text(key, nullable=nullable, max_length=500)
        if value is not None and not _is_http_link(value):
            self.problem(key, f"must be an http or https link, not {show(value)}")
            return None
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if not isinstance(value, bool):
            self.problem(key, "must be true or false")
            return None
        return value

    def whole_number(self, key: str) -> int | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(key, "must be a whole number, 1 or more")
            return None
        return value

    def items(self, key: str) -> list[tuple[str, Any]]:
        value = self.data.get(key)
        if not isinstance(value, list):
            self.problem(key, "must be a list (write [] for none)")
            return []
        return [(f"{self.at(key)}[{index}]", item) for index, item in enumerate(value)]

    def block(self, key: str, allowed: Iterable[str], *, required: bool = True,
              unknown: str = UNKNOWN_FIELD) -> Fields | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, dict):
            self.problem(key, "must be a block of fields")
            return None
        return Fields(value, self.at(key), self.problems, allowed, unknown)


def item_fields(path: str, value: Any, problems: list[str], allowed: Iterable[str]) -> Fields | None:
    if not isinstance(value, dict):
        problems.append(f"{path}: must be a block of fields")
        return None
    return Fields(value, path, problems, allowed)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, but a key written twice in one block is a problem, not a
    silent overwrite (the second ``summary:`` would otherwise win unseen)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                self.duplicates.append(f'line {key_node.start_mark.line + 1}: "{key}" is written twice in the same block')
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_yaml(text: str) -> Any:
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise RegisterInvalid([f"{where}: not valid YAML ({getattr(error, 'problem', None) or error})"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise RegisterInvalid(loader.duplicates)
    return data
