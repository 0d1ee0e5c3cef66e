"""``--map ROLE=COLUMN`` and ``--template`` parsing, and column lookup in a row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ftprep.core import pointer as jp
from ftprep.core.errors import UsageError, did_you_mean, shown_names

ROLES = ("prompt", "completion", "system", "user", "assistant", "label", "chosen", "rejected")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def unescape(text: str) -> str:
    """``\\n`` and ``\\t`` typed on a command line become a newline and a tab."""
    return re.sub(
        r"\\\\|\\n|\\t", lambda m: {"\\\\": "\\", "\\n": "\n", "\\t": "\t"}[m.group()], text
    )


@dataclass(frozen=True)
class Template:
    """``"Classify: {text}"``: placeholders name columns; ``{{`` and ``}}`` are literal braces."""

    text: str

    @property
    def placeholders(self) -> list[str]:
        return [m.group(1) for m in _PLACEHOLDER.finditer(self.text) if m.group(1) is not None]

    def check(self) -> None:
        """Raise UsageError for a brace that opens or closes no placeholder."""
        rest = _PLACEHOLDER.sub("", self.text)
        for brace in "{}":
            at = rest.find(brace)
            if at >= 0:
                raise UsageError(
                    f"--template {self.text!r}: a {brace!r} that {'opens' if brace == '{' else 'closes'} "
                    "no placeholder; write {{ or }} for a literal brace"
                )

    def with_columns(self, columns: dict[str, str]) -> Template:
        """The same template with placeholders renamed to the columns they resolve to."""

        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            return match.group(0) if name is None else "{" + columns.get(name, name) + "}"

        return Template(_PLACEHOLDER.sub(sub, self.text))

    def render(self, lookup: dict[str, str]) -> str:
        def sub(match: re.Match[str]) -> str:
            if match.group(0) == "{{":
                return "{"
            if match.group(0) == "}}":
                return "}"
            return lookup[match.group(1)]

        return _PLACEHOLDER.sub(sub, self.text)


@dataclass(frozen=True)
class Mapping:
    """Which column feeds which role, plus templates, a system prompt and the target kind."""

    columns: dict[str, str] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    system: str | None = None
    to: str | None = None  # chat | completion | preference

    @property
    def is_empty(self) -> bool:
        return not self.columns and not self.templates

    def needed_columns(self) -> list[str]:
        names = list(self.columns.values())
        for template in self.templates.values():
            names.extend(template.placeholders)
        return [n for n in dict.fromkeys(names) if not n.startswith("/")]


def parse_map_args(
    maps: list[str] | None,
    templates: list[str] | None = None,
    system: str | None = None,
    to: str | None = None,
) -> Mapping:
    """Parse CLI ``--map``/``--template`` values into a :class:`Mapping`."""
    columns: dict[str, str] = {}
    for item in maps or []:
        role, sep, column = item.partition("=")
        role = role.strip().lower()
        if not sep or not column:
            raise UsageError(f"--map needs ROLE=COLUMN, got {item!r}")
        if role not in ROLES:
            raise UsageError(
                f"--map: unknown role {role!r}{did_you_mean(role, ROLES)}; roles: {', '.join(ROLES)}"
            )
        columns[role] = column
    parsed: dict[str, Template] = {}
    for item in templates or []:
        role, sep, text = item.partition("=")
        key = role.strip().lower()
        if sep and key in ROLES:
            template = Template(unescape(text))
        elif sep and re.fullmatch(r"[A-Za-z_][\w-]*", role.strip()):
            raise UsageError(
                f"--template {item!r}: unknown role {role.strip()!r}"
                f"{did_you_mean(key, ROLES)}; roles: {', '.join(ROLES)} (a prompt template "
                "that holds '=' itself starts with prompt=)"
            )
        else:
            key, template = "input", Template(unescape(item))
        template.check()
        parsed[key] = template
    for key in parsed:
        both = {"input": ("prompt", "user")}.get(key, (key,))
        clash = [r for r in both if r in columns]
        if clash:
            raise UsageError(
                f"both --map {clash[0]}={columns[clash[0]]} and a --template build the "
                f"{clash[0]}; keep one of them"
            )
    if to is not None and to not in ("chat", "completion", "preference"):
        raise UsageError(f"--to must be chat, completion or preference, not {to!r}")
    return Mapping(
        columns=columns, templates=parsed, system=unescape(system) if system else None, to=to
    )


def normalise_column(name: str) -> str:
    return str(name).lstrip("\ufeff").strip().casefold()


def resolve_column(name: str, columns: list[str]) -> str:
    """The actual column for a mapped name: exact, then ignoring case, BOM and spaces."""
    if name.startswith("/") or name in columns:
        return name
    folded = {normalise_column(c): c for c in columns}
    found = folded.get(normalise_column(name))
    if found is not None:
        return found
    raise UsageError(
        f"no column {name!r}{did_you_mean(name, columns)}; columns found: {shown_names(columns)}"
    )


def cell(row: dict[str, Any], column: str) -> Any:
    """A row's value for a column name or a JSON pointer (``/instances/0/output``)."""
    if column.startswith("/"):
        return jp.resolve(row, column)
    return row.get(column)
