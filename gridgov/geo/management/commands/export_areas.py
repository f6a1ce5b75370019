"""``gridgov export_areas``: write areas as a GeoJSON FeatureCollection, one feature per line.

The output is what ``import_areas`` reads, parents before children, so a town can export its areas, correct
them in a GIS tool and import them again; an import problem's line number points at the feature.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gridgov.geo.choices import AreaLevel
from gridgov.geo.geojson_io import write_areas
from gridgov.geo.models import Area
from gridgov.geo.selectors import area_subtree


class Command(BaseCommand):
    help = "Export areas as a GeoJSON FeatureCollection (one feature per line)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--within", metavar="CODE", help="only this area and the areas under it")
        parser.add_argument("--level", choices=AreaLevel.values, help="only areas of this level")

    def handle(self, *args: Any, **options: Any) -> None:
        areas = Area.objects.select_related("parent").order_by("path")
        if options["within"]:
            try:
                within = Area.objects.get(code=options["within"])
            except Area.DoesNotExist as error:
                raise CommandError(_("No area with code %(code)s.") % {"code": options["within"]}) from error
            areas = area_subtree(within).select_related("parent").order_by("path")
        if options["level"]:
            areas = areas.filter(level=options["level"])

        output = options["output"]
        if output:
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    count = write_areas(areas.iterator(chunk_size=500), handle)
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error}
                ) from error
            self.stderr.write(_("%(count)d areas written to %(file)s.") % {"count": count, "file": output})
        else:
            write_areas(areas.iterator(chunk_size=500), self.stdout)
