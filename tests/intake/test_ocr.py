"""OCR: scanned pages are rendered here with Pillow's own font, so the expected text is known.

Needs Debian's tesseract-ocr and tesseract-ocr-eng (the Makefile installs them); without them
these tests are skipped, and test_missing_tesseract_is_a_clear_refusal shows what users see.
"""

from __future__ import annotations

import io
import random

import jellyfish
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pypdf import PdfReader, PdfWriter

from casetrail.errors import (
    Hostile,
    IntakeError,
    Malformed,
    TooLarge,
    UnsupportedFormat,
)
from casetrail.intake import ocr
from casetrail.intake.formats import NO_TEXT, OCR, READ, TEXT_LAYER, read_file_bytes
from casetrail.intake.limits import Limits
from casetrail.intake.sniff import JPEG, PDF, PNG, TIFF
from tests.intake.test_readers import make_pdf

LIMITS = Limits()
needs_tesseract = pytest.mark.skipif(not ocr.available(), reason="tesseract-ocr with English is not installed")

STATEMENT = [
    "Statement of Jane Doe, 14 Acacia Road, Lowbridge.",
    "On 4 March 2025 at about 9pm I saw PC 4412 Hassan Ali",
    "get into a blue Ford Focus, registration AB12 CDE,",
    "outside the Elm Street custody suite. He told me",
    "to keep quiet about what happened to my sister.",
]


