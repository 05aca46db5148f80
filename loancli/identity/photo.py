"""The app's own checks on an uploaded ID photo (size, resolution, blur), and the fake OCR
read of the fields a generated card carries in its PNG metadata.

Pillow is imported inside the functions that open images, so ``loancli --help`` stays fast.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import msgspec

from loancli.errors import UsageError, quoted
from loancli.files import FileTooLarge, NotRegularFile, read_regular
from loancli.i18n import _
from loancli.identity.card import METADATA_KEY
from loancli.reasons import Reason
from loancli.validation import has_control, regular_file_problem

if TYPE_CHECKING:
    from PIL import Image


class ImageLimits(msgspec.Struct, frozen=True):
    """What an uploaded ID photo must satisfy.

    ``blur_threshold`` applies to the blur score: the variance of the greyscale image filtered
    with the 3x3 Laplacian kernel (0 1 0 / 1 -4 1 / 0 1 0, offset 128) via
    ``ImageFilter.Kernel``, measured with ``ImageStat``. Sharp edges give a high variance;
    blur flattens it. The filter's unfiltered one-pixel frame is left out. Measured on generated
    cards: sharp fronts about 1270-1300, backs about 1620, low-resolution ones 1550-2030; blurred
    with ``BLUR_RADIUS`` (4) about 1.2-1.4. A Gaussian blur of radius 1 still scores about 160,
    radius 1.5 about 31. 100 leaves a wide margin on both sides.
    """

    max_bytes: int = 5 * 1024 * 1024
    # A phone camera's photo is 12-50 megapixels; a PNG of many more that still fits in a few
    # KiB is a decompression bomb. Counted from the header, before any pixel is decoded.
    max_pixels: int = 50_000_000
    min_width: int = 640
    min_height: int = 400
    blur_threshold: float = 100.0


DEFAULT_LIMITS = ImageLimits()


class ImageCheck(msgspec.Struct, frozen=True):
    """The measured image; ``problem`` is None, ``Reason.ID_LOW_RESOLUTION`` or ``ID_BLURRY``."""

    width: int
    height: int
    blur_score: float
    problem: Reason | None


def check_image(
    path: str | Path, limits: ImageLimits = DEFAULT_LIMITS, *, key: str | None = None
) -> ImageCheck:
    """Measure an uploaded ID photo. Unusable input (missing, a directory, too large, not an
    image) raises ``UsageError`` naming ``key``; a readable but poor photo is a ``problem``."""
    file = _existing_file(path, key)
    stat = file.stat()
    size = stat.st_size
    if size > limits.max_bytes:
        raise _too_large(file, size, limits, key)
    # The same photo measures the same: a journey checks each answer before it starts and
    # again when it is asked, and a story suite uploads the built-in photos thousands of
    # times. The measure is kept by the bytes' digest (and the limits it was made under), and
    # the digest by the file's identity and version, so an unchanged file is not read again.
    seen = (str(file), stat.st_dev, stat.st_ino, size, stat.st_mtime_ns)
    digest = _DIGESTS.get(seen)
    data = None
    if digest is None:
        # No more than an upload may be, should the file have grown since its size was read.
        data = _read_upload(file, limits, key)
        digest = hashlib.sha256(data).hexdigest()
    known = _MEASURED.get((digest, limits))
    if known is not None:
        _remember(_DIGESTS, seen, digest)
        return known
    with _open_image(file, key, limits, data) as image:
        checked = measure(image, limits)
    _remember(_MEASURED, (digest, limits), checked)
    _remember(_DIGESTS, seen, digest)
    return checked


def read_photo(
    path: str | Path, limits: ImageLimits = DEFAULT_LIMITS, *, key: str | None = None
) -> bytes:
    """The bytes of a photo a run uploaded, read as an upload is read: a regular file (no
    FIFO, no device), no larger than an upload may be, and a PNG or JPEG within the pixel
    limit; else ``UsageError`` naming ``key``. A path a record names is read through this,
    never as a plain path: a state file from someone else may name any file on the machine
    (a bundle, a story, a report would carry it away)."""
    file = Path(path)
    data = _read_upload(file, limits, key)
    # Decoded whole: the check an upload gets, once for the same bytes (a photo measured was
    # decoded whole, too).
    sound = (hashlib.sha256(data).hexdigest(), limits)
    if sound not in _MEASURED and sound not in _SOUND:
        with _open_image(file, key, limits, data):
            pass
        _remember(_SOUND, sound, True)
    return data


def read_measured_photo(
    path: str | Path, limits: ImageLimits = DEFAULT_LIMITS, *, key: str | None = None
) -> tuple[bytes, ImageCheck, object]:
    """What :func:`read_photo` reads, with what the one decode it makes found: the photo's
    measure and its card-fields chunk (as stored), for a report that masks it without
    decoding it again."""
    file = Path(path)
    data = _read_upload(file, limits, key)
    with _open_image(file, key, limits, data) as image:
        return data, measure(image), image.info.get(METADATA_KEY)


def _read_upload(file: Path, limits: ImageLimits, key: str | None) -> bytes:
    """The bytes of ``file``, read as an upload is: a regular file (a FIFO or a device would
    block the read, or never end), no larger than an upload may be."""
    try:
        return read_regular(file, limits.max_bytes)
    except NotRegularFile as exc:
        raise _not_a_file(file, exc.problem, key) from None
    except FileTooLarge as exc:
        raise _too_large(file, exc.size, limits, key) from None
    except OSError as exc:
        raise UsageError(
            _("{file} cannot be read ({why})").format(file=file, why=exc.strerror), key=key
        ) from None


def _too_large(file: Path, size: int, limits: ImageLimits, key: str | None) -> UsageError:
    return UsageError(
        _("{file} is {value0:.1f} MiB; an ID photo may be at most {value1:g} MiB").format(
            file=file, value0=size / 1024 / 1024, value1=limits.max_bytes / 1024 / 1024
        ),
        key=key,
    )


_MEASURED: dict[tuple[str, ImageLimits], ImageCheck] = {}
_DIGESTS: dict[tuple[str, int, int, int, int], str] = {}
_SOUND: dict[tuple[str, ImageLimits], bool] = {}


def _remember(memory: dict[Any, Any], key: object, value: object) -> None:
    if len(memory) >= 256:
        memory.clear()
    memory[key] = value


def measure(image: Image.Image, limits: ImageLimits = DEFAULT_LIMITS) -> ImageCheck:
    """The size and blur score of an opened image, and the problem they make (see
    :class:`ImageLimits`)."""
    from PIL import ImageFilter, ImageStat

    width, height = image.size
    grey = image.convert("L")
    laplacian = ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)
    # Kernel copies the one-pixel frame unfiltered; measure only the filtered interior.
    edges = grey.filter(laplacian).crop((1, 1, max(width - 1, 2), max(height - 1, 2)))
    blur_score = round(ImageStat.Stat(edges).var[0], 2)
    problem: Reason | None = None
    if width < limits.min_width or height < limits.min_height:
        problem = Reason.ID_LOW_RESOLUTION
    elif blur_score < limits.blur_threshold:
        problem = Reason.ID_BLURRY
    return ImageCheck(width=width, height=height, blur_score=blur_score, problem=problem)


# A card's fields take a few hundred bytes; a chunk beyond this is not a card's text.
MAX_FIELDS_CHUNK = 16 * 1024

# What a phone's camera writes, and all an upload is opened as: Pillow would otherwise try
# every format it knows, EPS among them, which hands the file to Ghostscript.
PHOTO_FORMATS = ("PNG", "JPEG")


def open_photo(source: str | Path | IO[bytes]) -> Image.Image:
    """Pillow's ``Image.open`` as every photo loancli reads is opened (an upload, a bundle's
    image, the HTML report's): PNG or JPEG only, and Pillow's own warning about its pixel
    count silenced (the caller's limit, below Pillow's, decides)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(source, formats=PHOTO_FORMATS)


