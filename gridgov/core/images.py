"""Photos attached to case reports: content validation, EXIF facts for staff, metadata-free public copies.

Residents, grid workers and departments attach up to nine photos to a report (the problem, then the result).
Three things make a photo more than "a file":

* It must be checked by its **content**. File names and the browser's declared content type are whatever the
  client says; only decoding the bytes tells whether this is a picture we can show, and a full decode is what
  catches truncated uploads from a weak mobile connection before they become a broken evidence photo.
* Phones in China stamp the GNSS position and the shooting time into EXIF. For staff that is evidence (where and
  when the problem was photographed, whether a "result" photo was really taken on site), so ``inspect_image``
  reads it and the original file is kept unchanged for staff.
* The same metadata must never reach the public: a resident photographing a blocked drain from their balcony
  would otherwise publish their home position. Everything shown publicly goes through ``public_copy`` or
  ``thumbnail``, which re-encode the pixels into a brand-new file with no metadata at all.

The module is storage-agnostic: it reads file objects and returns ``ContentFile`` objects; the case actions decide
where they are stored.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext
from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

from gridgov.core.exceptions import GridGovError

#: Pillow format names accepted for upload: what phone cameras, screenshots and browsers produce.
ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
#: How the accepted formats are named to the user (format names are not translated).
ACCEPTED_FORMATS_LABEL = "JPEG, PNG, WebP"
#: Below this many pixels on the shorter side a picture shows nothing useful (and is typically a tracking pixel).
MIN_SIDE = 32
#: JPEG quality for re-encoded photos: visually clean at a fraction of a phone original's size.
JPEG_QUALITY = 85

_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}

# EXIF tag numbers (TIFF/EXIF 2.3).
_ORIENTATION = 0x0112
_DATETIME_ORIGINAL = 0x9003
_OFFSET_TIME_ORIGINAL = 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4


class RejectReason(StrEnum):
    """Machine-readable reason of an ``ImageRejected`` (for API clients and tests; the message is for people)."""

    TOO_LARGE = "too_large"
    NOT_AN_IMAGE = "not_an_image"
    UNSUPPORTED_FORMAT = "unsupported_format"
    CORRUPTED = "corrupted"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_SMALL = "too_small"


class ImageRejected(GridGovError):
    """An uploaded photo cannot be accepted; the message tells the uploader exactly why (HTTP 400)."""

    code = "image_rejected"

    def __init__(self, reason: RejectReason, message: object) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class ImageInfo:
    """What the content of an uploaded photo says about itself.

    ``width``/``height`` are as the picture is meant to be viewed (EXIF orientation applied). ``taken_at`` and
    the GPS position come from EXIF and are staff-only facts: they can locate a resident's home. GPS is
    WGS-84 as the phone's receiver wrote it (maps of Chinese providers use GCJ-02; converting is geo's business).
    """

    format: str
    width: int
    height: int
    size_bytes: int
    taken_at: datetime | None
    gps_lat: float | None
    gps_lon: float | None
    sha256: str

    @property
    def content_type(self) -> str:
        """The MIME type to serve the original with (from the content, never from the client)."""
        return _CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        """File name extension matching the content, for storing the original under a name we choose."""
        return _EXTENSIONS[self.format]

    @property
    def has_location(self) -> bool:
        return self.gps_lat is not None and self.gps_lon is not None


class BinaryFile(Protocol):
    """What is needed from an upload: Django's ``UploadedFile``/``File`` and any binary file object fit."""

    def read(self, size: int = ..., /) -> bytes: ...

    def seek(self, offset: int, whence: int = ..., /) -> int: ...


# --- Public API ---------------------------------------------------------------------------------------------