def scan(lines: list[str], dpi: int = 300, noise: bool = True, seed: int = 7) -> Image.Image:
    """A greyscale page as a flatbed scanner gives it: 11 pt type, slight skew, blur and specks."""
    font = ImageFont.load_default(size=round(11 / 72 * dpi * 1.3))
    width, line_height = round(7.5 * dpi), round(0.3 * dpi)
    page = Image.new("L", (width, line_height * (len(lines) + 2)), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines, start=1):
        draw.text((round(0.5 * dpi), number * line_height), line, font=font, fill=0)
    if noise:
        page = page.rotate(0.6, resample=Image.BICUBIC, fillcolor=255).filter(ImageFilter.GaussianBlur(0.7))
        rng = random.Random(seed)
        pixels = page.load()
        for _ in range(page.width * page.height // 400):
            pixels[rng.randrange(page.width), rng.randrange(page.height)] = rng.choice((0, 90, 200))
    page.info["dpi"] = (dpi, dpi)
    return page


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def character_accuracy(found: str, expected: str) -> float:
    found, expected = " ".join(found.split()), " ".join(expected.split())
    return 1 - jellyfish.levenshtein_distance(found, expected) / len(expected)


@needs_tesseract
def test_scanned_png_is_read_with_confidence_and_marked_as_ocr() -> None:
    result = read_file_bytes(encoded(scan(STATEMENT), "PNG"), "statement-scan.png", LIMITS)
    assert result.media_type == PNG and result.status == READ
    accuracy = character_accuracy(result.text, "\n".join(STATEMENT))
    assert accuracy >= 0.97, (accuracy, result.text)
    for needle in ("PC 4412 Hassan Ali", "AB12 CDE", "Jane Doe"):
        assert needle in result.text
    (page,) = result.page_sources
    assert page.method == OCR and page.start == 0 and page.end == len(result.text)
    assert page.confidence is not None and 80 <= page.confidence <= 100 and page.words >= 40


@needs_tesseract
def test_jpeg_photo_of_a_page_is_read() -> None:
    result = read_file_bytes(encoded(scan(STATEMENT[:2]).convert("RGB"), "JPEG", quality=80), "IMG_0412.JPG", LIMITS)
    assert result.media_type == JPEG and "Hassan Ali" in result.text


@needs_tesseract
def test_multipage_tiff_gives_one_page_each_with_its_own_confidence() -> None:
    first, second = scan(STATEMENT[:2]), scan(STATEMENT[2:4], seed=8)
    data = encoded(first, "TIFF", save_all=True, append_images=[second], compression="tiff_lzw")
    result = read_file_bytes(data, "fax.tif", LIMITS)
    assert result.media_type == TIFF and result.pages == 2
    assert [p.page for p in result.page_sources] == [1, 2]
    one, two = result.page_sources
    assert "Hassan Ali" in result.text[one.start : one.end] and "AB12 CDE" in result.text[two.start : two.end]
    assert result.text[one.end : two.start] == "\n\f\n"


@needs_tesseract
def test_blank_scan_is_recorded_as_no_text_with_a_reason() -> None:
    result = read_file_bytes(encoded(Image.new("L", (800, 600), 255), "PNG"), "blank.png", LIMITS)
    assert result.status == NO_TEXT and result.text == ""
    assert result.reason is not None and result.reason.startswith("no text found: OCR found no words")


def image_only_pdf(pages: list[Image.Image]) -> bytes:
    return encoded(pages[0], "PDF", resolution=300, save_all=True, append_images=pages[1:])


@needs_tesseract
def test_image_only_pdf_is_read_by_ocr() -> None:
    data = image_only_pdf([scan(STATEMENT)])
    assert PdfReader(io.BytesIO(data)).pages[0].extract_text().strip() == ""  # truly no text layer
    result = read_file_bytes(data, "scanned-statement.pdf", LIMITS)
    assert result.media_type == PDF and result.status == READ and result.pages == 1
    assert character_accuracy(result.text, "\n".join(STATEMENT)) >= 0.97, result.text
    (page,) = result.page_sources
    assert page.method == OCR and page.confidence is not None and page.confidence > 80


@needs_tesseract
def test_mixed_pdf_ocrs_only_the_page_without_a_text_layer() -> None:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf(["Typed covering letter from the inquiry"]))))
    writer.append(PdfReader(io.BytesIO(image_only_pdf([scan(STATEMENT[1:3])]))))
    writer.append(PdfReader(io.BytesIO(make_pdf(["Typed closing page"]))))
    buffer = io.BytesIO()
    writer.write(buffer)
    result = read_file_bytes(buffer.getvalue(), "bundle.pdf", LIMITS)
    assert [p.method for p in result.page_sources] == [TEXT_LAYER, OCR, TEXT_LAYER]
    first, second, third = result.page_sources
    assert result.text[first.start : first.end] == "Typed covering letter from the inquiry"
    assert result.text[third.start : third.end] == "Typed closing page"
    assert "AB12 CDE" in result.text[second.start : second.end]
    assert first.confidence is None and second.confidence is not None


def test_text_pdf_never_calls_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("OCR ran on a page with a text layer")

    monkeypatch.setattr(ocr, "recognise", refuse)
    result = read_file_bytes(make_pdf(["Hello", "World"]), "typed.pdf", LIMITS)
    assert [p.method for p in result.page_sources] == [TEXT_LAYER, TEXT_LAYER]


def test_blank_pdf_page_is_no_text_without_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "recognise", lambda *a, **k: pytest.fail("nothing drawn: nothing to OCR"))
    result = read_file_bytes(make_pdf([""]), "blank.pdf", LIMITS)
    assert result.status == NO_TEXT and "no images" in (result.reason or "")


def test_missing_tesseract_is_a_clear_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    # A scan recorded empty because OCR was not installed could never be re-read (same bytes,
    # same hash): refusing keeps it out until the machine can read it.
    monkeypatch.setattr(ocr, "available", lambda: False)
    for data, name in ((encoded(scan(["x"], noise=False), "PNG"), "a.png"), (image_only_pdf([scan(["x"])]), "a.pdf")):
        with pytest.raises(UnsupportedFormat) as caught:
            read_file_bytes(data, name, LIMITS)
        assert "tesseract-ocr" in str(caught.value) and "\n" not in str(caught.value)


