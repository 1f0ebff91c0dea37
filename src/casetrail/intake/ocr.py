"""Optical character recognition with Tesseract (Debian's tesseract-ocr and tesseract-ocr-eng),
and the reader for scanned images: PNG, JPEG and TIFF, multi-page TIFF included.

Tesseract's English model comes from the Debian package, so nothing is fetched at run time.
Each page is recognised once, as TSV, which gives both the words and the confidence Tesseract
had in each; the page's confidence is the mean word confidence weighted by word length, so a
page of long, sure words is not dragged down by stray specks read as one-letter "words".
Tesseract is run directly (not through pytesseract) for two reasons measured on this
machine: Debian's build uses OpenMP, and on a shared two-core machine its threads fight each
other, so a page took 1.3-2.2 s with them and 0.3-0.4 s with OMP_THREAD_LIMIT=1, an
environment variable only a direct call can give one child process; and the page goes in on
standard input as uncompressed greyscale PGM and the TSV comes back on standard output, with
no temporary files and no PNG re-encoding (a JPEG re-encoded would also gain compression damage).
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casetrail.errors import Hostile, Malformed, TooLarge, UnsupportedFormat
from casetrail.intake.limits import Limits
from casetrail.intake.reading import NO_TEXT, OCR, PageSource, Reading

if TYPE_CHECKING:
    from PIL.Image import Image

PAGE_BREAK = "\n\f\n"  # as between PDF pages, so page numbers stay recoverable from the text
LANGUAGE = "eng"
MISSING = (
    "reading a scan needs Tesseract OCR with English, which is not installed here"
    " (run make install, or apt-get install tesseract-ocr tesseract-ocr-eng)"
)
_MIN_CONFIDENCE_WORD = 0  # Tesseract marks non-word boxes -1; real words are 0-100


@dataclass(frozen=True)
class Recognised:
    text: str
    confidence: float | None  # None when no word was recognised
    words: int


@functools.cache
def available() -> bool:
    """Tesseract is on PATH and has English (checked once per process)."""
    if shutil.which("tesseract") is None:
        return False
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=30, env=_ENV, check=False)
    except (OSError, subprocess.TimeoutExpired):  # a broken install is as good as none
        return False
    return LANGUAGE in listed.stdout.decode("utf-8", errors="replace").split()


def require() -> None:
    if not available():
        raise UnsupportedFormat(MISSING)


# One OpenMP thread (see above); no locale surprises in the TSV; nothing else inherited.
_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1", "LC_ALL": "C"}


def recognise(image: Image, limits: Limits, dpi: int | None = None) -> Recognised:
    """The text Tesseract reads in one PIL image, and how sure it was."""
    command = ["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--psm", "3"]
    if dpi:
        command += ["--dpi", str(dpi)]
    try:
        done = subprocess.run(
            [*command, "tsv"],
            input=_pgm(image),
            capture_output=True,
            env=_ENV,
            timeout=limits.ocr_seconds_per_page,
            check=False,
        )
    except FileNotFoundError as err:
        raise UnsupportedFormat(MISSING) from err
    except subprocess.TimeoutExpired as err:
        raise Hostile(f"OCR of one page took over {limits.ocr_seconds_per_page} seconds and was stopped") from err
    if done.returncode != 0:
        detail = " ".join(done.stderr.decode("utf-8", errors="replace").split())[-160:]
        raise Malformed(f"Tesseract could not read a page ({detail or f'exit status {done.returncode}'})")
    return _assemble(_tsv(done.stdout.decode("utf-8", errors="replace")))


def _tsv(output: str) -> dict[str, list]:
    """Tesseract's TSV as columns; the text column may itself hold nothing but is never split."""
    rows = output.split("\n")
    header = rows[0].split("\t") if rows else []
    columns: dict[str, list] = {name: [] for name in header}
    for row in rows[1:]:
        cells = row.split("\t", len(header) - 1)
        if len(cells) != len(header):
            continue
        for name, cell in zip(header, cells):
            columns[name].append(cell if name == "text" else _number(cell))
    return columns


