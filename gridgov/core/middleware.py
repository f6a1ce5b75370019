"""Language selection: Simplified Chinese unless the user chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so a town office PC with an English browser
would show English. GridGov's pages use the language cookie set by the language menu, else ``LANGUAGE_CODE``;
API and Open311 clients still get their Accept-Language honoured, so a machine client can ask for English errors.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

API_PREFIXES = ("/api/", "/open311/")


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if request.path.startswith(API_PREFIXES):
            response.headers.setdefault("Vary", "Accept-Language")
        return response

    def _choose(self, request: HttpRequest) -> str:
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie and cookie.lower() in self.supported:
            return cookie.lower()
        if request.path.startswith(API_PREFIXES):
            return translation.get_language_from_request(request)
        return settings.LANGUAGE_CODE
