"""Form pieces every intake page shares: phone numbers as people type them, and photos checked by content."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from gridgov.core.images import ImageRejected, inspect_image

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def max_photos() -> int:
    return int(settings.GRIDGOV["INTAKE_MAX_PHOTOS"])


def normalise_phone(value: str) -> str:
    """Digits only, without a +86 / 0086 country prefix; ``""`` when nothing was given."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to ``INTAKE_MAX_PHOTOS`` photos, each checked by decoding its content (not its name or declared type)."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > max_photos():
            raise ValidationError(
                gettext("At most %(max)d photos can be attached.") % {"max": max_photos()}, code="too_many"
            )
        errors = []
        for number, upload in enumerate(files, start=1):
            try:
                inspect_image(upload)
            except ImageRejected as error:
                errors.append(
                    ValidationError(
                        gettext("Photo %(number)d (%(name)s): %(reason)s")
                        % {"number": number, "name": upload.name or "", "reason": error.message},
                        code=str(error.reason),
                    )
                )
        if errors:
            raise ValidationError(errors)
        return files
