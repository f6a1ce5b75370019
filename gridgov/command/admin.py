"""Admin for the command center's topics (专题): administrators add and edit them as data; every save is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.permissions import Verb
from gridgov.command.models import Topic
from gridgov.core import audit
from gridgov.core.admin_mixins import ManagedByVerb

MONTH_CHOICES = [(month, str(month)) for month in range(1, 13)]


class TopicForm(forms.ModelForm):
    """Keywords one per line and the season as twelve month boxes, rather than raw JSON."""

    keywords_text = forms.CharField(
        label=_("keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One word per line. Only cases whose title or description contains one of them belong to the topic; "
            "leave empty for no such limit."
        ),
    )
    season = forms.TypedMultipleChoiceField(
        label=_("season (months)"),
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only cases reported in these months of any year; none ticked: the whole year."),
    )

    class Meta:
        model = Topic
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "description_en",
            "categories",
            "areas",
            "sort_order",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["keywords_text"].initial = "\n".join(self.instance.keywords or [])
            self.fields["season"].initial = list(self.instance.season_months or [])

    def clean_keywords_text(self) -> list[str]:
        text: str = self.cleaned_data.get("keywords_text") or ""
        words: list[str] = []
        for line in text.splitlines():
            word = line.strip()
            if word and word not in words:
                words.append(word)
        return words

    def save(self, commit: bool = True) -> Topic:
        topic: Topic = super().save(commit=False)
        topic.keywords = self.cleaned_data.get("keywords_text") or []
        topic.season_months = sorted(self.cleaned_data.get("season") or [])
        if commit:
            topic.save()
            self.save_m2m()
        return topic


@admin.register(Topic)
class TopicAdmin(ManagedByVerb, admin.ModelAdmin):
    manage_verb = Verb.MANAGE_TAXONOMY
    form = TopicForm
    list_display = ("code", "name", "name_en", "sort_order", "is_active")
    list_editable = ("sort_order",)
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en")
    filter_horizontal = ("categories",)
    autocomplete_fields = ("areas",)
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "sort_order", "is_active")}),
        (None, {"fields": ("description", "description_en")}),
        (_("What belongs to the topic"), {"fields": ("categories", "keywords_text", "areas", "season")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            topic: Topic = form.instance
            audit.record(
                actor=request.user,
                verb="save_topic",
                target=topic,
                summary=f"{topic.code} {topic.name}",
                data={
                    "changed": list(form.changed_data),
                    "categories": sorted(topic.categories.values_list("code", flat=True)),
                    "areas": sorted(topic.areas.values_list("code", flat=True)),
                    "keywords": topic.keywords,
                    "season_months": topic.season_months,
                    "is_active": topic.is_active,
                },
            )

    def delete_model(self, request: HttpRequest, obj: Topic) -> None:
        with transaction.atomic():
            audit.record(
                actor=request.user, verb="delete_topic", target=obj, summary=f"{obj.code} {obj.name}"
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for topic in queryset:
                audit.record(
                    actor=request.user,
                    verb="delete_topic",
                    target=topic,
                    summary=f"{topic.code} {topic.name}",
                )
            super().delete_queryset(request, queryset)
