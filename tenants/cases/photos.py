"""What a case photo is stored as: its type read from the bytes, its size checked from the
header before decoding, and every photo re-encoded upright without its metadata (EXIF with its
GPS position, XMP, comments, PNG text), so no stored photo tells where or on what it was taken.
The position is read before it is dropped: a case with no location of its own takes it, on the
case, where the case's own rules decide who sees it.

`accept` runs in a parsing process (`redgrid.platform.sandbox`): decoding costs memory and CPU
by pixels, not bytes (a 140 KB PNG held 144 megapixels; a 23 KB HEIC of 10,000 × 10,000 took
1.2 GB), and a decoder's crash must not take the server along."""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from redgrid.platform import sandbox
from redgrid.platform.errors import InvalidInput, UserError

register_heif_opener()  # Pillow reads HEIF (iPhones' photos) from here on
sandbox.preload(__name__)

# Magic numbers → (content type, Pillow's name for the format).
JPEG = ("image/jpeg", "JPEG")
PNG = ("image/png", "PNG")
WEBP = ("image/webp", "WEBP")
HEIC = ("image/heic", "HEIF")
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
JPEG_QUALITY = 85  # a HEIC's or a turned JPEG's new encoding
WEBP_QUALITY = 90


@dataclass(frozen=True)
class Photo:
    """An accepted photo as it is stored."""

    data: bytes
    content_type: str
    width: int
    height: int
    converted: bool = False  # from HEIC
    position: tuple[float, float] | None = None  # (latitude, longitude) from its EXIF, not kept in `data`


def sniff(data: bytes) -> tuple[str, str] | None:
    """The image type the bytes start like, whatever the client called them."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
        return HEIC
    return None


def accept(data: bytes, max_pixels: int) -> Photo:
    """The photo to store, or UNSUPPORTED_TYPE, or TOO_LARGE (more than `max_pixels`, read from
    the header before anything is decoded). HEIC, which most browsers and wall displays cannot
    show, becomes JPEG; the others keep their type. A JPEG that needs no turning keeps its
    quantisation tables (no visible loss)."""
    kind = sniff(data)
    refused = InvalidInput(UserError("file", "UNSUPPORTED_TYPE", "a photo: JPEG, PNG, WebP or HEIC"))
    if kind is None:
        raise refused
    pillows_own, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, max_pixels  # for what opening decodes
    try:
        return _reencoded(data, kind, max_pixels, refused)
    finally:
        Image.MAX_IMAGE_PIXELS = pillows_own


def _reencoded(data: bytes, kind: tuple[str, str], max_pixels: int, refused: InvalidInput) -> Photo:
    content_type, pillow_format = kind
    buffer = io.BytesIO()
    too_large = InvalidInput(UserError("file", "TOO_LARGE", f"at most {max_pixels // 1_000_000} megapixels"))
    try:
        with warnings.catch_warnings():  # Pillow warns of what the check below refuses
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[pillow_format])
        with image:
            if image.width * image.height > max_pixels:
                raise too_large
            position = _position(image.getexif())
            icc_profile = image.info.get("icc_profile")  # colours (iPhones' Display P3), no personal data
            # The encoders below write only the metadata they are given, not what `info` holds.
            upright = ImageOps.exif_transpose(image)
            if image.format == "JPEG" and image.getexif().get(0x0112, 1) == 1:
                # Not turned: the decoded original, re-encoded with its own tables; no EXIF, XMP or comment.
                image.save(buffer, format="JPEG", quality="keep", icc_profile=icc_profile, comment=b"")
            elif kind is JPEG or kind is HEIC:
                upright.convert("RGB" if upright.mode not in ("L", "CMYK") else upright.mode).save(
                    buffer, format="JPEG", quality=JPEG_QUALITY, icc_profile=icc_profile, comment=b""
                )
            elif kind is PNG:
                upright.save(buffer, format="PNG", icc_profile=icc_profile, transparency=image.info.get("transparency"))
            else:
                upright.save(buffer, format="WEBP", quality=WEBP_QUALITY, icc_profile=icc_profile)
    except Image.DecompressionBombError:  # twice the limit: Pillow's own refusal, from the header
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refused from None
    stored_type = JPEG[0] if kind is HEIC else content_type
    return Photo(buffer.getvalue(), stored_type, *upright.size, converted=kind is HEIC, position=position)


GPS_IFD = 0x8825


def _position(exif: Image.Exif) -> tuple[float, float] | None:
    """Where the photo says it was taken, when that reads as a place on Earth (0, 0 is what a
    phone without a fix writes)."""
    gps = exif.get_ifd(GPS_IFD)
    try:
        latitude = _degrees(gps[2]) * (-1 if str(gps.get(1, "N")).strip("\x00 ") == "S" else 1)
        longitude = _degrees(gps[4]) * (-1 if str(gps.get(3, "E")).strip("\x00 ") == "W" else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if abs(latitude) > 90 or abs(longitude) > 180 or (latitude, longitude) == (0, 0):
        return None
    return round(latitude, 6), round(longitude, 6)


def _degrees(value: object) -> float:
    """EXIF's degrees, minutes and seconds as degrees."""
    degrees, minutes, seconds = (float(part) for part in value)  # type: ignore[attr-defined]
    return degrees + minutes / 60 + seconds / 3600
