"""The signed-in user's own inbox: list, mark one read, mark all read.

Every query goes through ``selectors.inbox``, so another user's notification is simply not found (404).
"""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.accounts.models import User
from gridgov.notifications.actions import mark_all_read, mark_read
from gridgov.notifications.api.serializers import (
    InboxQuerySerializer,
    MarkedSerializer,
    NotificationSerializer,
)
from gridgov.notifications.models import Notification
from gridgov.notifications.selectors import inbox


def _user(request: Request) -> User:
    # The default permission class (IsAuthenticated) has let only signed-in users through.
    return cast(User, request.user)


@extend_schema(parameters=[InboxQuerySerializer], summary="My notifications, newest first")
class NotificationList(generics.ListAPIView):
    """The user's own notifications, newest first; ``?unread=1`` for the unread ones only."""

    serializer_class = NotificationSerializer
    filter_backends: list[type] = []  # the one filter is ?unread, parsed below

    def get_queryset(self) -> QuerySet[Notification]:
        query = InboxQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return inbox(self.request.user, unread_only=query.validated_data["unread"])


class NotificationRead(APIView):
    """Mark one of the user's notifications as read (no-op when it already is)."""

    @extend_schema(request=None, responses={200: NotificationSerializer}, summary="Mark a notification read")
    def post(self, request: Request, pk: int) -> Response:
        notification = get_object_or_404(inbox(request.user), pk=pk)
        mark_read(actor=_user(request), notifications=[notification])
        return Response(NotificationSerializer(notification).data)


class NotificationReadAll(APIView):
    """Mark all of the user's notifications as read."""

    @extend_schema(request=None, responses={200: MarkedSerializer}, summary="Mark all notifications read")
    def post(self, request: Request) -> Response:
        return Response(MarkedSerializer({"marked": mark_all_read(actor=_user(request))}).data)
