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

from ftprep.core.errors import ConfigError
from ftprep.core.project import find_project_config, unknown_key_error


@dataclass(frozen=True)
class Action:
    name: str
    key: str
    description: str


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("accept", "a", "Accept fix"),
        Action("reject", "x", "Reject fix"),
        Action("accept_rule", "A", "Accept rule"),
        Action("reject_rule", "X", "Reject rule"),
        Action("accept_safe", "F", "Accept all safe"),
        Action("undo", "u", "Undo"),
        Action("ignore", "i", "Ignore"),
        Action("filter", "slash", "Filter"),
        Action("next", "n", "Next"),
        Action("previous", "p", "Previous"),
        Action("save", "s", "Save"),
        Action("quit", "q", "Quit"),
        Action("help", "question_mark", "Help"),
    )
}


def binding_id(action: str) -> str:
    return f"ftprep.{action}"


def load_keymap(start: str) -> dict[str, str]:
    """Binding id -> keys, from the nearest project config's ``[review.keys]``."""
    found = find_project_config(start)
    if found is None:
        return {}
    path, table = found
    review = table.get("review", {})
    if not isinstance(review, dict):
        raise ConfigError(f"{path}: 'review' must be a table")
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
