"""Text that is safe to print and store, whatever a submission put in it.

A learner's exception message or file name may hold unpaired surrogates (``"\\ud800"``),
bytes that are not UTF-8, terminal escape sequences or a million characters. `clean_text`
turns any of them into a short, printable, valid UTF-8 string.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(text: object, limit: int = 2000) -> str:
    """``text`` as valid UTF-8 without control characters (newlines and tabs kept), cut to
    ``limit`` characters; an undecodable byte or a lone surrogate becomes U+FFFD."""
    if not isinstance(text, str):
        try:
            text = str(text)
        except Exception:
            text = "<unprintable>"
    text = str.__str__(text)[: 2 * limit]  # a str subclass's own methods are not called below
    # escaped bytes (from a non-UTF-8 file name) back to bytes, then any lone surrogate
    text = "".join(
        c.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if "\udc80" <= c <= "\udcff"
        else ("\ufffd" if "\ud800" <= c <= "\udfff" else c)
        for c in text
    )
    text = _CONTROL.sub("\ufffd", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
