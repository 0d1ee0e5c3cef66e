from __future__ import annotations

from collections.abc import Sequence

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule
from ftprep.core.texts import record_texts
from ftprep.rules.privacy._patterns import MARKERS, find_secrets, has_marker, mask
from ftprep.rules.texts import other_strings

_PLAIN_KEYS = {
    Kind.COMPLETION: frozenset({"prompt", "completion"}),
    Kind.CHAT: frozenset({"messages"}),
}


def _has_other_values(record: Record) -> bool:
    """Whether a record holds strings beside its texts (most hold none)."""
    plain = _PLAIN_KEYS.get(record.kind) if record.kind is not None else None
    if plain is None or not plain.issuperset(record.data):
        return True
    messages = record.data.get("messages")
    return isinstance(messages, list) and any(
        isinstance(m, dict) and (len(m) > 2 or isinstance(m.get("content"), list)) for m in messages
    )


_SUSPECTS = Prefilter(needles=MARKERS, record=_has_other_values)


class SecretInContent(Rule):
    """## What it does
    Finds credentials in any string of a record (texts, tool-call arguments, metadata
    fields such as `api_key`): API keys of the common providers (OpenAI,
    Anthropic, AWS, GitHub, Slack, Google, Stripe, Hugging Face), private key blocks, JSON
    web tokens, bearer tokens and passwords inside URLs. Values that look like placeholders
    (`sk-xxxx…`, `your-key-here`, `user:password@`) are not reported. Messages show at
    most the first four characters of a secret and its length.

    ## Why is this bad?
    A model trained on a secret can repeat it to anyone who asks the right question, and
    the training file itself now holds a live credential.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Why does my call fail? key=sk-proj-Ab3dEf9hIjK1mNoPqR2tUvWxYz0123456789"}, {"role": "assistant", "content": "..."}]}
    ```

    ## Use instead
    Replace the secret with a placeholder (`sk-...`), and revoke it: it has been shared.

    ## Options
    None.

    ## Fix safety
    No fix: the secret must be revoked, and the record edited by a person.

    ## References
    - gitleaks and GitHub secret scanning token formats; OWASP LLM06 (sensitive information)
    """

    code = "PV001"
    name = "secret-in-content"
    group = "privacy"
    default_severity = Severity.ERROR

    def prefilter(self) -> Prefilter:
        """Texts holding one of the secrets' markers, and records with values beside their
        texts (tool arguments, metadata: rare), which the check reads too."""
        return _SUSPECTS

    def check_record(self, record: Record) -> Sequence[Finding]:
        texts = [(p, t) for p, t, _ in record_texts(record)]
        if _has_other_values(record):
            texts += other_strings(record)
        if not any(has_marker(text) for _, text in texts):
            return ()
        found: list[Finding] = []
        for pointer, text in texts:
            for kind, secret, _ in find_secrets(text):
                found.append(
                    Finding(
                        f"{kind} in the text ({mask(secret)})",
                        record=record.index,
                        pointer=pointer,
                        data={"kind": kind},
                    )
                )
        return found
