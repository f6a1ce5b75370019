"""Output of the Open311 server: JSON arrays and objects as the spec shows them, and XML with the spec's element
names (``services/service``, ``service_definition/attributes/attribute/values/value``,
``service_requests/request``, ``errors/error``, ``discovery/endpoints/endpoint/formats/format``).

XML is built with ElementTree, which escapes every text; characters XML 1.0 cannot carry (control characters a
client may have sent) are dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

#: Element name of the items of each list-valued field.
LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "jurisdictions": "jurisdiction",
}

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Payload:
    """What a view answers: ``data`` (a list of items or one object) and the XML names of the document."""

    data: list[dict[str, Any]] | dict[str, Any]
    root: str
    item: str = ""
    status: int = 200


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _add(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, child in value.items():
            _add(element, key, child)
    elif isinstance(value, list | tuple):
        item_tag = LIST_ITEMS.get(tag, "item")
        for child in value:
            _add(element, item_tag, child)
    else:
        element.text = _text(value)


def to_xml(payload: Payload) -> bytes:
    root = ET.Element(payload.root)
    if isinstance(payload.data, dict):
        for key, value in payload.data.items():
            _add(root, key, value)
    else:
        for item in payload.data:
            _add(root, payload.item, item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        root, encoding="utf-8", xml_declaration=False
    )


def to_json(payload: Payload) -> bytes:
    return json.dumps(payload.data, ensure_ascii=False, separators=(",", ":")).encode()


def render(payload: Payload, fmt: str) -> HttpResponse:
    body = to_xml(payload) if fmt == "xml" else to_json(payload)
    return HttpResponse(body, status=payload.status, content_type=FORMATS.get(fmt, FORMATS["json"]))
