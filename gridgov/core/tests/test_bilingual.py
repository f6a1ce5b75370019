"""Texts in two languages: the English one only when English is active and it exists."""

from __future__ import annotations

from django.utils import translation

from gridgov.core.bilingual import english_active, in_active_language


def test_chinese_is_the_reference_and_english_is_shown_when_active_and_present():
    with translation.override("zh-hans"):
        assert not english_active()
        assert in_active_language("道路交通", "Roads and traffic") == "道路交通"
    with translation.override("en"):
        assert english_active()
        assert in_active_language("道路交通", "Roads and traffic") == "Roads and traffic"
        assert in_active_language("道路交通", "") == "道路交通"  # no English text: the Chinese one
        assert in_active_language(None, None) == ""
