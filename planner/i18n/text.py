"""Unicode normal form C for user-facing text."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """Text in Unicode normal form C."""
    return unicodedata.normalize("NFC", text)