def inspect_image(file: BinaryFile, *, max_bytes: int | None = None) -> ImageInfo:
    """Validate an uploaded photo by decoding it fully and return its facts; raise ``ImageRejected`` if unfit.

    Checks, in order: size (``GRIDGOV["MAX_UPLOAD_BYTES"]`` unless ``max_bytes`` is given), format (JPEG, PNG or
    WebP recognised from the bytes), pixel count (``GRIDGOV["MAX_IMAGE_PIXELS"]``: a small file can declare
    an enormous canvas and exhaust memory when decoded), minimum dimensions, then integrity (``verify()`` plus a
    full decode, which is what detects a truncated upload). The file is rewound afterwards.
    """
    data = _read(file, max_bytes)
    image = _open_validated(data)
    try:
        exif = _safe_exif(image)
        width, height = image.size
        if _orientation(exif) in (5, 6, 7, 8):  # rotated by 90° or 270°: the viewer swaps the sides
            width, height = height, width
        lat, lon = _gps_position(exif)
        return ImageInfo(
            format=_format_name(image),
            width=width,
            height=height,
            size_bytes=len(data),
            taken_at=_taken_at(exif),
            gps_lat=lat,
            gps_lon=lon,
            sha256=hashlib.sha256(data).hexdigest(),
        )
    finally:
        image.close()


def public_copy(file: BinaryFile) -> ContentFile[bytes]:
    """A copy of the photo that is safe to show to anyone: upright, sRGB, at most PUBLIC_IMAGE_MAX_SIDE px long.

    The pixels are re-encoded into a new file, so nothing of the original's metadata survives: no EXIF (GPS
    position, time, phone model and serial), no XMP, no comments, no ICC profile (colours are converted to sRGB
    first, so they still look right). JPEG and opaque WebP become JPEG (quality 85); PNG stays PNG, as does
    WebP with transparency. The name is derived from the original's hash, never from the client's file name,
    which may itself be personal ("张三家门口.jpg").
    """
    max_side = _setting("PUBLIC_IMAGE_MAX_SIDE", 1600)
    return _render(file, max_side=max_side, keep_png=True, suffix="")


def thumbnail(file: BinaryFile, *, size: int = 320) -> ContentFile[bytes]:
    """A small metadata-free preview fitting in ``size`` × ``size`` px (aspect kept, nothing cropped).

    Nothing is cropped because the edge of a photo may be the evidence; lists crop visually with CSS. Thumbnails
    are JPEG unless the picture really uses transparency (then PNG), since they are shown many at a time.
    """
    if size < 1:
        raise ValueError("size must be a positive number of pixels")
    return _render(file, max_side=size, keep_png=False, suffix=f"_{size}")


# --- Reading and validating ---------------------------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    """A positive integer knob from settings.GRIDGOV (read on every call, so override_settings works)."""
    value = settings.GRIDGOV.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"settings.GRIDGOV[{name!r}] must be a positive integer, not {value!r}")
    return value


