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