@needs_tesseract
def test_scanned_pdf_over_the_ocr_page_limit_is_refused_whole() -> None:
    data = image_only_pdf([scan(["one"], noise=False), scan(["two"], noise=False)])
    with pytest.raises(TooLarge, match="2 scanned pages to OCR; the limit is 1"):
        read_file_bytes(data, "long-scan.pdf", Limits(max_ocr_pages=1))


# -- hostile images -------------------------------------------------------------------------------


def test_png_decompression_bomb_is_refused_before_decoding() -> None:
    # 9,000 x 9,000 pixels compress to a few kilobytes and declare 81 million, over the 60 million limit.
    bomb = encoded(Image.new("1", (9_000, 9_000), 1), "PNG")
    assert len(bomb) < 200_000
    with pytest.raises(Hostile, match="pixel limit|absurd size"):
        read_file_bytes(bomb, "bomb.png", LIMITS)


def test_truncated_and_garbage_images_are_malformed() -> None:
    whole = encoded(scan(STATEMENT[:1], noise=False), "PNG")
    for data, name in (
        (whole[: len(whole) // 2], "cut.png"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "junk.png"),
        (b"\xff\xd8\xff\xe0" + b"\x13" * 50, "junk.jpg"),
    ):
        with pytest.raises(Malformed) as caught:
            read_file_bytes(data, name, LIMITS)
        assert "\n" not in str(caught.value) and ("PNG" in str(caught.value) or "JPEG" in str(caught.value))


def test_tiff_whose_pages_loop_is_refused() -> None:
    # Two IFDs whose "next" offsets point at each other: a reader that follows them never ends.
    data = encoded(Image.new("L", (8, 8), 255), "TIFF", save_all=True, append_images=[Image.new("L", (8, 8), 0)])
    first_ifd = int.from_bytes(data[4:8], "little")
    entries = int.from_bytes(data[first_ifd : first_ifd + 2], "little")
    next_at = first_ifd + 2 + 12 * entries
    second_ifd = int.from_bytes(data[next_at : next_at + 4], "little")
    entries2 = int.from_bytes(data[second_ifd : second_ifd + 2], "little")
    back_at = second_ifd + 2 + 12 * entries2
    looped = data[:back_at] + first_ifd.to_bytes(4, "little") + data[back_at + 4 :]
    try:
        result = read_file_bytes(looped, "loop.tif", Limits(max_pages=50))
    except IntakeError as err:
        assert "\n" not in str(err)
    else:  # Pillow notices the loop and stops: the two real pages, never fifty
        assert (result.pages or 1) <= 2


def test_tiff_with_more_frames_than_the_page_limit_is_too_large() -> None:
    frames = [Image.new("L", (8, 8), 255) for _ in range(4)]
    data = encoded(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(TooLarge, match="more than 3 pages"):
        read_file_bytes(data, "many.tif", Limits(max_pages=3))


@needs_tesseract
def test_scanned_statement_yields_the_officer_and_plate_typed_text_does() -> None:
    from casetrail.extraction.pipeline import ExtractionPipeline
    from casetrail.model.mention import MentionType

    pipeline = ExtractionPipeline(spacy_model=None)  # the rules; the model is exercised elsewhere

    def found(text: str) -> set[tuple[str, str]]:
        kinds = (MentionType.OFFICER, MentionType.VEHICLE)
        return {(m.type.value, m.text) for m in pipeline.extract("D", text) if m.type in kinds}

    typed = found("\n".join(STATEMENT))
    scanned = read_file_bytes(image_only_pdf([scan(STATEMENT)]), "scan.pdf", LIMITS)
    assert {kind for kind, _ in typed} == {"officer", "vehicle"}
    assert found(scanned.text) == typed
    ocr_page = scanned.page_sources[0]
    assert all(ocr_page.start <= m.start and m.end <= ocr_page.end for m in pipeline.extract("D", scanned.text))
