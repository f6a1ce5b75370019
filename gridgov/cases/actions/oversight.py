"""Verbs that keep the status: supervision (督办), urging (催办), comments, and the logged reveal of personal data
and of original photos."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Verb, require
from gridgov.cases import notices
from gridgov.cases.choices import AlertLevel
from gridgov.cases.deadlines import apply_resolve_deadline
from gridgov.cases.models import Case, CasePhoto
from gridgov.cases.timeline import lock_case, record_event, require_open, save_case


def supervise_case(
    *, actor: User, case: Case, instruction: str, deadline: datetime, expected_version: int | None = None
) -> Case:
    """督办: a leader's order with a deadline; the deadline replaces the computed one."""
    if not instruction.strip():
        raise ValidationError({"instruction": _("Write the instruction.")})
    if deadline <= timezone.now():
        raise ValidationError({"deadline": _("The deadline must lie in the future.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.SUPERVISE_CASE, case)
        require_open(case)
        case.supervise_by = deadline
        apply_resolve_deadline(case)
        case.alert_level = AlertLevel.NORMAL
        record_event(
            case,
            actor=actor,
            verb="supervise",
            note=instruction.strip(),
            data={"deadline": deadline.isoformat()},
        )
        save_case(case)
        notices.supervised(actor, case, instruction.strip())
    return case


def urge_case(*, actor: User, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """催办: a reminder to whoever holds the case."""
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.URGE_CASE, case)
        require_open(case)
        record_event(case, actor=actor, verb="urge", note=note.strip())
        save_case(case)
        notices.urged(actor, case, note.strip())
    return case


def comment_case(
    *, actor: User, case: Case, text: str, public: bool = False, expected_version: int | None = None
) -> Case:
    """A note on the timeline; ``public`` ones are shown to the reporter."""
    if not text.strip():
        raise ValidationError({"text": _("Write something.")})
    with transaction.atomic():
        case = lock_case(case, expected_version=expected_version)
        require(actor, Verb.COMMENT_CASE, case)
        record_event(case, actor=actor, verb="comment", note=text.strip(), public=public)
        save_case(case)
    return case


def reveal_personal_data(*, actor: User, case: Case) -> dict[str, str]:
    """Show the reporter's name and phone unmasked; the view itself is an event on the timeline."""
    with transaction.atomic():
        case = lock_case(case)
        require(actor, Verb.VIEW_PERSONAL_DATA, case)
        record_event(
            case, actor=actor, verb="view_personal_data", data={"fields": ["reporter_name", "reporter_phone"]}
        )
    return {"reporter_name": case.reporter_name, "reporter_phone": case.reporter_phone}


def view_original_photo(*, actor: User, photo: CasePhoto) -> CasePhoto:
    """Opening an original photo shows its EXIF (where and when it was taken): logged like any personal data."""
    with transaction.atomic():
        case = lock_case(photo.case_id)
        require(actor, Verb.VIEW_PERSONAL_DATA, case)
        record_event(case, actor=actor, verb="view_photo_original", data={"photo": photo.pk})
    return photo
