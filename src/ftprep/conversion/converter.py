"""The converter: a picklable callable that turns one raw row into a record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ftprep.conversion.layouts import (
    as_text,
    detect_layout,
    is_turns,
    llamafactory_messages,
    mapping_hint,
    sharegpt_messages,
    sharegpt_tools,
)
from ftprep.conversion.mapping import Mapping, Template, cell, resolve_column
from ftprep.core import pointer as jp
from ftprep.core.errors import UsageError, shown_names
from ftprep.core.jsontext import json_type
from ftprep.core.model import Record
from ftprep.core.reasons import Reason

NATIVE = ("chat", "prompt-completion", "preference")


@dataclass
class Converter:
    """Turns rows of one layout into records of one kind.

    ``layout`` is what was recognised (or ``mapped`` when ``--map``/``--template`` decide);
    ``roles`` maps each role to the row key that feeds it.
    """

    layout: str
    target: str
    roles: dict[str, str] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    system: str | None = None
    # Where each output pointer came from, for locations in tables (pointer -> column).
    provenance: dict[str, str] = field(default_factory=dict)
    # Preference data whose chosen and rejected columns hold whole conversations.
    conversations: bool = False
    # Native records whose keys differ from the trainer's only by case, a BOM or spaces:
    # read under the right names so that every rule checks them (SC002 reports the names).
    fold_keys: bool = False

    @property
    def is_native(self) -> bool:
        return self.layout in NATIVE and not self.system and not self.fold_keys

    def describe(self) -> str:
        if self.layout == "mapped":
            parts = [f"{role}={col}" for role, col in self.roles.items()]
            parts += [f"{role} template" for role in self.templates]
            return f"mapped columns ({', '.join(parts)}) -> {self.target}"
        if self.layout in NATIVE:
            return f"{self.layout} records"
        return f"{self.layout} layout -> {self.target}"

    def __call__(self, row: Any, index: int, line: int) -> Record | tuple[str, str]:
        if not isinstance(row, dict):
            if isinstance(row, list) and self.layout == "mapped":
                row = {str(i): v for i, v in enumerate(row)}
            else:
                kind = json_type(row)
                return (Reason.RECORD_NOT_OBJECT.code, f"record is a JSON {kind}, not an object")
        if self.is_native:
            return Record(index=index, data=row, line=line)
        if self.fold_keys and not self.system:
            data, renamed = fold_record_keys(row)
            return Record(index=index, data=data, line=line, renamed=renamed or None)
        converted = self._convert(row)
        if isinstance(converted, tuple):
            return converted
        return Record(index=index, data=converted, line=line)

    # -- conversion ---------------------------------------------------------------------
    def _text(self, row: dict[str, Any], role: str) -> str | tuple[str, str]:
        template = self.templates.get(role)
        if template is not None:
            values = {}
            for name in template.placeholders:
                value = as_text(cell(row, name))
                if value is None:
                    return (
                        Reason.NON_STRING_VALUE.code,
                        f"column {name!r} holds a list or object, not text",
                    )
                values[name] = value
            return template.render(values)
        column = self.roles[role]
        if column.startswith("/") and not jp.exists(row, column):
            return (
                Reason.MISSING_REQUIRED_FIELD.code,
                f"the row has no value at {column}; keys found: {', '.join(row)}",
            )
        if not column.startswith("/") and column not in row:
            return (
                Reason.MISSING_REQUIRED_FIELD.code,
                f"the row has no {column!r} key; keys found: {', '.join(map(str, row))}",
            )
        value = as_text(cell(row, column))
        if value is None:
            return (
                Reason.NON_STRING_VALUE.code,
                f"{column!r} holds a list or object where text is needed",
            )
        return value

    def _convert(self, row: dict[str, Any]) -> dict[str, Any] | tuple[str, str]:
        if self.layout == "mapped" and self.conversations:
            return self._split_conversations(row)
        if self.layout == "sharegpt":
            return self._sharegpt(row)
        if self.layout == "llamafactory-messages":
            messages = llamafactory_messages(row["messages"])
            if isinstance(messages, tuple):
                return messages
            _prepend_system(messages, self.system)
            data: dict[str, Any] = {**row, "messages": messages}
            return data
        if self.layout == "sharegpt-preference":
            return self._sharegpt_preference(row)
        if self.layout == "prompt-completion" and self.system:
            return self._pair(row, "prompt", "completion")
        if self.layout in ("chat", "preference"):
            return self._add_system(row)
        texts: dict[str, str] = {}
        for role in [*self.roles, *self.templates]:
            text = self._text(row, role)
            if isinstance(text, tuple):
                return text
            texts[role] = text
        if self.layout == "alpaca":
            prompt = texts["instruction"]
            if texts.get("input"):
                prompt = f"{prompt}\n\n{texts['input']}"
            texts = {
                "prompt": prompt,
                "completion": texts["output"],
                **({"system": texts["system"]} if "system" in texts else {}),
            }
        return self._build(texts)

    def _build(self, texts: dict[str, str]) -> dict[str, Any] | tuple[str, str]:
        prompt = texts.get("input", texts.get("prompt", texts.get("user")))
        answer = texts.get("completion", texts.get("assistant", texts.get("label")))
        system = texts.get("system", self.system)
        if self.target == "preference":
            if prompt is None or "chosen" not in texts or "rejected" not in texts:
                return (
                    Reason.MISSING_REQUIRED_FIELD.code,
                    "a preference pair needs prompt, chosen and rejected",
                )
            messages = ([{"role": "system", "content": system}] if system else []) + [
                {"role": "user", "content": prompt}
            ]
            return {
                "input": {"messages": messages},
                "preferred_output": [{"role": "assistant", "content": texts["chosen"]}],
                "non_preferred_output": [{"role": "assistant", "content": texts["rejected"]}],
            }
        if prompt is None or answer is None:
            return (
                Reason.MISSING_REQUIRED_FIELD.code,
                "the mapping gives no prompt/user text or no completion/assistant text",
            )
        if self.target == "completion":
            return {"prompt": prompt, "completion": answer}
        messages = [{"role": "system", "content": system}] if system else []
        messages += [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
        return {"messages": messages}

    def _pair(self, row: dict[str, Any], p: str, c: str) -> dict[str, Any] | tuple[str, str]:
        prompt, completion = as_text(row.get(p)), as_text(row.get(c))
        if prompt is None or completion is None:
            return (Reason.NON_STRING_VALUE.code, "prompt or completion is a list or object")
        return self._build({"prompt": prompt, "completion": completion})

    def _add_system(self, row: dict[str, Any]) -> dict[str, Any]:
        import copy

        data = copy.deepcopy(row)
        messages = data["messages"] if "messages" in data else data.get("input", {}).get("messages")
        if isinstance(messages, list):
            _prepend_system(messages, self.system)
        return data

    def _conversation(self, row: dict[str, Any]) -> list[dict[str, Any]] | tuple[str, str]:
        """The row's ShareGPT turns as messages, with the system prompt in front."""
        messages = sharegpt_messages(row[self.roles["conversations"]])
        if not isinstance(messages, tuple):
            _prepend_system(messages, row.get("system") or self.system)
        return messages

    def _sharegpt(self, row: dict[str, Any]) -> dict[str, Any] | tuple[str, str]:
        messages = self._conversation(row)
        if isinstance(messages, tuple):
            return messages
        data: dict[str, Any] = {"messages": messages}
        tools = sharegpt_tools(row.get("tools"))
        if tools:
            data["tools"] = tools
        return data

    def _split_conversations(self, row: dict[str, Any]) -> dict[str, Any] | tuple[str, str]:
        """Preference from two whole conversations: their shared start is the prompt, what
        follows is the chosen and the rejected answer (TRL's implicit-prompt form)."""
        sides = []
        for key in ("chosen", "rejected"):
            turns = sharegpt_messages(cell(row, self.roles[key]))
            if isinstance(turns, tuple):
                return (turns[0], f"{self.roles[key]}: {turns[1]}")
            sides.append(turns)
        chosen, rejected = sides
        shared = 0
        while shared < min(len(chosen), len(rejected)) and chosen[shared] == rejected[shared]:
            shared += 1
        if not shared or shared == len(chosen) or shared == len(rejected):
            return (
                Reason.INVALID_PREFERENCE_PAIR.code,
                "the chosen and rejected conversations share no prompt, or one is the start "
                "of the other",
            )
        messages = chosen[:shared]
        if self.system or "system" in self.roles:
            _prepend_system(messages, self.system or as_text(cell(row, self.roles["system"])))
        return {
            "input": {"messages": messages},
            "preferred_output": chosen[shared:],
            "non_preferred_output": rejected[shared:],
        }

    def _sharegpt_preference(self, row: dict[str, Any]) -> dict[str, Any] | tuple[str, str]:
        messages = self._conversation(row)
        if isinstance(messages, tuple):
            return messages
        outputs = []
        for key in ("chosen", "rejected"):
            turn = row[self.roles[key]]
            converted = sharegpt_messages([turn] if isinstance(turn, dict) else turn)
            if isinstance(converted, tuple):
                return converted
            outputs.append(converted)
        return {
            "input": {"messages": messages},
            "preferred_output": outputs[0],
            "non_preferred_output": outputs[1],
        }


