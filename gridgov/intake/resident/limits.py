"""Rate limits of the public resident pages (django-ratelimit on the shared cache).

Each POST of the report form counts once against the sender's IP address (``INTAKE_RATE_PER_IP``) and, when a
phone number is given, once against that number (``INTAKE_RATE_PER_PHONE``). Finding a case by its number and
the last four phone digits counts against the IP address and against the case number: guessing four digits
of one case is what must be slowed down, from however many addresses.

The IP address is ``REMOTE_ADDR``: behind a reverse proxy, the WSGI server must put the client's address
there (e.g. a proxy-protocol aware server), otherwise every resident shares the proxy's address and limit.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from gridgov.intake.actions import sender_hash


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def _ip_key(ip: str) -> str:
    """The address counted: an IPv6 client owns a whole /64 and could rotate within it."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _limited(request: HttpRequest, *, group: str, rate: str, value: str) -> bool:
    if not value:
        return False
    usage = get_usage(
        request, group=group, key=lambda _group, _request: sender_hash(value), rate=rate, increment=True
    )
    return bool(usage and usage["should_limit"])


def report_limited(request: HttpRequest, phone: str) -> bool:
    """Count one report POST; True when the IP address or the phone number is over its limit."""
    conf = settings.GRIDGOV
    by_ip = _limited(
        request,
        group="intake.resident.report.ip",
        rate=conf["INTAKE_RATE_PER_IP"],
        value=_ip_key(client_ip(request)),
    )
    by_phone = _limited(
        request, group="intake.resident.report.phone", rate=conf["INTAKE_RATE_PER_PHONE"], value=phone
    )
    return by_ip or by_phone


def find_limited(request: HttpRequest, number: str) -> bool:
    """Count one look-up by case number; True when the IP address or the case number is over its limit."""
    conf = settings.GRIDGOV
    by_ip = _limited(
        request,
        group="intake.resident.find.ip",
        rate=conf["INTAKE_RATE_PER_IP"],
        value=_ip_key(client_ip(request)),
    )
    by_number = _limited(
        request, group="intake.resident.find.number", rate=conf["INTAKE_RATE_PER_PHONE"], value=number.upper()
    )
    return by_ip or by_number
