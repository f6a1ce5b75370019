"""Photo handling: content validation, EXIF facts for staff, and public copies that carry no metadata.

Every test image is built in memory with Pillow; nothing here needs the database.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from PIL import ExifTags, Image, ImageCms
from PIL.TiffImagePlugin import IFDRational

from gridgov.core.exceptions import GridGovError
from gridgov.core.images import (
    ImageInfo,
    ImageRejected,
    RejectReason,
    inspect_image,
    public_copy,
    thumbnail,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
RED, BLUE = (255, 0, 0), (0, 0, 255)

# 32.25 N = 32° 15' 0";  120.97 E = 120° 58' 12" (seconds written as 1200/100 to exercise the denominator).
LAT_32_25 = (IFDRational(32, 1), IFDRational(15, 1), IFDRational(0, 1))
LON_120_97 = (IFDRational(120, 1), IFDRational(58, 1), IFDRational(1200, 100))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- Building test images -----------------------------------------------------------------------------------


def make_exif(
    *,
    orientation: int | None = 6,
    lat: object = LAT_32_25,
    lat_ref: str | None = "N",
    lon: object = LON_120_97,
    lon_ref: str | None = "E",
    taken: str | None = "2024:05:01 09:30:00",
    offset: str | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    sub: dict[int, object] = {}
    if taken is not None:
        sub[ExifTags.Base.DateTimeOriginal] = taken
    if offset is not None:
        sub[ExifTags.Base.OffsetTimeOriginal] = offset
    if sub:
        exif[ExifTags.IFD.Exif] = sub
    gps: dict[int, object] = {}
    for tag, value in (
        (ExifTags.GPS.GPSLatitudeRef, lat_ref),
        (ExifTags.GPS.GPSLatitude, lat),
        (ExifTags.GPS.GPSLongitudeRef, lon_ref),
        (ExifTags.GPS.GPSLongitude, lon),
    ):
        if value is not None:
            gps[tag] = value
    if gps:
        exif[ExifTags.IFD.GPSInfo] = gps
    return exif


def two_tone(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """Top half red, bottom half blue: shows where the top went after rotation."""
    image = Image.new(mode, size, BLUE if mode == "RGB" else (*BLUE, 255))
    image.paste(RED, (0, 0, size[0], size[1] // 2))
    return image


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def photo_with_exif(**exif_options: object) -> bytes:
    """A JPEG as a phone writes it: EXIF with orientation, time and GPS, plus XMP and an ICC profile."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        two_tone(),
        "JPEG",
        exif=make_exif(**exif_options),  # type: ignore[arg-type]
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><gps>32.25,120.97</gps></x:xmpmeta>',
        icc_profile=icc,
    )


def noise_png(size: tuple[int, int]) -> bytes:
    """Incompressible pixels, so the file is about as large as the pixel data."""
    return encode(Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)), "PNG")


def png_declaring(width: int, height: int) -> bytes:
    """A small valid PNG whose header claims another size: a decompression bomb made cheaply."""
    data = bytearray(encode(Image.new("L", (32, 32)), "PNG"))
    ihdr = 8  # after the signature: length (4), type (4), data (13), crc (4)
    assert data[ihdr + 4 : ihdr + 8] == b"IHDR"
    data[ihdr + 8 : ihdr + 16] = struct.pack(">II", width, height)
    data[ihdr + 21 : ihdr + 25] = struct.pack(">I", zlib.crc32(bytes(data[ihdr + 4 : ihdr + 21])))
    return bytes(data)


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def reopen(content: object) -> Image.Image:
    image = Image.open(io.BytesIO(content.read()))  # type: ignore[attr-defined]
    image.load()
    return image