def _prepend_system(messages: list[Any], system: str | None) -> None:
    """Start the conversation with ``system`` unless it already starts with a system turn."""
    if not system:
        return
    first = messages[0] if messages else None
    if not (isinstance(first, dict) and first.get("role") == "system"):
        messages.insert(0, {"role": "system", "content": system})


def _target_for(mapping: Mapping, layout: str) -> str:
    if mapping.to:
        return mapping.to
    roles = set(mapping.columns) | set(mapping.templates)
    if {"chosen", "rejected"} & roles or layout in (
        "prompt-chosen-rejected",
        "sharegpt-preference",
    ):
        return "preference"
    if {"user", "assistant"} & roles:
        return "chat"
    if layout in ("prompt-completion", "text-label"):
        return "completion"
    if layout in ("preference",):
        return "preference"
    if roles and roles <= {"prompt", "completion", "label", "input", "system"}:
        return "completion"
    return "chat"


def build_converter(
    mapping: Mapping, sample: Any, columns: list[str] | None = None, *, as_written: bool = False
) -> Converter:
    """Choose how to convert rows like ``sample``: from ``mapping``, else by layout.

    ``as_written``: the rows are a JSONL file being linted, which is what a trainer will
    read, so chat records in another tool's dialect are checked as they stand (and the
    rules report what a trainer would reject); converting them is ``convert``'s job.
    """
    if isinstance(sample, list) and columns is None:
        columns = [str(i) for i in range(len(sample))]
    if columns is None:
        columns = [str(k) for k in sample] if isinstance(sample, dict) else []
    if not mapping.is_empty:
        roles = {role: resolve_column(col, columns) for role, col in mapping.columns.items()}
        # Placeholders name columns as --map does: exactly, or ignoring case and spaces.
        templates = {
            role: template.with_columns(
                {name: resolve_column(name, columns) for name in template.placeholders}
            )
            for role, template in mapping.templates.items()
        }
        target = _target_for(mapping, "mapped")
        converter = Converter("mapped", target, roles, templates, mapping.system)
        converter.conversations = (
            target == "preference"
            and isinstance(sample, dict)
            and all(is_turns(cell(sample, roles.get(k, ""))) for k in ("chosen", "rejected"))
        )
        _check_complete(converter)
        converter.provenance = _provenance(converter)
        return converter
    layout, roles = detect_layout(sample)
    if as_written and layout == "llamafactory-messages":
        layout = "chat"
    loose = _loosely_native(sample)
    folded = False
    if loose is not None and layout not in NATIVE and fold_record_keys(sample)[1]:
        # Native records with a slip in a key name (``Prompt``, a BOM): read under the right
        # name, so every rule checks them, and reported (SC002) instead of converted around.
        layout, roles, folded = loose, {}, True
    if layout == "unknown":
        raise UsageError(
            "could not recognise the layout; columns found: "
            + (shown_names(columns) or "none")
            + ". "
            + mapping_hint(sample, columns)
        )
    target = _target_for(mapping, layout)
    if (
        layout in ("chat", "preference", "prompt-completion")
        and target
        != {"chat": "chat", "preference": "preference", "prompt-completion": "completion"}[layout]
    ):
        if layout == "prompt-completion":
            roles = {"prompt": "prompt", "completion": "completion"}
            layout = "question-answer"
        else:
            raise UsageError(f"{layout} records cannot be converted to {target}")
    converter = Converter(layout, target, roles, {}, mapping.system)
    converter.fold_keys = folded
    converter.provenance = _provenance(converter)
    return converter


