"""Turning selectors (codes, prefixes, groups, names) into rules with options and severities."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from ftprep.core.config import Profile
from ftprep.core.diagnostic import Severity
from ftprep.core.errors import ConfigError, closest, did_you_mean
from ftprep.core.linter import PlannedRule
from ftprep.core.rule import Rule


def _match(selector: str, cls: type[Rule]) -> bool:
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    return (
        (cls.code.startswith(s.upper()) and s[:2].isalpha())
        or s == cls.group
        or s == cls.name
        or s in cls.aliases
    )


def resolve(
    selectors: Iterable[str], rules: Sequence[type[Rule]], reserved: Sequence[str] = ()
) -> list[type[Rule]]:
    """The rules a list of selectors names; an unknown selector is an error with a hint."""
    chosen: list[type[Rule]] = []
    for selector in selectors:
        found = [cls for cls in rules if _match(selector, cls)]
        if not found:
            if any(code.startswith(selector.upper()) for code in reserved):
                raise ConfigError(
                    f"{selector!r} names rules that this version of ftprep does not have yet"
                )
            vocabulary = (
                [c.code for c in rules] + [c.name for c in rules] + sorted({c.group for c in rules})
            )
            hint = did_you_mean(selector, vocabulary)
            raise ConfigError(f"unknown rule selector {selector!r}{hint}")
        chosen.extend(c for c in found if c not in chosen)
    return chosen


def plan_rules(
    profile: Profile,
    rules: Sequence[type[Rule]],
    *,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    reserved: Sequence[str] = (),
) -> list[PlannedRule]:
    """Selected rules in registry order, with options and severities from the profile."""
    selected = resolve(select if select else profile.select, rules, reserved)
    selected += [c for c in resolve(extend_select, rules, reserved) if c not in selected]
    dropped = set(resolve((*profile.ignore, *ignore), rules, reserved))
    severities: dict[type[Rule], Severity] = {}
    for selector, level in profile.severity.items():
        try:
            severity = Severity(level)
        except ValueError:
            raise ConfigError(f"severity for {selector!r} must be error, warning or info") from None
        for cls in resolve([selector], rules, reserved):
            severities[cls] = severity
    options_for: dict[type[Rule], dict[str, object]] = {}
    for selector, values in profile.rules.items():
        for cls in resolve([selector], rules, reserved):
            options_for[cls] = values
    planned = []
    for cls in rules:
        if (cls not in selected or cls in dropped) and not cls.always_on:
            continue
        try:
            options = cls.Options.model_validate(options_for.get(cls, {}))
        except ValidationError as exc:
            fields = sorted(cls.Options.model_fields)
            allowed = [f.replace("_", "-") for f in fields]
            for key in options_for.get(cls, {}):
                if key not in allowed and key.replace("-", "_") not in fields:
                    close = closest(key, allowed)
                    if close:
                        raise ConfigError(
                            f"options for {cls.code} ({cls.name}): unknown key {key!r}; "
                            f"did you mean {close!r}? allowed: {', '.join(allowed)}"
                        ) from None
            problems = "; ".join(_option_problem(e) for e in exc.errors())
            raise ConfigError(
                f"options for {cls.code} ({cls.name}): {problems}; allowed: "
                f"{', '.join(allowed) or 'none'}"
            ) from None
        severity = severities.get(cls, cls.default_severity)
        if cls.always_on and severity.rank < cls.default_severity.rank:
            severity = cls.default_severity
        planned.append(
            PlannedRule(
                cls=cls,
                options=options,
                severity=severity,
                severity_configured=cls in severities,
            )
        )
    return planned


def _option_problem(error: Any) -> str:
    """One pydantic error as `key = value: what is wrong`, in the config's spelling."""
    key = ".".join(str(part).replace("_", "-") for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}"
    return f"{key} = {error.get('input')!r}: {error['msg'].lower()}"