def rejection(data: bytes, **kwargs: object) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        inspect_image(upload(data), **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- EXIF facts ---------------------------------------------------------------------------------------------


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_gps_and_time_are_read_from_exif():
    info = inspect_image(upload(photo_with_exif()))

    assert info.gps_lat == pytest.approx(32.25, abs=1e-7)
    assert info.gps_lon == pytest.approx(120.97, abs=1e-7)
    assert info.has_location
    assert info.taken_at == datetime(2024, 5, 1, 9, 30, tzinfo=SHANGHAI)
    assert info.taken_at.utcoffset() == timedelta(hours=8)


def test_southern_and_western_references_are_negative():
    info = inspect_image(upload(photo_with_exif(lat_ref="S", lon_ref="W")))

    assert info.gps_lat == pytest.approx(-32.25, abs=1e-7)
    assert info.gps_lon == pytest.approx(-120.97, abs=1e-7)


@override_settings(TIME_ZONE="Asia/Urumqi")
def test_time_without_offset_is_read_in_the_configured_time_zone():
    info = inspect_image(upload(photo_with_exif()))

    assert info.taken_at == datetime(2024, 5, 1, 9, 30, tzinfo=ZoneInfo("Asia/Urumqi"))
    assert info.taken_at.utcoffset() == timedelta(hours=6)


def test_time_with_an_offset_tag_uses_that_offset():
    info = inspect_image(upload(photo_with_exif(offset="+09:00")))

    assert info.taken_at is not None
    assert info.taken_at.utcoffset() == timedelta(hours=9)
    assert info.taken_at.replace(tzinfo=None) == datetime(2024, 5, 1, 9, 30)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"lat_ref": None}, id="missing-hemisphere"),
        pytest.param(
            {"lon": (IFDRational(120, 1), IFDRational(75, 1), IFDRational(0, 1))}, id="minutes-over-60"
        ),
        pytest.param(
            {"lat": (IFDRational(95, 1), IFDRational(0, 1), IFDRational(0, 1))}, id="latitude-over-90"
        ),
        pytest.param(
            {"lat": (IFDRational(32, 1), IFDRational(15, 0), IFDRational(0, 1))}, id="zero-denominator"
        ),
        pytest.param({"lat_ref": "X"}, id="unknown-reference"),
        pytest.param(
            {"lat": (IFDRational(0, 1),) * 3, "lon": (IFDRational(0, 1),) * 3}, id="zero-zero-means-no-fix"
        ),
        pytest.param({"lat": None, "lon": None, "lat_ref": None, "lon_ref": None}, id="absent"),
    ],
)
def test_malformed_or_absent_gps_gives_no_position(options):
    info = inspect_image(upload(photo_with_exif(**options)))

    assert (info.gps_lat, info.gps_lon) == (None, None)
    assert not info.has_location
    assert info.taken_at is not None  # the rest of the metadata is still read


@pytest.mark.parametrize("taken", ["0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday"])
def test_unusable_exif_time_gives_none(taken):
    assert inspect_image(upload(photo_with_exif(taken=taken))).taken_at is None


def test_photo_without_exif_has_no_time_or_position():
    info = inspect_image(upload(encode(two_tone(), "JPEG")))

    assert (info.taken_at, info.gps_lat, info.gps_lon) == (None, None, None)
    assert (info.width, info.height) == (64, 48)


def test_reported_size_respects_orientation():
    info = inspect_image(upload(photo_with_exif(orientation=6)))

    assert (info.width, info.height) == (48, 64)  # stored 64×48 on its side; viewed upright it is portrait
    upright = inspect_image(upload(photo_with_exif(orientation=1)))
    assert (upright.width, upright.height) == (64, 48)


# --- Public copies and thumbnails ---------------------------------------------------------------------------


def assert_metadata_free(image: Image.Image) -> None:
    assert len(image.getexif()) == 0
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"):
        assert key not in image.info, key


def test_public_copy_has_no_metadata_and_is_upright():
    original = photo_with_exif(orientation=6)
    source = Image.open(io.BytesIO(original))
    assert {"exif", "xmp", "icc_profile"} <= source.info.keys()  # the test photo really carries all three

    copy = reopen(public_copy(upload(original)))

    assert copy.format == "JPEG"
    assert_metadata_free(copy)
    assert copy.size == (48, 64)
    # Orientation 6 means "rotate 90° clockwise to view": the stored top (red) ends up on the right.
    left, right = copy.getpixel((5, 32)), copy.getpixel((42, 32))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert left[2] > 200 and left[0] < 60, left
    assert right[0] > 200 and right[2] < 60, right


def test_public_copy_name_comes_from_the_content_not_the_client():
    data = photo_with_exif()
    copy = public_copy(upload(data, name="张三家门口.jpg"))

    assert copy.name == hashlib.sha256(data).hexdigest()[:32] + ".jpg"


def test_public_copy_of_a_png_stays_png_without_metadata():
    data = encode(two_tone(mode="RGBA"), "PNG", exif=make_exif(orientation=1))
    assert "exif" in Image.open(io.BytesIO(data)).info

    copy = reopen(public_copy(upload(data, name="shot.png", content_type="image/png")))

    assert copy.format == "PNG"
    assert copy.mode == "RGB"  # an all-opaque alpha channel is dropped
    assert_metadata_free(copy)


