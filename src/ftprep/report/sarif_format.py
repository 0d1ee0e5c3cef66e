"""SARIF 2.1.0: the format code-scanning services (GitHub among them) read.

Each rule that produced a finding is described once in ``tool.driver.rules`` (name, short
description, its documentation as help, default level); each finding is a result pointing
at its file and line, with the JSON pointer as a logical location since a record's fields
have no columns.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO

import orjson

from ftprep.report.data import ReportData

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    if path in ("<stdin>", "-"):
        return "stdin"
    if os.path.isabs(path):
        return Path(path).as_uri()
    return Path(path).as_posix()


def as_sarif(report: ReportData) -> dict[str, Any]:
    codes = sorted({d.code for d in report.problems})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        meta = report.rules.get(code, {})
        rule: dict[str, Any] = {"id": code, "name": meta.get("name", code)}
        if meta.get("summary"):
            rule["shortDescription"] = {"text": meta["summary"]}
        if meta.get("doc"):
            rule["help"] = {"text": meta["doc"], "markdown": meta["doc"]}
        if meta.get("severity"):
            rule["defaultConfiguration"] = {"level": _LEVEL[meta["severity"]]}
        if meta.get("group"):
            rule["properties"] = {"tags": [meta["group"]]}
        rules.append(rule)
    results = []
    for d in report.problems:
        location: dict[str, Any] = {"artifactLocation": {"uri": _uri(d.file)}}
        if d.line is not None:
            location["region"] = {"startLine": d.line}
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity.value],
            "message": {"text": d.message},
            "locations": [{"physicalLocation": location}],
        }
        if d.pointer:
            result["locations"][0]["logicalLocations"] = [
                {"fullyQualifiedName": d.pointer, "kind": "member"}
            ]
        properties: dict[str, Any] = {"split": d.split}
        if d.record is not None:
            properties["record"] = d.record
        if d.sheet:
            properties["sheet"] = d.sheet
        if d.column:
            properties["column"] = d.column
        if d.fix is not None:
            properties["fix"] = {"title": d.fix.title, "applicability": d.fix.applicability.value}
        result["properties"] = properties
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ftprep",
                        "version": report.tool_version,
                        "informationUri": "https://pypi.org/project/ftprep/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def render(report: ReportData, stream: TextIO) -> None:
    stream.write(orjson.dumps(as_sarif(report), option=orjson.OPT_INDENT_2).decode())
    stream.write("\n")
