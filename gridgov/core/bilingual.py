"""Texts kept in two languages (a category's, a topic's name): Chinese is the reference, English is shown when the
active language is English and an English text exists."""

from __future__ import annotations

from django.utils import translation


def english_active() -> bool:
    """Is the active language English (``en``, ``en-us``…)?"""
    return (translation.get_language() or "").startswith("en")


def in_active_language(text: str | None, text_en: str | None) -> str:
    """``text_en`` when the active language is English and it is not empty, else ``text`` (the Chinese one)."""
    if text_en and english_active():
        return text_en
    return text or ""