def _format_megabytes(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    if megabytes >= 1:
        return f"{round(megabytes, 1):g}"
    return f"{megabytes:.2g}"


def _read(file: BinaryFile, max_bytes: int | None) -> bytes:
    """All bytes of the upload, reading at most one byte past the limit so a huge upload is not held in memory."""
    if max_bytes is None:
        max_bytes = _setting("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    file.seek(0)
    try:
        data = file.read(max_bytes + 1)
    finally:
        file.seek(0)
    if len(data) > max_bytes:
        raise ImageRejected(
            RejectReason.TOO_LARGE,
            gettext("The photo is too large: the limit is %(limit)s MB.")
            % {"limit": _format_megabytes(max_bytes)},
        )
    return data


def _sniff_format(data: bytes) -> str | None:
    """Name a few common formats we do not accept, so the message can say so (HEIC is the iPhone default)."""
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data.startswith(b"BM"):
        return "BMP"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if data.startswith(b"%PDF"):
        return "PDF"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"):
            return "HEIC"
        if brand in (b"avif", b"avis"):
            return "AVIF"
    return None


def _open_validated(data: bytes) -> Image.Image:
    """Open, check and fully decode the bytes; the returned image is loaded and must be closed by the caller."""
    accepted = {"formats": ACCEPTED_FORMATS_LABEL}
    try:
        # Only the accepted formats' parsers ever see untrusted bytes; other plugins are not consulted.
        probe = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        other = _sniff_format(data)
        if other is not None:
            raise ImageRejected(
                RejectReason.UNSUPPORTED_FORMAT,
                gettext("Pictures in %(format)s format are not accepted. Accepted formats: %(formats)s.")
                % {"format": other, **accepted},
            ) from None
        raise ImageRejected(
            RejectReason.NOT_AN_IMAGE,
            gettext("The file is not a picture. Accepted formats: %(formats)s.") % accepted,
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own process-wide guard (a warning above Image.MAX_IMAGE_PIXELS, an error above twice that)
        # fires inside open(), before our check can; both mean the same to the uploader.
        raise _too_many_pixels() from None
    except Exception:  # a header parser fed hostile bytes may fail in any way; all mean "damaged"
        raise _corrupted() from None

    with probe:
        _check_dimensions(probe.size)
        try:
            probe.verify()  # structural checks (e.g. PNG chunk checksums); leaves the object unusable
        except Exception:  # see above
            raise _corrupted() from None

    image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    try:
        # The full decode is what detects truncation (Pillow refuses truncated data unless
        # ImageFile.LOAD_TRUNCATED_IMAGES is switched on, which nothing in GridGov does).
        image.load()
    except Exception:  # see above
        image.close()
        raise _corrupted() from None
    return image


def _format_name(image: Image.Image) -> str:
    """The accepted format the picture is in.

    Many phone JPEGs carry extra pictures (depth maps, previews) in MPF segments; Pillow calls those "MPO",
    but the file is a JPEG whose first picture is the photo, and browsers show it as one.
    """
    return "JPEG" if image.format == "MPO" else str(image.format)


def _check_dimensions(size: tuple[int, int]) -> None:
    width, height = size
    max_pixels = _setting("MAX_IMAGE_PIXELS", 40_000_000)
    if width * height > max_pixels:
        raise _too_many_pixels()
    if min(width, height) < MIN_SIDE:
        raise ImageRejected(
            RejectReason.TOO_SMALL,
            gettext("The picture is too small: it must be at least %(min)s pixels wide and high.")
            % {"min": MIN_SIDE},
        )


def _too_many_pixels() -> ImageRejected:
    max_pixels = _setting("MAX_IMAGE_PIXELS", 40_000_000)
    return ImageRejected(
        RejectReason.TOO_MANY_PIXELS,
        gettext("The picture has too many pixels: the limit is %(limit)s megapixels.")
        % {"limit": f"{max_pixels / 1_000_000:g}"},
    )


def _corrupted() -> ImageRejected:
    return ImageRejected(
        RejectReason.CORRUPTED,
        gettext("The picture is damaged or incomplete and cannot be read. Please upload it again."),
    )


# --- EXIF ---------------------------------------------------------------------------------------------------


def _safe_exif(image: Image.Image) -> Image.Exif:
    """The picture's EXIF, empty when there is none or it cannot be parsed (bad metadata never rejects a photo)."""
    try:
        return image.getexif()
    except Exception:  # malformed metadata is common and harmless to the pixels
        return Image.Exif()


def _orientation(exif: Image.Exif) -> int:
    value = exif.get(_ORIENTATION)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _sub_ifd(exif: Image.Exif, ifd: ExifTags.IFD) -> Mapping[int, Any]:
    try:
        return exif.get_ifd(ifd)
    except Exception:  # a broken IFD pointer only means "no such information"
        return {}


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 ")


def _taken_at(exif: Image.Exif) -> datetime | None:
    """When the photo was taken, as an aware datetime.

    EXIF stores local wall-clock time without a zone. When the camera also wrote OffsetTimeOriginal (most phones
    since EXIF 2.31) that offset is used; otherwise the time is read as settings.TIME_ZONE, which is right for
    photos taken in the town that reports them.
    """
    sub = _sub_ifd(exif, ExifTags.IFD.Exif)
    raw = _text(sub.get(_DATETIME_ORIGINAL))
    if not raw:
        return None
    try:
        naive = datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")  # the zone is attached below
    except ValueError:  # "0000:00:00 00:00:00", blanks, or vendor garbage
        return None
    offset = _utc_offset(_text(sub.get(_OFFSET_TIME_ORIGINAL)))
    if offset is not None:
        return naive.replace(tzinfo=offset)
    return naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


def _utc_offset(raw: str | None) -> timezone | None:
    """Parse an EXIF offset such as "+08:00"; None when absent or malformed."""
    if not raw or len(raw) != 6 or raw[0] not in "+-" or raw[3] != ":":
        return None
    hours, minutes = raw[1:3], raw[4:6]
    if not (hours.isdigit() and minutes.isdigit()) or int(hours) > 14 or int(minutes) >= 60:
        return None
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if raw[0] == "-" else delta)


def _gps_position(exif: Image.Exif) -> tuple[float | None, float | None]:
    """Latitude and longitude in decimal degrees (south and west negative), or (None, None).

    Anything inconsistent yields (None, None) rather than a wrong point: a missing hemisphere reference, a zero
    denominator, minutes or seconds out of range, or exactly (0, 0), which phones write when they had no fix.
    """
    gps = _sub_ifd(exif, ExifTags.IFD.GPSInfo)
    lat = _coordinate(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), positive="N", negative="S", limit=90)
    lon = _coordinate(gps.get(_GPS_LON), gps.get(_GPS_LON_REF), positive="E", negative="W", limit=180)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None, None
    return lat, lon


def _coordinate(value: object, ref: object, *, positive: str, negative: str, limit: int) -> float | None:
    hemisphere = (_text(ref) or "").upper()[:1]
    if hemisphere not in (positive, negative):
        return None
    parts = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    numbers: list[float] = []
    for part in parts:
        try:
            number = float(part)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if not math.isfinite(number) or number < 0:
            return None
        numbers.append(number)
    if any(number >= 60 for number in numbers[1:]):
        return None
    degrees = sum(number / 60**index for index, number in enumerate(numbers))
    if degrees > limit:
        return None
    return round(-degrees if hemisphere == negative else degrees, 7)  # 7 decimals ≈ 1 cm


# --- Re-encoding --------------------------------------------------------------------------------------------


def _render(file: BinaryFile, *, max_side: int, keep_png: bool, suffix: str) -> ContentFile[bytes]:
    """Validate, orient, shrink, convert to sRGB and re-encode into a new file carrying no metadata."""
    data = _read(file, None)
    with _open_validated(data) as original:
        source_format = original.format
        icc_profile = original.info.get("icc_profile")
        oriented = ImageOps.exif_transpose(original)
    picture = _normalise_mode(oriented)
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)  # only ever shrinks; keeps the aspect
    picture = _to_srgb(picture, icc_profile if isinstance(icc_profile, bytes) else None)

    has_alpha = picture.mode in ("LA", "RGBA") and _uses_alpha(picture)
    as_png = has_alpha or (keep_png and source_format == "PNG")
    if not as_png:
        picture = _flatten(picture)
    elif not has_alpha and picture.mode in ("LA", "RGBA"):
        picture = picture.convert(picture.mode[:-1])  # drop an all-opaque alpha channel

    # A fresh image built from the raw pixels has no info, no EXIF, no XMP and no ICC to carry over, whatever
    # the encoder's defaults for copying metadata are in the Pillow version at hand.
    clean = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    output = io.BytesIO()
    if as_png:
        clean.save(output, format="PNG")
    else:
        clean.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    name = f"{hashlib.sha256(data).hexdigest()[:32]}{suffix}{'.png' if as_png else '.jpg'}"
    return ContentFile(output.getvalue(), name=name)


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Bring any decoded mode to one the resampler and encoders handle: L, LA, RGB, RGBA or CMYK."""
    if image.mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return image
    if image.mode in ("P", "PA"):
        has_transparency = image.mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_transparency else "RGB")
    if image.mode.startswith("I"):  # 16-bit greyscale PNG: scale 0..65535 down to 0..255 instead of clipping
        return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGBA" if "A" in image.mode else "RGB")


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert colours to sRGB so the profile can be dropped (wide-gamut phone photos would look dull without).

    If the embedded profile cannot be used, the pixels are taken as they are: slightly wrong colours are
    acceptable, carrying the original's profile bytes into a public file is not worth it.
    """
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK"):
        alpha = image.getchannel("A") if image.mode == "RGBA" else None
        colour = image.convert("RGB") if image.mode == "RGBA" else image
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(
                colour, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None
        if converted is not None:
            if alpha is not None:
                converted.putalpha(alpha)
            return converted
    if image.mode == "CMYK":
        return image.convert("RGB")
    return image


def _uses_alpha(image: Image.Image) -> bool:
    low, _high = image.getchannel("A").getextrema()
    return isinstance(low, int | float) and low < 255


def _flatten(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: paint any alpha onto white (what the picture looks like on a page)."""
    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("LA", "RGBA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.getchannel("A"))
        return background
    return image.convert("RGB")