def _number(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return -1.0


def _pgm(image: Image) -> bytes:
    buffer = io.BytesIO()
    _greyscale(image).save(buffer, "PPM")  # mode L is written as binary PGM
    return buffer.getvalue()


def _greyscale(image: Image) -> Image:
    from PIL import Image as PIL

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent areas are white paper, not black: flatten onto white before dropping colour.
        rgba = image.convert("RGBA")
        background = PIL.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = PIL.alpha_composite(background, rgba)
    return image.convert("L")


def _assemble(data: dict[str, list]) -> Recognised:
    """Words back into lines and paragraphs, in Tesseract's reading order."""
    paragraphs: list[list[str]] = []
    lines: dict[tuple[int, int, int, int], list[str]] = {}
    order: list[tuple[int, int, int, int]] = []
    weighted = 0.0
    letters = 0
    words = 0
    for i, word in enumerate(data.get("text", [])):
        word = (word or "").strip()
        confidence = float(data["conf"][i])
        if not word or confidence < _MIN_CONFIDENCE_WORD:
            continue
        key = (data["page_num"][i], data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key not in lines:
            lines[key] = []
            order.append(key)
        lines[key].append(word)
        weighted += confidence * len(word)
        letters += len(word)
        words += 1
    current: tuple[int, int, int] | None = None
    for key in order:
        if key[:3] != current:
            paragraphs.append([])
            current = key[:3]
        paragraphs[-1].append(" ".join(lines[key]))
    text = "\n\n".join("\n".join(p) for p in paragraphs)
    return Recognised(text=text, confidence=round(weighted / letters, 1) if letters else None, words=words)


# -- scanned images -------------------------------------------------------------------------------


def read_image(data: bytes, name: str, limits: Limits) -> Reading:
    """Every frame of a PNG, JPEG or TIFF through OCR; one page per frame."""
    from casetrail.intake.sniff import detect

    media_type = detect(data, name)
    frames = _frames(data, limits, _KIND.get(media_type, "image"))
    require()
    texts: list[str] = []
    sources: list[PageSource] = []
    offset = 0
    for number, (frame, dpi) in enumerate(frames, start=1):
        found = recognise(frame, limits, dpi)
        if texts:
            offset += len(PAGE_BREAK)
        sources.append(PageSource(number, offset, offset + len(found.text), OCR, found.confidence, found.words))
        texts.append(found.text)
        offset += len(found.text)
    text = PAGE_BREAK.join(texts)
    reading = Reading(
        text=text, media_type=media_type, pages=len(frames) if len(frames) > 1 else None, page_sources=tuple(sources)
    )
    if not text.strip():
        what = "scanned pages" if len(frames) > 1 else "the image"
        return _no_text(reading, f"OCR found no words in {what} (a photograph, or a blank or unreadable scan?)")
    return reading


def _no_text(reading: Reading, detail: str) -> Reading:
    import dataclasses

    return dataclasses.replace(reading, status=NO_TEXT, reason=f"no text found: {detail}")


_KIND = {"image/png": "PNG image", "image/jpeg": "JPEG image", "image/tiff": "TIFF image"}


def _frames(data: bytes, limits: Limits, kind: str) -> list[tuple[Image, int | None]]:
    """Decoded frames, each checked against the pixel limit before its pixels are decoded."""
    from PIL import Image as PIL
    from PIL import ImageOps, ImageSequence, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PIL.DecompressionBombWarning)
            image = PIL.open(io.BytesIO(data))
            frames: list[tuple[Image, int | None]] = []
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= limits.max_pages:
                    raise TooLarge(
                        f"{kind} has more than {limits.max_pages:,} pages; the limit is {limits.max_pages:,}"
                    )
                _check_pixels(frame.size, limits)
                loaded = ImageOps.exif_transpose(frame.copy())  # phone photos of pages are often sideways
                frames.append((loaded, _dpi(frame)))
            return frames
    except (TooLarge, Hostile):
        raise
    except (PIL.DecompressionBombError, PIL.DecompressionBombWarning) as err:
        raise Hostile(f"{kind} declares an absurd size ({_first_line(err)})") from err
    except UnidentifiedImageError as err:
        raise Malformed(f"damaged {kind}: its header cannot be read") from err
    except (OSError, SyntaxError, ValueError, EOFError, struct_error()) as err:  # PIL's damage reports
        raise Malformed(f"damaged or truncated {kind} ({_first_line(err)})") from err


def _check_pixels(size: tuple[int, int], limits: Limits) -> None:
    width, height = size
    if width * height > limits.max_image_pixels:
        raise Hostile(
            f"image is {width:,} x {height:,} pixels, over the {limits.max_image_pixels:,}-pixel limit"
            " (possible decompression bomb)"
        )


def _dpi(frame: Image) -> int | None:
    info = getattr(frame, "info", {}) or {}
    dpi = info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 70 <= value <= 1200 else None  # 1 or 72 is a default, not a scanner's setting


def struct_error() -> type[Exception]:
    import struct

    return struct.error


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
