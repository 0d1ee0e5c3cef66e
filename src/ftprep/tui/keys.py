"""The review's key bindings, and how ``[review.keys]`` in the project config rebinds them.

Every action has a stable binding id (``ftprep.<action>``), which is what Textual's keymap
uses, so a team can move ``accept`` to ``y`` in ``ftprep.toml``::

    [review.keys]
    accept = "y"
    reject = "n,delete"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.binding import Binding

from ftprep.core.errors import ConfigError
from ftprep.core.project import ProjectConfig, load_project_config, unknown_key_error


@dataclass(frozen=True)
class Action:
    name: str
    key: str
    description: str  # short, for the footer
    help: str  # one line, for the help screen


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("accept", "a", "Accept", "accept this finding's fix"),
        Action("reject", "x", "Reject", "reject this finding's fix"),
        Action(
            "accept_rule",
            "A",
            "Accept rule",
            "accept every fix of this rule (asks first when some are unsafe)",
        ),
        Action("reject_rule", "X", "Reject rule", "reject every fix of this rule"),
        Action(
            "accept_safe",
            "F",
            "All safe",
            "accept every safe fix of every rule (your rejections still stand)",
        ),
        Action("undo", "u", "Undo", "undo the last decision"),
        Action(
            "ignore",
            "i",
            "Ignore",
            "ignore this finding: saved to the baseline, lint stops reporting it",
        ),
        Action("filter", "slash", "Filter", "filter this rule's findings by text"),
        Action("next", "n", "Next", "next finding"),
        Action("previous", "p", "Prev", "previous finding"),
        Action(
            "save",
            "s",
            "Save",
            "apply the accepted fixes, write the output, rejected file and fix plan",
        ),
        Action("quit", "q", "Quit", "quit (asks when decisions are unsaved)"),
        Action("help", "question_mark", "Help", "this help"),
    )
}


def binding_id(action: str) -> str:
    return f"ftprep.{action}"


def binding(action: str, method: str | None = None, show: bool = True) -> Binding:
    """The Textual binding of an action, with the id that ``[review.keys]`` rebinds."""
    a = ACTIONS[action]
    return Binding(a.key, method or action, a.description, show=show, id=binding_id(action))


def load_keymap(start: str) -> dict[str, str]:
    """Binding id -> keys, from the ``[review.keys]`` of the config nearest ``start``."""
    return keymap_from(load_project_config(start))


def keymap_from(config: ProjectConfig | None) -> dict[str, str]:
    """Binding id -> keys from an already loaded project config (None: the defaults)."""
    if config is None:
        return {}
    path, review = config.path, config.review
    keys: Any = review.get("keys", {})
    if not isinstance(keys, dict):
        raise ConfigError(f"{path}: 'review.keys' must be a table of action = \"key\"")
    keymap = {}
    for action, key in keys.items():
        if action not in ACTIONS:
            raise unknown_key_error(f"{path}: review.keys", action, list(ACTIONS))
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f'{path}: review.keys.{action} must be a key name such as "y"')
        keymap[binding_id(action)] = key
    return keymap
