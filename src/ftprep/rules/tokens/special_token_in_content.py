from __future__ import annotations

import re

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule
from ftprep.core.texts import record_texts

SPECIAL_TOKENS = re.compile(
    r"<\|(?:endoftext|im_start|im_end|im_sep|fim_prefix|fim_middle|fim_suffix|fim_pad|endofprompt"
    r"|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|eom_id|python_tag"
    r"|start|end|message|channel|return|call|system|user|assistant|pad|reserved_\d+)\|>"
    r"|</s>|<s>|\[/?INST\]|<</?SYS>>|<start_of_turn>|<end_of_turn>"
)


_BRACKETS = Prefilter(needles=("<", "["))


class SpecialTokenInContent(Rule):
    """## What it does
    Reports literal special tokens and chat-template markup inside text: `<|endoftext|>`,
    `<|im_start|>`, `<|im_end|>`, `<|eot_id|>`, `</s>`, `[INST]`, `<<SYS>>`...

    ## Why is this bad?
    OpenAI rejects the example ("contains an invalid token: <|fim_suffix|>"). Trainers that
    accept it tokenize the text as the real control token, ending the turn or the document
    in the middle of the example.

    ## Example
    `"Sure!<|im_end|>"`

    ## Use instead
    `"Sure!"`; template markup belongs to the trainer, not the data.

    ## Options
    None.

    ## Fix safety
    No fix: code and papers about tokenizers mention these strings on purpose.

    ## References
    - johny-b/llmcomp#59, simonw/ttok#13, bespokelabsai/curator#178
    """

    code = "TK002"
    name = "special-token-in-content"
    group = "tokens"
    default_severity = Severity.ERROR

    def prefilter(self) -> Prefilter:
        """Every special token starts with ``<`` or ``[``: only those texts are searched."""
        return _BRACKETS

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for pointer, text, _role in record_texts(record):
            if "<" not in text and "[" not in text:
                continue
            found = sorted({m.group() for m in SPECIAL_TOKENS.finditer(text)})
            if found:
                out.append(
                    Finding(
                        f"special token text {', '.join(found)} inside the content",
                        pointer=pointer,
                        data={"tokens": found},
                    )
                )
        return out
