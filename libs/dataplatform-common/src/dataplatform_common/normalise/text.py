"""Trimming, whitespace and letter-case rules for free text (names, cities, addresses)."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Case = Literal["keep", "upper", "lower", "title"]

_SPACES = re.compile(r"\s+")
# Word boundaries inside names where the next letter is capitalised: "jean-pierre" -> "Jean-Pierre",
# "d'artagnan" -> "D'Artagnan".
_TITLE_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_KEY_WORD = re.compile(r"[a-z0-9]+")


def clean_text(value: str, case: Case = "keep") -> str:
    """Trim, collapse inner whitespace (incl. non-breaking spaces), NFC-normalise and apply `case`."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    if case == "title":
        return _TITLE_WORD.sub(lambda word: word.group(0).capitalize(), text.lower())
    return text


def strip_accents(value: str) -> str:
    """`Évry-Courcouronnes` -> `Evry-Courcouronnes`: the comparison form used by match keys."""
    if value.isascii():
        return value  # nothing to strip (the common case: no per-character pass)
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def match_key(value: str) -> str:
    """Accent-, case- and punctuation-insensitive key used to compare names across records."""
    return " ".join(_KEY_WORD.findall(strip_accents(value).lower()))