def read_fields(path: str | Path, *, key: str | None = None) -> dict[str, str] | None:
    """The fake OCR: the card's embedded fields, or None when the image carries none (or
    they are malformed). A path that is not a readable image raises ``UsageError``."""
    file = _existing_file(path, key)
    from PIL import Image

    # Only the header is read: the fields chunk precedes the pixel data, so no decoding.
    try:
        with open_photo(file) as image:
            raw = image.info.get(METADATA_KEY)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _not_an_image(file, key) from None
    return fields_in_chunk(raw)


def fields_in_chunk(raw: object) -> dict[str, str] | None:
    """The card's fields in the text of a ``loancli-idcard`` chunk, or None when that is no
    card's text (missing, too long, not JSON, not one side's flat printed lines)."""
    if not isinstance(raw, str | bytes) or len(raw) > MAX_FIELDS_CHUNK:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # a deeply nested chunk is as unreadable as garbage
        return None
    if not isinstance(data, dict) or data.get("side") not in ("front", "back"):
        return None
    # Printed text: a flat set of short lines. A control character (an escape code) is no
    # text an OCR engine reads off a card, so such a chunk reads as nothing, as garbage does.
    for value in data.values():
        if not isinstance(value, str) or len(value) > 200 or has_control(value):
            return None
    return data


def _existing_file(path: str | Path, key: str | None) -> Path:
    file = Path(path)
    # A FIFO or device would block the read, or never end: only a regular file is read.
    problem = regular_file_problem(file)
    if problem:
        raise _not_a_file(file, problem, key)
    return file


def _not_a_file(file: Path, problem: str, key: str | None) -> UsageError:
    shown = file if len(str(file)) <= 200 else quoted(str(file), 200)
    return UsageError(
        _("{shown} {problem}; give the path of a photo").format(shown=shown, problem=problem),
        key=key,
    )


def _not_an_image(file: Path, key: str | None) -> UsageError:
    return UsageError(
        _("{file} is not an image Pillow can read; upload a PNG or JPEG photo").format(file=file),
        key=key,
    )


def _open_image(
    file: Path, key: str | None, limits: ImageLimits, data: bytes | None = None
) -> Image.Image:
    """Open and verify; verify() leaves the image unusable, so it is opened twice (from
    ``data``, the file's bytes, when the caller has read them already). The pixel count is
    checked from the header first, so a decompression bomb is never decoded."""
    from PIL import Image

    def source() -> Path | io.BytesIO:
        return io.BytesIO(data) if data is not None else file

    not_an_image = _not_an_image(file, key)
    too_large = UsageError(
        _(
            "{file} has more pixels than an ID photo may have ({value0:,}); a photo this large "
            "is not one a phone takes"
        ).format(file=file, value0=limits.max_pixels),
        key=key,
    )
    try:
        with open_photo(source()) as probe:
            width, height = probe.size
            if width * height > limits.max_pixels:
                raise UsageError(
                    _(
                        "{file} is {width}x{height} pixels; an ID photo may have at most "
                        "{value0:,} (a photo this large is not one a phone takes)"
                    ).format(file=file, width=width, height=height, value0=limits.max_pixels),
                    key=key,
                )
            probe.verify()
        image = open_photo(source())
        image.load()
    except Image.DecompressionBombError:
        raise too_large from None
    except (OSError, SyntaxError, ValueError):
        raise not_an_image from None
    return image
