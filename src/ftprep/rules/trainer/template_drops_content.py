from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule

_LOST = Prefilter(record=lambda r: r.rendering is not None and bool(r.rendering.missing))


class TemplateDropsContent(Rule):
    """## What it does
    Renders each conversation's shape with a unique marker in place of each message's text
    (and of its reasoning, in `<think>` tags or a `reasoning_content` field) and reports the
    messages whose marker the chat template does not write once, in order.

    ## Why is this bad?
    The trainer trains on the rendering, not on the file: a template that drops the system
    role (Gemma; LLaMA-Factory #8217), strips reasoning from earlier turns (prime-rl #1334)
    or does not render tool results makes the model learn from a conversation other than
    the one checked.

    ## Example
    A template that writes only the last assistant turn's `<think>` block: the reasoning of
    every earlier turn is gone.

    ## Use instead
    Move what the template drops where it keeps it (the system text into the first user
    turn, reasoning into the field the template reads), or use another template.

    ## Options
    None.

    ## Fix safety
    No fix: where the text should go depends on the model.

    ## References
    - transformers chat templates; Qwen3 and DeepSeek-R1 templates strip earlier reasoning
    """

    code = "TR004"
    name = "template-drops-content"
    group = "trainer"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR
    needs_rendering = True

    def prefilter(self) -> Prefilter:
        return _LOST

    def check_record(self, record: Record) -> list[Finding]:
        rendering, setup = record.rendering, self.ctx.trainer
        if rendering is None or setup is None or not rendering.missing:
            return []
        messages = record.data.get("messages") or []
        out = []
        for i, part in rendering.missing:
            role = messages[i].get("role") if i < len(messages) else None
            what = "reasoning" if part == "reasoning" else "text"
            out.append(
                Finding(
                    f"{setup.tokenizer}'s chat template does not render the {what} of this "
                    f"{role or 'message'} message (message {i}): the trainer never sees it",
                    pointer=f"/messages/{i}",
                    data={"message": i, "part": part},
                )
            )
        return out
