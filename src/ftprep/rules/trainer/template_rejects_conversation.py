from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule

_FAILED = Prefilter(record=lambda r: r.rendering is not None and r.rendering.error is not None)


class TemplateRejectsConversation(Rule):
    """## What it does
    Reports conversations the model's chat template refuses to render: its own
    `raise_exception` (a system role it does not accept, roles that do not alternate) or
    data it cannot take.

    ## Why is this bad?
    The trainer renders with the same template and stops at the first such row, after the
    job was queued and the model loaded.

    ## Example
    A system message for a template that accepts only user and assistant turns
    ("System role not supported").

    ## Use instead
    Reshape the conversation as the template requires: the system text into the first
    user turn, alternating roles.

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - transformers `apply_chat_template`; Gemma and Mistral templates' role checks
    """

    code = "TR005"
    name = "template-rejects-conversation"
    group = "trainer"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR
    needs_rendering = True

    def prefilter(self) -> Prefilter:
        return _FAILED

    def check_record(self, record: Record) -> list[Finding]:
        rendering, setup = record.rendering, self.ctx.trainer
        if rendering is None or setup is None or rendering.error is None:
            return []
        return [
            Finding(
                f"{setup.tokenizer}'s chat template refuses this conversation: {rendering.error}",
                data={"error": rendering.error},
            )
        ]
