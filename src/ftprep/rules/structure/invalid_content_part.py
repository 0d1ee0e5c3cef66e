from __future__ import annotations

import re

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule

PART_TYPES = ("text", "image_url")
DATA_URL = re.compile(r"^data:image/(jpeg|jpg|png|webp|gif);base64,[A-Za-z0-9+/=\s]+$")


class InvalidContentPart(Rule):
    """## What it does
    Checks list-valued `content`: every part is `{"type": "text", "text": ...}` or
    `{"type": "image_url", "image_url": {"url": ...}}`; images only in user (or system)
    messages; image URLs are `https://` or a base64 `data:image/...` URL.

    ## Why is this bad?
    OpenAI accepts only text and image parts, and never images in assistant messages;
    LLaMA-Factory's `{"type": "text", "value": ...}` parts are not OpenAI parts.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": [{"type": "text", "value": "Hi"}]}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - OpenAI vision fine-tuning guide; togethercomputer/together-python `check_file`
    """

    code = "SC014"
    name = "invalid-content-part"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        messages = record.data.get("messages")
        if not isinstance(messages, list):
            return out
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or not isinstance(m.get("content"), list):
                continue
            role = m.get("role")
            for j, part in enumerate(m["content"]):
                p = f"/messages/{i}/content/{j}"
                if not isinstance(part, dict):
                    out.append(Finding("content part is not an object", pointer=p))
                    continue
                kind = part.get("type")
                if kind not in PART_TYPES:
                    out.append(
                        Finding(
                            f"content part type {kind!r} is not one of {', '.join(PART_TYPES)}",
                            pointer=p + "/type",
                        )
                    )
                elif kind == "text" and not isinstance(part.get("text"), str):
                    keys = ", ".join(k for k in part if k != "type")
                    out.append(
                        Finding(
                            f"text part has no string `text` (keys: {keys or 'none'})", pointer=p
                        )
                    )
                elif kind == "image_url":
                    if role == "assistant":
                        out.append(Finding("image in an assistant message", pointer=p))
                    image = part.get("image_url")
                    url = image.get("url") if isinstance(image, dict) else None
                    if not isinstance(url, str):
                        out.append(Finding("image part has no `image_url.url` string", pointer=p))
                    elif url.startswith("data:"):
                        if not DATA_URL.match(url[:200] + ("" if len(url) <= 200 else "A")):
                            out.append(
                                Finding(
                                    "malformed image data URL (expected "
                                    "data:image/png|jpeg|webp|gif;base64,...)",
                                    pointer=p + "/image_url/url",
                                )
                            )
                    elif not url.startswith(("https://", "http://")):
                        out.append(
                            Finding(
                                f"image URL {url[:60]!r} is neither http(s) nor a data URL",
                                pointer=p + "/image_url/url",
                            )
                        )
        return out
