from __future__ import annotations

import re

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule

FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class InvalidToolDefinition(Rule):
    """## What it does
    Checks each entry of `tools`: `type` is `"function"`, the function name matches
    `^[a-zA-Z0-9_-]{1,64}$`, names are unique, and `parameters` is a JSON Schema object.

    ## Why is this bad?
    OpenAI rejects tool definitions that break these rules, and a model trained on a tool
    it can never be given at inference learns nothing useful.

    ## Example
    ```jsonl
    {"tools": [{"type": "function", "function": {"name": "get weather", "parameters": "city"}}], "messages": []}
    ```

    ## Use instead
    ```jsonl
    {"tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}], "messages": []}
    ```

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - OpenAI API reference, fine-tuning chat input `tools`
    """

    code = "SC013"
    name = "invalid-tool-definition"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        if "tools" not in record.data:
            return out
        tools = record.data["tools"]
        if not isinstance(tools, list):
            out.append(Finding("`tools` is not a list", pointer="/tools"))
            return out
        seen: set[str] = set()
        for i, tool in enumerate(tools):
            p = f"/tools/{i}"
            if not isinstance(tool, dict):
                out.append(Finding("tool definition is not an object", pointer=p))
                continue
            if tool.get("type") != "function":
                out.append(
                    Finding(
                        f"tool type is {tool.get('type')!r}, not 'function'", pointer=p + "/type"
                    )
                )
            fn = tool.get("function")
            if not isinstance(fn, dict):
                out.append(Finding("tool has no `function` object", pointer=p + "/function"))
                continue
            name = fn.get("name")
            if not isinstance(name, str) or not FUNCTION_NAME.match(name):
                out.append(
                    Finding(
                        f"function name {name!r} must match ^[a-zA-Z0-9_-]{{1,64}}$",
                        pointer=p + "/function/name",
                    )
                )
            elif name in seen:
                out.append(
                    Finding(f"function {name!r} is defined twice", pointer=p + "/function/name")
                )
            else:
                seen.add(name)
            if "parameters" in fn:
                params = fn["parameters"]
                if not isinstance(params, dict):
                    out.append(
                        Finding(
                            "`parameters` is not a JSON Schema object",
                            pointer=p + "/function/parameters",
                        )
                    )
                elif params.get("type", "object") != "object":
                    out.append(
                        Finding(
                            f"`parameters` has type {params.get('type')!r}; a tool's "
                            "parameters must be an object schema",
                            pointer=p + "/function/parameters/type",
                        )
                    )
        return out
