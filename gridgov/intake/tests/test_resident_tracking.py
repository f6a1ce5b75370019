"""The reporter's tracking page /r/t/<secret>/, finding it again, its photos and the rating."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from gridgov.cases import actions as case_actions
from gridgov.cases.choices import CaseStatus, Satisfaction
from gridgov.cases.models import Case, CasePhoto
from gridgov.core.exceptions import InvalidTransition
from gridgov.dispatch import actions as dispatch_actions
from gridgov.intake.resident.actions import rate_by_secret
from gridgov.intake.tests.resident_support import (
    DISPATCHER_NAME,
    NAME,
    PHONE,
    WORKER_NAME,
    jpeg,
    make_people,
    photo_upload,
    submit,
    verified,
)
from gridgov.testing.factories import category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{id(settings)}:"
    cache.clear()


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _track(submitted) -> str:
    return f"/r/t/{submitted.submission.tracking_secret}/"


def test_the_tracking_page_shows_the_public_timeline_only(en, region):
    people = make_people(region)
    submitted = submit(text=f"北渡村22组路口路灯不亮，我的电话{PHONE}", address="北渡村22组15号")
    case = case_actions.accept_case(
        actor=people.dispatcher, case=submitted.case, category=category("road"), note="内部：已电话核实"
    )
    case = dispatch_actions.dispatch_case(actor=people.dispatcher, case=case, lead=people.roads)
    case_actions.comment_case(actor=people.dispatcher, case=case, text="供电所明天上门", public=True)
    case_actions.comment_case(actor=people.dispatcher, case=case, text="内部备注不公开", public=False)
    case_actions.reveal_personal_data(actor=people.dispatcher, case=case)

    response = en.get(_track(submitted))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private" and response["Referrer-Policy"] == "same-origin"
    assert case.number in html and 'data-status="dispatched"' in html
    assert "Passed on to the department responsible." in html
    verbs = ["report", "accept", "dispatch", "comment"]
    for verb in verbs:
        assert f'data-event="{verb}"' in html
    assert 'data-event="view_personal_data"' not in html and 'data-event="categorise"' not in html
    assert "测试镇1建设办" in html  # department names are public
    assert "供电所明天上门" in html
    for secret in (PHONE, NAME, DISPATCHER_NAME, "内部备注不公开", "内部：已电话核实", "北渡村22组15号"):
        assert secret not in html
    assert "138****5678" in html and "北渡村22组**号" in html


def test_a_wrong_secret_or_the_case_number_opens_nothing(client, region):
    make_people(region)
    submitted = submit()
    assert client.get("/r/t/not-the-secret/").status_code == 404
    assert client.get(f"/r/t/{submitted.case.number}/").status_code == 404
    assert client.get(f"/r/done/{submitted.case.number}/").status_code == 404
    assert (
        client.post(f"/r/t/{submitted.case.number}/rate/", {"satisfaction": "satisfied"}).status_code == 404
    )


def test_public_photo_copies_only(client, region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    people = make_people(region)
    submitted = submit(photos=[photo_upload()])
    other = submit(photos=[photo_upload(data=jpeg(colour=(10, 200, 10)))])
    (photo,) = submitted.case.photos.all()
    (other_photo,) = other.case.photos.all()
    html = client.get(_track(submitted)).content.decode()
    url = f"{_track(submitted)}photos/{photo.pk}/"
    assert url in html and "/media/" not in html and "original" not in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == photo.public.open("rb").read()
    assert response["Cache-Control"] == "no-store, private"
    assert client.get(f"{_track(submitted)}photos/{other_photo.pk}/").status_code == 404

    # the result photo appears with the result once resolved
    case_actions.resolve_in_grid(
        actor=people.worker, case=submitted.case, result="已修好", photos=[photo_upload("r.jpg")]
    )
    html = client.get(_track(submitted)).content.decode()
    result = CasePhoto.objects.get(case=submitted.case, kind=CasePhoto.KIND_RESULT)
    assert "data-result" in html and "已修好" in html and f"photos/{result.pk}/" in html


def test_find_by_number_and_the_last_four_digits(en, region):
    make_people(region)
    submitted = submit()
    number = submitted.case.number
    response = en.post("/r/find/", {"number": number.lower(), "phone_last4": PHONE[-4:]})
    assert response.status_code == 302 and response["Location"] == _track(submitted)
    response = en.post("/r/find/", {"number": number, "phone_last4": "0000"})
    assert response.status_code == 400 and "No case matches" in response.content.decode()
    response = en.post("/r/find/", {"number": number, "phone_last4": "56a8"})
    assert response.status_code == 400 and "exactly 4 digits" in response.content.decode()
    without_phone = submit(phone="")
    response = en.post("/r/find/", {"number": without_phone.case.number, "phone_last4": "5678"})
    assert response.status_code == 400
    assert en.get("/r/find/").status_code == 200


def test_the_rating_form_appears_once_the_result_is_verified(en, region):
    people = make_people(region)
    submitted = submit()
    assert "data-rating-form" not in en.get(_track(submitted)).content.decode()
    verified(people, submitted.case)
    html = en.get(_track(submitted)).content.decode()
    assert "data-rating-form" in html and 'data-status="verified"' in html
    assert "已更换路灯灯泡" in html  # the result


def test_satisfied_closes_the_case_and_a_second_rating_is_refused(en, region):
    people = make_people(region)
    submitted = submit()
    verified(people, submitted.case)
    url = f"{_track(submitted)}rate/"
    response = en.post(url, {"satisfaction": Satisfaction.SATISFIED, "comment": "很快就修好了"})
    assert response.status_code == 302 and response["Location"] == f"{_track(submitted)}#rating"
    case = Case.objects.get(pk=submitted.case.pk)
    assert case.status == CaseStatus.CLOSED and case.satisfaction == Satisfaction.SATISFIED
    event = case.events.get(verb="rate_satisfied")
    assert event.actor is None and event.note == "很快就修好了" and event.public

    html = en.get(_track(submitted)).content.decode()
    assert 'data-rating="satisfied"' in html and "data-rating-form" not in html and "很快就修好了" in html

    response = en.post(url, {"satisfaction": Satisfaction.DISSATISFIED})
    assert response.status_code == 409 and "cannot be rated now" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert case.events.filter(verb__startswith="rate_").count() == 1


def test_dissatisfied_reopens_the_case(en, region):
    people = make_people(region)
    submitted = submit()
    verified(people, submitted.case)
    response = en.post(
        f"{_track(submitted)}rate/", {"satisfaction": Satisfaction.DISSATISFIED, "comment": "还是不亮"}
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=submitted.case.pk)
    assert case.status == CaseStatus.REOPENED and case.reopen_count == 1
    assert case.events.get(verb="rate_dissatisfied").actor is None
    html = en.get(_track(submitted)).content.decode()
    assert 'data-rating="dissatisfied"' in html and "reopened" in html


def test_a_rating_needs_a_choice(en, region):
    people = make_people(region)
    submitted = submit()
    verified(people, submitted.case)
    response = en.post(f"{_track(submitted)}rate/", {"satisfaction": "wonderful"})
    assert response.status_code == 400 and "data-rating-form" in response.content.decode()
    assert Case.objects.get(pk=submitted.case.pk).status == CaseStatus.VERIFIED


def test_rate_by_secret_checks_the_secret_and_the_state(region):
    people = make_people(region)
    submitted = submit()
    with pytest.raises(InvalidTransition):
        rate_by_secret(
            actor=None,
            submission=submitted.submission,
            secret=submitted.submission.tracking_secret,
            satisfaction=Satisfaction.SATISFIED,
        )
    verified(people, submitted.case)
    with pytest.raises(PermissionDenied):
        rate_by_secret(actor=None, submission=submitted.submission, secret="guess", satisfaction="satisfied")
    # someone else's account does not become the actor: the row stays anonymous
    case = rate_by_secret(
        actor=people.resident,
        submission=submitted.submission,
        secret=submitted.submission.tracking_secret,
        satisfaction=Satisfaction.BASICALLY,
    )
    assert case.status == CaseStatus.CLOSED and case.events.get(verb="rate_satisfied").actor is None


def test_the_reporter_account_rates_as_itself(client, region):
    people = make_people(region)
    client.force_login(people.resident)
    response = client.post(
        "/r/",
        {
            "text": "北渡村22组路口路灯不亮",
            "lat": "32.205",
            "lon": "120.905",
            "category": category("road").pk,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    verified(people, case)
    secret = case.submission.tracking_secret
    assert client.post(f"/r/t/{secret}/rate/", {"satisfaction": "satisfied"}).status_code == 302
    assert case.events.get(verb="rate_satisfied").actor == people.resident


def test_rate_case_without_an_actor_is_the_anonymous_reporter(region):
    people = make_people(region)
    case = verified(people, submit().case)
    with pytest.raises(ValueError):
        case_actions.rate_case(actor=None, case=case, satisfaction="satisfied", by_visit=True)
    case = case_actions.rate_case(actor=None, case=case, satisfaction="dissatisfied")
    assert case.status == CaseStatus.REOPENED


def test_rejected_and_merged_cases_read_plainly(en, region):
    people = make_people(region)
    rejected = submit()
    case_actions.reject_case(
        actor=people.dispatcher, case=rejected.case, reason="不属于平台受理范围，请拨打12345"
    )
    html = en.get(_track(rejected)).content.decode()
    assert "Not taken up" in html and "请拨打12345" in html

    master = submit()
    duplicate = submit()
    case_actions.merge_case(actor=people.dispatcher, case=duplicate.case, master=master.case)
    html = en.get(_track(duplicate)).content.decode()
    assert "Merged with an earlier report" in html and "/r/f/" in html
    html = en.get(_track(master)).content.decode()
    assert 'data-reports="2"' in html


def test_tracking_page_escapes_user_text(en, region):
    make_people(region)
    script = "<script>alert('x')</script>"
    submitted = submit(text=f"路灯坏了{script}", address=f"北渡村{script}")
    html = en.get(_track(submitted)).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_no_staff_names_after_the_whole_loop(en, region):
    people = make_people(region)
    submitted = submit()
    verified(people, submitted.case)
    html = en.get(_track(submitted)).content.decode()
    for name in (DISPATCHER_NAME, WORKER_NAME, people.dispatcher.username, people.worker.username):
        assert name not in html
