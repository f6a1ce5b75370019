"""The inbox pages: list, open one (marks it read and follows its link), mark all as read.

Opening and marking are POSTs (they change state, so they need the CSRF token); a notification of somebody
else is "not found", never "forbidden", so ids of other people's notifications reveal nothing.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts.models import User
from gridgov.notifications.actions import mark_all_read, mark_read
from gridgov.notifications.selectors import inbox, unread_count

PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    # login_required has let only signed-in users through.
    return cast(User, request.user)


@require_GET
@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(inbox(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_only": unread_only, "unread_total": unread_count(request.user)},
    )


@require_POST
@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(inbox(request.user), pk=pk)
    mark_read(actor=_user(request), notifications=[notification])
    link = notification.link
    # The link was validated as a local path when written; checked again because a redirect is where it counts.
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(link)
    return redirect("notifications:inbox")


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(actor=_user(request))
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.", "%(count)d notifications marked as read.", count
            )
            % {"count": count},
        )
    return redirect(reverse("notifications:inbox"))
