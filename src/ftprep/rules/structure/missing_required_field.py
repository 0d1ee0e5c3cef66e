from __future__ import annotations

import difflib

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, KeyEdit
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule

REQUIRED = {
    Kind.COMPLETION: ("prompt", "completion"),
    Kind.PREFERENCE: ("input", "preferred_output", "non_preferred_output"),
}


def close_key(wanted: str, keys: list[str]) -> str | None:
    """A key that is ``wanted`` but for case, a BOM or surrounding spaces, else a near spelling."""
    for key in keys:
        if key.lstrip("\ufeff").strip().lower() == wanted:
            return key
    match = difflib.get_close_matches(wanted, keys, n=1, cutoff=0.8)
    return match[0] if match else None


class MissingRequiredField(Rule):
    """## What it does
    Checks that completion examples have `prompt` and `completion`, and preference examples
    have `input`, `preferred_output` and `non_preferred_output`. Lists the keys it found
    and a close match (`Prompt`, `\\ufeffprompt`, `preferred_completion`). A key that
    differs from a required one (or from `messages`, `tools`) only by case, a BOM or spaces
    is reported too, and the record is read under the right name, so every other rule
    still checks it.

    ## Why is this bad?
    The trainer cannot find the example's text and rejects the file, usually without
    saying which key it looked for.

    ## Example
    ```jsonl
    {"Prompt": "2+2=", "completion": " 4"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "2+2=", "completion": " 4"}
    ```

    ## Options
    None.

    ## Fix safety
    Safe when a key differs only by case, a BOM or spaces: the fix renames it. Other close
    matches are named in the message but not renamed.

    ## References
    - openai/openai-python `_validators.py` (`necessary_column`), SFDO-Tooling/Snowfakery#516
    """

    code = "SC002"
    name = "missing-required-field"
    group = "structure"
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        assert record.kind is not None
        if record.renamed:
            out.extend(self._renamed(record, record.renamed))
        data = record.data
        if all(field in data for field in REQUIRED.get(record.kind, ())):
            return out  # the usual case, without listing the keys
        keys = [str(k) for k in data]
        renames = {
            "preferred_output": "preferred_completion",
            "non_preferred_output": "non_preferred_completion",
        }
        for field in REQUIRED[record.kind]:
            if field in record.data:
                continue
            others = [k for k in keys if k not in REQUIRED[record.kind]]
            near = renames[field] if renames.get(field) in keys else close_key(field, others)
            found = ", ".join(map(repr, keys)) or "none"
            message = f"`{field}` is missing; keys found: {found}"
            fix = None
            if near is not None:
                message += f" (did you mean {near!r}?)"
                if near.lstrip("\ufeff").strip().lower() == field or near == renames.get(field):
                    fix = Fix(
                        title=f"Rename {near!r} to {field!r}",
                        edits=(
                            KeyEdit(
                                action="rename-key",
                                record=record.index,
                                pointer="/" + near,
                                new_name=field,
                            ),
                        ),
                        applicability=Applicability.SAFE,
                    )
            out.append(Finding(message, pointer="/" + field, fix=fix))
        return out

    def _renamed(self, record: Record, renamed: dict[str, str]) -> list[Finding]:
        """Keys read under their right name: reported, and checked by every rule as such."""
        return [
            Finding(
                f"key {original!r} is not {canonical!r}: trainers look for {canonical!r} and "
                f"reject the record; it was checked as {canonical!r}",
                pointer="/" + canonical,
                fix=Fix(
                    title=f"Rename {original!r} to {canonical!r}",
                    edits=(
                        KeyEdit(
                            action="rename-key",
                            record=record.index,
                            pointer="/" + original,
                            new_name=canonical,
                        ),
                    ),
                    applicability=Applicability.SAFE,
                ),
            )
            for canonical, original in renamed.items()
        ]
