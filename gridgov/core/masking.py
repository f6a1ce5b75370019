"""Masking of personal data (phone numbers, ID numbers, addresses) for roles that do not need it in full."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; short numbers keep only their last two digits."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) >= 11:
        return f"{phone[:3]}****{phone[-4:]}"
    if len(phone) > 2:
        return "*" * (len(phone) - 2) + phone[-2:]
    return "*" * len(phone)


def mask_id_number(number: str) -> str:
    """A resident ID (18 characters) keeps its first 6 (the place code) and last 4: ``320612**********1234``."""
    number = (number or "").strip()
    if len(number) <= 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


def mask_address(address: str) -> str:
    """Keep the place (village, road) and hide house numbers: every digit after the first 6 characters."""
    address = (address or "").strip()
    head, tail = address[:6], address[6:]
    return head + _DIGITS.sub("*", tail)


# Free text: resident ID numbers (18 characters, the last may be X; the old 15-digit form), mobile numbers
# (+86 optional) and landlines with an area code; none of them may touch a longer run of digits.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<!\d)(0\d{2,3}[- ]?\d{7,8})(?!\d)")
#: Each pattern above starts with three digits in a row: a text without them has nothing to mask (most reports).
_THREE_DIGITS = re.compile(r"\d{3}")


def mask_personal_text(text: str) -> str:
    """Mask the ID numbers and phone numbers written inside a free text (a report's description) for the public.

    ``我的电话13812345678`` → ``我的电话138****5678``; an ID number keeps its place code and last 4 characters.
    """
    if not text:
        return ""
    if _THREE_DIGITS.search(text) is None:
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(1)), text)
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[- ]", "", m.group(1))), text)
    return _LANDLINE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[- ]", "", m.group(1))), text)