def test_public_copy_keeps_png_transparency():
    image = two_tone(mode="RGBA")
    image.putpixel((0, 0), (0, 0, 0, 0))

    copy = reopen(public_copy(upload(encode(image, "PNG"))))

    assert copy.mode == "RGBA"
    assert copy.getpixel((0, 0)) == (0, 0, 0, 0)


def test_public_copy_is_downscaled_to_the_configured_long_side():
    data = encode(Image.new("RGB", (3000, 1000), "green"), "JPEG")

    assert reopen(public_copy(upload(data))).size == (1600, 533)
    with override_settings(GRIDGOV={"PUBLIC_IMAGE_MAX_SIDE": 300}):
        assert reopen(public_copy(upload(data))).size == (300, 100)


def test_public_copy_never_enlarges():
    assert reopen(public_copy(upload(encode(two_tone(), "JPEG")))).size == (64, 48)


def test_public_copy_of_webp_is_jpeg():
    data = encode(two_tone(), "WEBP", exif=make_exif(orientation=1))

    copy = reopen(public_copy(upload(data, name="x.webp", content_type="image/webp")))

    assert copy.format == "JPEG"
    assert_metadata_free(copy)


def test_public_copy_of_cmyk_jpeg_is_rgb():
    data = encode(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG")

    copy = reopen(public_copy(upload(data)))

    assert copy.mode == "RGB"
    pixel = copy.getpixel((32, 32))
    assert isinstance(pixel, tuple) and pixel[0] > 200 and pixel[1] < 60


def test_public_copy_of_16_bit_greyscale_png_is_scaled_not_clipped():
    image = Image.new("I;16", (64, 64), 32768)  # mid grey in 16 bits (a plain convert("L") would give 255)

    copy = reopen(public_copy(upload(encode(image, "PNG"))))

    pixel = copy.getpixel((10, 10))
    assert isinstance(pixel, int) and 120 <= pixel <= 135


def test_thumbnail_fits_the_box_and_has_no_metadata():
    data = photo_with_exif(orientation=6)

    thumb = thumbnail(upload(data), size=32)
    image = reopen(thumb)

    assert image.format == "JPEG"
    assert image.size == (24, 32)
    assert_metadata_free(image)
    assert thumb.name == hashlib.sha256(data).hexdigest()[:32] + "_32.jpg"


def test_thumbnail_defaults_to_320_and_opaque_png_becomes_jpeg():
    data = encode(Image.new("RGB", (1000, 500), "green"), "PNG")

    image = reopen(thumbnail(upload(data)))

    assert (image.format, image.size) == ("JPEG", (320, 160))


def test_thumbnail_rejects_a_nonsense_size():
    with pytest.raises(ValueError):
        thumbnail(upload(photo_with_exif()), size=0)


def test_public_copy_validates_too():
    with pytest.raises(ImageRejected):
        public_copy(upload(b"not a picture"))


# --- Rejections ---------------------------------------------------------------------------------------------


def test_rejection_is_a_domain_error_with_a_code():
    error = rejection(b"hello")

    assert isinstance(error, GridGovError)
    assert error.code == "image_rejected"


def test_text_file_named_jpg_is_rejected():
    error = rejection(b"just some text, honestly a JPEG\n")

    assert error.reason == RejectReason.NOT_AN_IMAGE
    assert "not a picture" in str(error.message)
    assert "JPEG, PNG, WebP" in str(error.message)


def test_empty_file_is_rejected():
    assert rejection(b"").reason == RejectReason.NOT_AN_IMAGE


def test_truncated_jpeg_is_rejected():
    complete = encode(Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)), "JPEG")

    error = rejection(complete[: len(complete) // 2])

    assert error.reason == RejectReason.CORRUPTED
    assert "damaged or incomplete" in str(error.message)


def test_png_with_a_broken_checksum_is_rejected():
    data = bytearray(encode(two_tone(), "PNG"))
    data[-20] ^= 0xFF  # inside the image data, after the header has been read

    assert rejection(bytes(data)).reason == RejectReason.CORRUPTED


def test_oversized_file_is_rejected_with_the_limit():
    data = photo_with_exif()

    error = rejection(data, max_bytes=len(data) - 1)
    assert error.reason == RejectReason.TOO_LARGE

    with override_settings(GRIDGOV={"MAX_UPLOAD_BYTES": 1024 * 1024}):
        error = rejection(noise_png((700, 700)))  # ≈ 1.4 MB of incompressible pixels
    assert error.reason == RejectReason.TOO_LARGE
    assert "1 MB" in str(error.message)


def test_limit_in_the_message_keeps_a_decimal():
    error = rejection(noise_png((500, 500)), max_bytes=512 * 1024)

    assert "the limit is 0.5 MB" in str(error.message)


def test_default_upload_limit_is_ten_megabytes():
    with override_settings(GRIDGOV={}):
        error = rejection(b"\xff" * (10 * 1024 * 1024 + 1))
    assert error.reason == RejectReason.TOO_LARGE
    assert "10 MB" in str(error.message)


def test_file_at_exactly_the_limit_is_accepted():
    data = photo_with_exif()

    assert inspect_image(upload(data), max_bytes=len(data)).size_bytes == len(data)


def test_huge_declared_dimensions_are_rejected_as_too_many_pixels():
    error = rejection(png_declaring(20000, 20000))  # beyond even Pillow's own bomb guard

    assert error.reason == RejectReason.TOO_MANY_PIXELS
    assert "40 megapixels" in str(error.message)


def test_pixel_limit_from_settings_is_enforced_before_decoding():
    assert rejection(png_declaring(7000, 7000)).reason == RejectReason.TOO_MANY_PIXELS  # 49 MP > 40 MP

    with override_settings(GRIDGOV={"MAX_IMAGE_PIXELS": 2000}):
        error = rejection(encode(two_tone(), "PNG"))  # 3072 pixels
    assert error.reason == RejectReason.TOO_MANY_PIXELS
    assert "0.002 megapixels" in str(error.message)


def test_tiny_picture_is_rejected():
    error = rejection(encode(Image.new("RGB", (31, 400)), "PNG"))

    assert error.reason == RejectReason.TOO_SMALL
    assert "32 pixels" in str(error.message)


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF")])
def test_other_picture_formats_are_rejected_naming_the_accepted_ones(fmt, name):
    error = rejection(encode(two_tone(), fmt))

    assert error.reason == RejectReason.UNSUPPORTED_FORMAT
    assert f"{name} format" in str(error.message)
    assert "JPEG, PNG, WebP" in str(error.message)


def test_heic_is_named_in_the_rejection():
    header = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic"

    error = rejection(header + b"\x00" * 100)

    assert error.reason == RejectReason.UNSUPPORTED_FORMAT
    assert "HEIC" in str(error.message)


# --- Accepted files -----------------------------------------------------------------------------------------


def test_png_is_accepted():
    info = inspect_image(upload(encode(two_tone(), "PNG"), name="photo.jpg", content_type="image/jpeg"))

    assert (info.format, info.content_type, info.extension) == ("PNG", "image/png", ".png")
    assert (info.width, info.height) == (64, 48)


def test_webp_is_accepted():
    info = inspect_image(upload(encode(two_tone(), "WEBP"), name="photo.png"))

    assert (info.format, info.content_type, info.extension) == ("WEBP", "image/webp", ".webp")


def test_jpeg_facts():
    data = photo_with_exif()

    info = inspect_image(upload(data))

    assert isinstance(info, ImageInfo)
    assert (info.format, info.content_type, info.extension) == ("JPEG", "image/jpeg", ".jpg")
    assert info.size_bytes == len(data)


def test_phone_jpeg_with_extra_pictures_is_a_jpeg():
    """Phones store depth maps and previews as MPF pictures inside the JPEG (Pillow calls the file "MPO")."""
    data = encode(two_tone(), "MPO", save_all=True, append_images=[Image.new("RGB", (64, 48), "green")])

    info = inspect_image(upload(data))
    copy = reopen(public_copy(upload(data)))

    assert (info.format, info.content_type, info.width, info.height) == ("JPEG", "image/jpeg", 64, 48)
    assert copy.format == "JPEG"
    assert_metadata_free(copy)


def test_sha256_is_of_the_bytes_and_stable():
    data = photo_with_exif()

    first = inspect_image(upload(data))
    second = inspect_image(io.BytesIO(data))

    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()
    assert inspect_image(upload(photo_with_exif(lat_ref="S"))).sha256 != first.sha256


def test_file_is_rewound_for_the_caller():
    data = photo_with_exif()
    file = upload(data)
    file.read(10)

    inspect_image(file)

    assert file.read() == data


def test_file_is_rewound_even_when_rejected():
    file = upload(b"hello")

    with pytest.raises(ImageRejected):
        inspect_image(file)

    assert file.read() == b"hello"


def test_image_info_is_frozen():
    info = inspect_image(upload(photo_with_exif()))

    with pytest.raises(AttributeError):
        info.width = 1
