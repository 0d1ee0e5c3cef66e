"""Patterns for secrets and personal data, tuned for few false positives on ordinary text.

Each secret pattern is looked for only when a cheap literal marker is in the text (a
substring search runs at memory speed; a regular expression does not). Matches that look
like placeholders (`sk-xxxxxxxx`, `sk-your-key-here`, `user:password@`) are not secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ftprep.core.text_index import MANY_DIGITS
from ftprep.core.texts import rarest_char

# (name, literal markers, pattern); the pattern's last group (or the whole match) is the secret.
SECRET_PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    (
        "Anthropic API key",
        ("sk-ant-",),
        re.compile(r"\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{40,}"),
    ),
    (
        "OpenAI API key",
        ("sk-",),
        re.compile(r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{32,}"),
    ),
    ("AWS access key ID", ("AKIA", "ASIA"), re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b"),
    ),
    ("Slack token", ("xox",), re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("Google API key", ("AIza",), re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    (
        "Stripe secret key",
        ("_live_", "_test_"),
        re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,}\b"),
    ),
    ("Hugging Face token", ("hf_",), re.compile(r"\bhf_[A-Za-z0-9]{34,}\b")),
    (
        "private key block",
        ("PRIVATE KEY-----",),
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    ),
    (
        "JSON web token",
        ("eyJ",),
        re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    ),
    (
        "bearer token",
        ("Bearer ", "bearer "),
        re.compile(r"\b[Bb]earer\s+([A-Za-z0-9._~+/-]{24,}=*)"),
    ),
    (
        "password in a URL",
        ("://",),
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:([^\s:/@]+)@[\w.-]+"),
    ),
)

_PLACEHOLDER_WORDS = re.compile(
    r"(?i)x{4,}|\*{3,}|\.{3}|your|example|placeholder|redacted|dummy|<|>|\{|\}|\$|"
    r"^(?:pass(?:word)?|passwd|pwd|secret|token|changeme|admin|root|test|user)$"
)
_KEY_LIKE = {"password in a URL", "private key block"}


def _looks_real(name: str, secret: str) -> bool:
    """Keys are random: digits and letters mixed, many distinct characters, no placeholder."""
    if _PLACEHOLDER_WORDS.search(secret):
        return False
    if name in _KEY_LIKE:
        return True
    core = secret.split("-")[-1] if name != "JSON web token" else secret
    return (
        any(c.isdigit() for c in core) and any(c.isalpha() for c in core) and len(set(core)) >= 10
    )


# Every marker once, flat: most texts hold none, and a loop of ``in`` tests is the cheapest
# way to say so.
_ALL = tuple(dict.fromkeys(m for _, markers, _ in SECRET_PATTERNS for m in markers))
# A marker containing another is redundant; those with "_" are only tried when the text has
# one (ordinary prose rarely does).
MARKERS = tuple(m for m in _ALL if not any(o != m and o in m for o in _ALL))
_PLAIN = tuple(m for m in MARKERS if "_" not in m)
_UNDERSCORED = tuple(m for m in MARKERS if "_" in m)

# Each marker with the character to search for first (most texts lack it).
_PROBED = tuple((m, rarest_char(m)) for m in _PLAIN)


def markers_in(text: str) -> list[str]:
    """The markers that occur in ``text``.

    Asked of a whole batch of texts joined, it says which markers are worth looking for in
    each text: usually none, at the cost of one search per marker for the whole batch.
    """
    found = [marker for marker, probe in _PROBED if probe in text and marker in text]
    if "_" in text:
        found += [marker for marker in _UNDERSCORED if marker in text]
    return found


def has_marker(text: str) -> bool:
    for marker, probe in _PROBED:
        if probe in text and marker in text:
            return True
    if "_" in text:
        for marker in _UNDERSCORED:
            if marker in text:
                return True
    return False


def find_secrets(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, secret, offset) for each likely secret in ``text``."""
    if not has_marker(text):
        return
    for name, markers, pattern in SECRET_PATTERNS:
        if not any(m in text for m in markers):
            continue
        for match in pattern.finditer(text):
            secret = match.group(match.lastindex or 0)
            if _looks_real(name, secret):
                yield name, secret, match.start()


# Characters of a secret a message shows: enough to find it, never enough to use it.
SHOWN_CHARS = 4


def mask(secret: str) -> str:
    """A fixed short prefix of a secret and its length (a short password shows less)."""
    shown = min(SHOWN_CHARS, len(secret) // 4)
    return f"{secret[:shown]}… ({len(secret)} characters)"


# Not after ``:`` or ``/``: ``user:password@host`` in a URL holds no e-mail address.
_EMAIL = re.compile(
    r"(?<![\w.%+:/-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)
_PHONE = re.compile(
    r"(?<![\w+./-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,5}(?:[ .-]\d{2,8}){1,4}(?![\w/]|[.-]\d)"
)
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")


def count_emails(text: str) -> int:
    return len(_EMAIL.findall(text)) if "@" in text else 0


# National numbers are checked against these regions' numbering plans (international
# numbers, with +, against their own): across every region's plans nearly any digit run
# is valid somewhere, so the regions must be chosen (PV002's `regions` option).
DEFAULT_REGIONS = ("US", "GB", "IN")


def count_phones(
    text: str, digits: int | None = None, regions: tuple[str, ...] = DEFAULT_REGIONS
) -> int:
    """Phone numbers: runs shaped like one (9 to 15 digits in groups, not an IP address or
    a date) that phonenumbers (Google's libphonenumber data) calls valid: `960-480-120` is
    arithmetic, `+1 (555) 123-4567` a placeholder, `+1 415-555-2671` a number.

    ``digits``, the text's digit count when known, skips the search in texts too short of
    digits to hold a number (most of them).
    """
    if digits is not None and digits < MANY_DIGITS:
        return 0
    n = 0
    for match in _PHONE.finditer(text):
        run = match.group()
        digits = sum(c.isdigit() for c in run)
        if not MANY_DIGITS <= digits <= 15 or _IPV4.fullmatch(run) or _DATE.fullmatch(run):
            continue
        # A lone run of spaced numbers ("10 20 30 40") is a list, not a phone number.
        if " " in run and not any(sep in run for sep in "+(-.") and run.count(" ") > 2:
            continue
        n += is_phone_number(run, regions)
    return n


def is_phone_number(candidate: str, regions: tuple[str, ...] = DEFAULT_REGIONS) -> bool:
    import phonenumbers

    for region in (None,) if candidate.lstrip().startswith("+") else regions:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False