CANONICAL_KEYS = (
    "messages",
    "tools",
    "prompt",
    "completion",
    "input",
    "preferred_output",
    "non_preferred_output",
)


def fold_record_keys(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The row with keys that are a trainer's but for case, a BOM or spaces renamed (in
    place of the original, so the key order stays), and canonical -> original names."""
    renamed: dict[str, str] = {}
    for key in row:
        folded = str(key).lstrip("\ufeff").strip().lower()
        if key != folded and folded in CANONICAL_KEYS and folded not in row:
            renamed.setdefault(folded, key)
    if not renamed:
        return row, renamed
    back = {original: canonical for canonical, original in renamed.items()}
    return {back.get(k, k): v for k, v in row.items()}, renamed


def _loosely_native(sample: Any) -> str | None:
    """The native layout a row has once key names are folded (case, BOM, spaces), if any."""
    if not isinstance(sample, dict):
        return None
    keys = {str(k).lstrip("\ufeff").strip().lower() for k in sample}
    if "messages" in keys:
        return "chat"
    if {"prompt", "completion"} <= keys:
        return "prompt-completion"
    if "input" in keys and keys & {
        "preferred_output",
        "non_preferred_output",
        "preferred_completion",
    }:
        return "preference"
    return None


def _check_complete(converter: Converter) -> None:
    have = set(converter.roles) | set(converter.templates)
    if "input" in have:
        have.add("prompt")
    if converter.target == "preference":
        missing = {"chosen", "rejected"} - have
        if missing or not (have & {"prompt", "user"} or converter.conversations):
            raise UsageError(
                "preference output needs --map prompt=... --map chosen=... --map rejected=... "
                "(or only chosen and rejected, when both columns hold whole conversations)"
            )
        return
    if not have & {"prompt", "user"}:
        raise UsageError(
            "the mapping has no prompt: add --map prompt=COLUMN (or user=, or --template)"
        )
    if not have & {"completion", "assistant", "label"}:
        raise UsageError(
            "the mapping has no answer: add --map completion=COLUMN (or assistant=, label=)"
        )


def _provenance(converter: Converter) -> dict[str, str]:
    """Output pointer -> source column, for diagnostics on converted tables."""
    roles = converter.roles
    if converter.layout not in ("mapped", "question-answer", "text-label", "alpaca"):
        return {}
    prompt = roles.get("prompt") or roles.get("user") or roles.get("instruction")
    answer = (
        roles.get("completion")
        or roles.get("assistant")
        or roles.get("label")
        or roles.get("output")
    )
    if converter.target == "completion":
        return {k: v for k, v in {"/prompt": prompt, "/completion": answer}.items() if v}
    if converter.target == "chat":
        has_system = bool(converter.system or "system" in roles)
        offset = 1 if has_system else 0
        out = {f"/messages/{offset}/content": prompt, f"/messages/{offset + 1}/content": answer}
        if "system" in roles:
            out["/messages/0/content"] = roles["system"]
        return {k: v for k, v in out.items() if v}
    return {}
