from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.jsontext import json_type
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule


class InvalidPreferencePair(Rule):
    """## What it does
    Checks a preference (DPO) example: `input.messages` is a non-empty list that does not
    end on an assistant turn; `preferred_output` and `non_preferred_output` each hold
    exactly one assistant message; and the two outputs differ.

    ## Why is this bad?
    OpenAI trains DPO on one-turn outputs only and rejects other shapes. Identical outputs
    give the optimiser no preference to learn.

    ## Example
    ```jsonl
    {"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": [{"role": "assistant", "content": "Hello!"}], "non_preferred_output": [{"role": "assistant", "content": "Hello!"}]}
    ```

    ## Use instead
    ```jsonl
    {"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": [{"role": "assistant", "content": "Hello! How can I help?"}], "non_preferred_output": [{"role": "assistant", "content": "What."}]}
    ```

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - OpenAI DPO guide; togethercomputer/together-python `check_file` (preference)
    """

    code = "SC015"
    name = "invalid-preference-pair"
    group = "structure"
    targets = frozenset({Kind.PREFERENCE})
    default_severity = Severity.ERROR

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        data = record.data
        inp = data.get("input")
        if not isinstance(inp, dict):
            if "input" in data:
                out.append(Finding("`input` is not an object with `messages`", pointer="/input"))
        else:
            messages = inp.get("messages")
            if not isinstance(messages, list) or not messages:
                out.append(
                    Finding("`input.messages` is missing or empty", pointer="/input/messages")
                )
            elif isinstance(messages[-1], dict) and messages[-1].get("role") == "assistant":
                out.append(
                    Finding(
                        "the input ends on an assistant turn; the outputs must answer it",
                        pointer=f"/input/messages/{len(messages) - 1}",
                    )
                )
        outputs = []
        for key in ("preferred_output", "non_preferred_output"):
            if key not in data:
                continue
            given = data[key]
            if not isinstance(given, list) or len(given) != 1:
                n = len(given) if isinstance(given, list) else f"a {json_type(given)}"
                out.append(
                    Finding(
                        f"`{key}` must be an array of exactly one message (found {n})",
                        pointer="/" + key,
                    )
                )
                continue
            m = given[0]
            if not isinstance(m, dict) or m.get("role") != "assistant":
                out.append(Finding(f"`{key}` must hold an assistant message", pointer=f"/{key}/0"))
                continue
            outputs.append(m.get("content"))
        if len(outputs) == 2 and outputs[0] == outputs[1]:
            out.append(
                Finding(
                    "preferred and non-preferred outputs are identical",
                    pointer="/non_preferred_output/0/content",
                )
            )
        return out
