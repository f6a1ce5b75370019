"""The area tree: city → district → town/street → village/community → grid."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import TimeStampedModel
from gridgov.core.scope import Scope
from gridgov.geo.choices import LEVEL_DEPTH, AreaLevel


class Area(TimeStampedModel):
    """One node of the administrative tree, down to the grid (网格).

    ``path`` is the chain of codes from the root (``/320600/320612/…/``) so that "this area and everything under
    it" is one indexed prefix query on SQLite and PostgreSQL alike. ``boundary`` is a GeoJSON Polygon or
    MultiPolygon in WGS-84 (stored as JSON so both databases behave the same); the bounding box and centroid are
    kept beside it for map queries. Paths, boxes and centroids are maintained by ``geo.actions``.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True, help_text=_("Other names people use, e.g. 北渡村22组")
    )
    boundary = models.JSONField(_("boundary (GeoJSON, WGS-84)"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True, editable=False)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    case_prefix = models.CharField(
        _("case number prefix"),
        max_length=8,
        blank=True,
        help_text=_("Towns: letters that start the numbers of cases reported here, e.g. SG for 石港镇."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[self.level]

    @property
    def is_grid(self) -> bool:
        return self.level == AreaLevel.GRID

    def contains(self, other: Area) -> bool:
        """True when ``other`` is this area or lies under it."""
        return other.path.startswith(self.path)

    def permission_scope(self) -> Scope:
        return Scope(area_path=self.path)

    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to this area, this area included."""
        return [code for code in self.path.split("/") if code]
