"""Split long text for platforms with a message-length limit, on sensible boundaries."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters, cut at a paragraph, then a line, then a
    sentence, then a space; only a single unbroken run longer than `limit` is cut hard."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            pos = window.rfind(sep, 0, limit + (1 if sep == " " else 0))
            if pos > limit // 3:  # don't leave a tiny fragment behind
                cut = pos + (1 if sep == ". " else 0)
                break
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts or [""]
