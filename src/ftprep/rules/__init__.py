"""The rule registry: the one table of codes, found from the rule modules themselves.

A code is never reused; a renamed rule keeps its old name in ``aliases``. Selectors
(``--select``, ``--ignore``, profile lists) accept a code (``SP002``), a prefix (``SP``), a
group (``separators``) or a name (``inconsistent-prompt-separator``).
"""

from __future__ import annotations

import importlib
import pkgutil

from ftprep.core.reasons import Reason
from ftprep.core.reasons import register as register_reasons
from ftprep.core.rule import Rule

# The rule groups' packages, in the order of RULES.md (and of every listing of rules).
GROUP_PACKAGES = (
    "io",
    "structure",
    "separators",
    "text_hygiene",
    "tokens",
    "classes",
    "duplicates",
    "language",
    "privacy",
    "trainer",
)


def _discover() -> dict[str, type[Rule]]:
    """Every rule, by code: the classes with a ``code`` of their own in the public modules
    (one per rule) of the group packages, each group's rules in code order. Adding a rule
    is adding its module."""
    registry: dict[str, type[Rule]] = {}
    for group in GROUP_PACKAGES:
        package = importlib.import_module(f"{__name__}.{group}")
        found: list[type[Rule]] = []
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if info.name.startswith("_"):
                continue  # what a group's rules share
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            found += [
                value
                for value in vars(module).values()
                if isinstance(value, type)
                and issubclass(value, Rule)
                and value.__module__ == module.__name__
                and "code" in vars(value)
            ]
        for cls in sorted(found, key=lambda c: c.code):
            if cls.code in registry:
                raise RuntimeError(f"{cls.code} is defined twice: {registry[cls.code]} and {cls}")
            registry[cls.code] = cls
    return registry


REGISTRY: dict[str, type[Rule]] = _discover()

# Codes reserved for rules that arrive with later capabilities; never reuse them.
RESERVED: tuple[str, ...] = ()


def rule_by_name(name: str) -> type[Rule] | None:
    for cls in REGISTRY.values():
        if name == cls.name or name in cls.aliases:
            return cls
    return None


def _register_reasons() -> None:
    """Tell the core which code reports each reason readers and converters give."""
    by_name = {cls.name: code for code, cls in REGISTRY.items()}
    register_reasons({reason: by_name[reason.value] for reason in Reason})


_register_reasons()
