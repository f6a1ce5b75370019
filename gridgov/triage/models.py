"""Trained model versions and the triage engine's advice on each case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelVersion(models.Model):
    """One trained model file. Exactly one version is current; a new one replaces it only if it is not worse."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    corpus_digest = models.CharField(_("corpus"), max_length=32)
    corpus_examples = models.PositiveIntegerField(_("corpus examples"), default=0)
    history_examples = models.PositiveIntegerField(_("examples from confirmed cases"), default=0)
    metrics = models.JSONField(_("held-out scores"), default=dict)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="triage_one_current_model"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Suggestion(models.Model):
    """What triage said about a case when it came in, and what of it was applied without a person."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="triage", verbose_name=_("case")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    model_version = models.CharField(_("model"), max_length=40)
    category = models.CharField(_("suggested category"), max_length=32, blank=True)
    scores = models.JSONField(_("category scores"), default=list)
    urgent = models.BooleanField(_("urgent"), default=False)
    urgent_score = models.FloatField(_("urgency score"), default=0.0)
    urgent_cues = models.JSONField(_("danger words"), default=list, blank=True)
    request_type = models.CharField(_("suggested request type"), max_length=16, blank=True)
    request_type_score = models.FloatField(default=0.0)
    place_source = models.CharField(_("place from"), max_length=16, blank=True)
    place_names = models.JSONField(_("place names found"), default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("possible duplicate of"),
    )
    duplicate_similarity = models.FloatField(null=True, blank=True)
    applied = models.JSONField(_("applied automatically"), default=list, blank=True)

    class Meta:
        verbose_name = _("triage suggestion")
        verbose_name_plural = _("triage suggestions")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.category}"

    @property
    def confidence(self) -> float:
        return float(self.scores[0][1]) if self.scores else 0.0
