"""Fix plans: the fix decisions a person made in ``ftprep review``, replayable in batch.

A plan answers one question for the fixer: apply this diagnostic's fix or not? Decisions
come at three levels and the most specific wins:

1. one finding (record fingerprint, rule, pointer) accepted or rejected;
2. a whole rule accepted (safe and unsafe fixes) or rejected;
3. the default: ``skip`` applies nothing undecided; ``safe`` applies every undecided safe
   fix (what the review's "accept every safe fix" sets).

Rule-level and default decisions also cover records that did not exist when the plan was
made, which is what makes ``ftprep lint --fix --plan`` useful on the next data drop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ftprep.core.diagnostic import Diagnostic
from ftprep.core.errors import ConfigError
from ftprep.core.fingerprint import finding_key
from ftprep.core.fix import Applicability
from ftprep.core.json_file import read_model, write_json

PLAN_VERSION = 1


class Decision(str, Enum):
    ACCEPT = "accept"
    REJECT = "reject"


class FindingDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record: str = Field(description="record fingerprint ('-' for dataset-level findings)")
    code: str
    pointer: str = ""
    decision: Decision


def decide(
    key: tuple[str, str, str],
    applicability: Applicability,
    findings: Mapping[tuple[str, str, str], Decision],
    rules: Mapping[str, Decision],
    default: str,
) -> Decision | None:
    """The most specific decision: the finding's, else its rule's, else the default's."""
    if applicability is Applicability.DISPLAY_ONLY:
        return None
    found = findings.get(key)
    if found is not None:
        return found
    rule = rules.get(key[1])
    if rule is not None:
        return rule
    if default == "safe" and applicability is Applicability.SAFE:
        return Decision.ACCEPT
    return None


class FixPlan(BaseModel):
    """Accepted and rejected fix decisions keyed by record content hash and rule."""

    model_config = ConfigDict(extra="forbid")

    version: int = PLAN_VERSION
    source: str | None = None
    default: Literal["skip", "safe"] = "skip"
    rules: dict[str, Decision] = Field(default_factory=dict)
    findings: list[FindingDecision] = Field(default_factory=list)

    def finding_map(self) -> dict[tuple[str, str, str], Decision]:
        return {(f.record, f.code, f.pointer): f.decision for f in self.findings}

    def decide(
        self,
        key: tuple[str, str, str],
        applicability: Applicability,
        findings: Mapping[tuple[str, str, str], Decision] | None = None,
    ) -> Decision | None:
        """The decision for one fix, or None when the plan leaves it undecided."""
        if findings is None:
            findings = self.finding_map()
        return decide(key, applicability, findings, self.rules, self.default)

    def acceptor(
        self, hashes: Mapping[str, Callable[[int], str | None]]
    ) -> Callable[[Diagnostic], bool]:
        """``accept(diagnostic)`` for the fixer; ``hashes[split](index)`` fingerprints records."""
        findings = self.finding_map()

        def accept(d: Diagnostic) -> bool:
            if d.fix is None:
                return False
            of_split = hashes.get(d.split)
            record_hash = (
                of_split(d.record) if of_split is not None and d.record is not None else None
            )
            key = finding_key(record_hash, d.code, d.pointer)
            return self.decide(key, d.fix.applicability, findings) is Decision.ACCEPT

        return accept

    # -- files ---------------------------------------------------------------------------
    def dump(self, path: str) -> None:
        """Write the plan with sorted, deterministic content (it belongs in version control)."""
        data = self.model_dump(mode="json")
        data["rules"] = dict(sorted(data["rules"].items()))
        data["findings"] = sorted(
            data["findings"], key=lambda f: (f["code"], f["record"], f["pointer"])
        )
        write_json(path, data)

    @classmethod
    def load(cls, path: str) -> FixPlan:
        plan = read_model(cls, path, "fix plan")
        if plan.version != PLAN_VERSION:
            raise ConfigError(f"fix plan {path} has version {plan.version}; expected 1")
        return plan
