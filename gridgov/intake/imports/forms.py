"""Forms of the import page: the upload, then the column mapping with the import options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.cases.choices import Channel
from gridgov.geo.geometry import CoordSystem
from gridgov.geo.models import Area
from gridgov.intake.imports.mapping import FIELDS

MAP_PREFIX = "map_"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Work-order file"),
        help_text=_("An Excel workbook (.xlsx, first sheet) or a CSV file (UTF-8 or GB18030/GBK)."),
    )


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name


class MappingForm(forms.Form):
    """The import options and one select per field, listing the file's headers."""

    source = forms.CharField(
        label=_("Source system"),
        max_length=100,
        initial="12345",
        help_text=_(
            "Where the work orders come from (e.g. 12345). A work-order number is imported once per source."
        ),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.IMPORT, Channel.IMPORT.label), (Channel.HOTLINE, Channel.HOTLINE.label)],
        initial=Channel.IMPORT,
        help_text=_("For rows whose channel column does not say otherwise."),
    )
    coord_system = forms.ChoiceField(
        label=_("Coordinate system"), choices=CoordSystem.choices, initial=CoordSystem.WGS84
    )

    def __init__(
        self,
        *args: Any,
        headers: Sequence[str],
        areas: Sequence[Area],
        mapping: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if len(areas) > 1:
            self.fields["area"] = AreaChoiceField(
                label=_("Command center"),
                queryset=Area.objects.filter(pk__in=[area.pk for area in areas]).order_by("path"),
                initial=areas[0].pk,
                help_text=_("Rows without a place land here."),
            )
        self.areas = list(areas)
        options: list[tuple[str, Any]] = [("", _("— not imported —"))]
        seen: set[str] = set()
        for header in headers:
            if header and header not in seen:
                seen.add(header)
                options.append((header, header))
        mapping = mapping or {}
        for spec in FIELDS:
            self.fields[MAP_PREFIX + spec.name] = forms.ChoiceField(
                label=spec.label,
                choices=options,
                required=False,
                initial=mapping.get(spec.name, ""),
                help_text=spec.help,
            )
            self.fields[MAP_PREFIX + spec.name].widget.attrs["data-required"] = "1" if spec.required else "0"

    def option_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("source", "area", "channel", "coord_system") if name in self.fields]

    def mapping_fields(self) -> list[tuple[forms.BoundField, bool]]:
        return [(self[MAP_PREFIX + spec.name], spec.required) for spec in FIELDS]

    def chosen_mapping(self) -> dict[str, str]:
        return {
            spec.name: self.cleaned_data.get(MAP_PREFIX + spec.name) or ""
            for spec in FIELDS
            if self.cleaned_data.get(MAP_PREFIX + spec.name)
        }

    def chosen_area(self) -> Area:
        area = self.cleaned_data.get("area")
        return area if isinstance(area, Area) else self.areas[0]
