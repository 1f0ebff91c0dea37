"""Format readers: every fixture is built here, at test time, so nothing binary lives in the repo."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from casetrail.errors import (
    Encrypted,
    Hostile,
    IntakeError,
    Malformed,
    TooLarge,
    UnsupportedFormat,
)
from casetrail.intake.formats import READERS, read_file_bytes
from casetrail.intake.limits import Limits
from casetrail.intake.sniff import (
    DOCX,
    EML,
    HTML,
    MARKDOWN,
    MEDIA_TYPES,
    OLE_MAGIC,
    PDF,
    TEXT,
    detect,
)
from casetrail.model.document import ReadResult

NEWS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "news-2025"
LIMITS = Limits()


# -- fixture builders ---------------------------------------------------------------------------


def make_pdf(pages: list[str], title: str | None = None) -> bytes:
    """A minimal, valid PDF: one Helvetica text line per page, with a correct xref table."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(pages))), len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, line in enumerate(pages):
        stream = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % line.encode("latin-1")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    info = b""
    if title is not None:
        objects.append(b"<< /Title (%s) >>" % title.encode("latin-1"))
        info = b" /Info %d 0 R" % len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info, xref)
    return bytes(out)


def encrypt_pdf(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Witness statement"
    document.add_heading("Statement of witness", level=1)
    document.add_paragraph("I saw the car outside the school at 4pm.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Name"
    table.cell(0, 1).text = "PC Hassan Ali"
    table.cell(1, 0).text = "Collar"
    table.cell(1, 1).text = "4412"
    document.add_paragraph("Signed, the witness.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_zip_bomb_docx() -> bytes:
    """A zip shaped like a .docx whose document.xml inflates 50 MB of zeros from ~50 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(50):
                member.write(chunk)
    return buffer.getvalue()


def make_eml(attachments: list[tuple[str, bytes, str, str]], body: str = "Please see the attached.\r\n") -> bytes:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@example.org>"
    message["To"] = "Inquiry <intake@example.org>"
    message["Date"] = "Tue, 04 Mar 2025 10:15:00 +0000"
    message["Subject"] = "My complaint about officers"
    message["Message-ID"] = "<1@example.org>"
    message.set_content(body)
    for filename, data, maintype, subtype in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def assert_one_line(err: IntakeError) -> None:
    message = str(err)
    assert message and "\n" not in message and "\r" not in message, repr(message)
    assert "Traceback" not in message and len(message) <= 300


def refused(kind: type[IntakeError], data: bytes, name: str, limits: Limits = LIMITS) -> str:
    with pytest.raises(kind) as caught:
        read_file_bytes(data, name, limits)
    assert_one_line(caught.value)
    return str(caught.value)


# -- plain text and Markdown --------------------------------------------------------------------

SAMPLE = "Café – “Hedgehog” 25 Acacia Road\nline two"


@pytest.mark.parametrize(
    "encoded",
    [
        SAMPLE.encode("utf-8"),
        b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-16"),  # with BOM, native order
        b"\xfe\xff" + SAMPLE.encode("utf-16-be"),
        b"\xff\xfe" + SAMPLE.encode("utf-16-le"),
        SAMPLE.encode("cp1252"),
        SAMPLE.replace("\n", "\r\n").encode("cp1252"),
        SAMPLE.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-be", "utf16-le", "cp1252", "cp1252-crlf", "utf8-cr"],
)
def test_text_encodings_decode_to_the_same_text(encoded: bytes) -> None:
    result = read_file_bytes(encoded, "statement.txt", LIMITS)
    assert result.text == SAMPLE
    assert result.media_type == TEXT
    assert result.attachments == () and result.pages is None


def test_cp1252_bytes_undefined_in_python_still_decode() -> None:
    result = read_file_bytes(b"caf\xe9 \x81 \x9d end", "old.txt", LIMITS)
    assert result.text == "café \x81 \x9d end"


def test_markdown_keeps_source_and_takes_title_from_first_heading() -> None:
    source = "Intro line\n\n# Interview with Witness A #\n\nSome *text*.\n"
    result = read_file_bytes(source.encode(), "notes.md", LIMITS)
    assert result.media_type == MARKDOWN
    assert result.text == source
    assert result.title == "Interview with Witness A"


def test_text_with_nul_bytes_is_binary() -> None:
    assert "binary" in refused(Malformed, b"hello\x00world" * 10, "notes.txt")


def test_text_with_lying_bom_is_malformed() -> None:
    assert "byte-order mark" in refused(Malformed, b"\xef\xbb\xbfabc\xff\xfe\xfd", "x.txt")


def test_empty_file_is_malformed() -> None:
    for name in ("empty.txt", "empty.pdf", "empty.docx", "empty"):
        assert refused(Malformed, b"", name) == "empty file"


def test_whitespace_only_text_is_kept() -> None:
    assert read_file_bytes(b" \n", "blank.txt", LIMITS).text == " \n"


def test_text_without_extension_is_sniffed_as_text() -> None:
    assert read_file_bytes(b"just words\n", "README", LIMITS).media_type == TEXT


# -- HTML -------------------------------------------------------------------------------------


def test_html_scripts_never_run_and_their_text_is_dropped(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    page = f"""<!DOCTYPE html>
<html><head><title>  Officer  cleared </title>
<script>require('fs').writeFileSync({str(target)!r}, 'ran'); document.title = 'SCRIPTED';</script>
<style>body {{ background: url(file://{target}) }}</style>
<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>
<body onload="fetch('http://127.0.0.1:9/beacon')">
<nav>Home | News | Contact</nav><header>Site banner</header>
<article><h1>Officer cleared</h1>
<p>The   officer was
cleared on <b>Monday</b>.<br>Nobody was charged.</p>
<script>var s = "SECRET-SCRIPT-TEXT";</script><noscript>NOSCRIPT-TEXT</noscript>
<iframe src="file://{target}">IFRAME-TEXT</iframe><img src="file://{target}">
<p>Second paragraph.</p></article>
<aside>Related stories</aside><form><input value="FORM-TEXT"></form>
<template>TEMPLATE-TEXT</template><footer>Copyright</footer></body></html>"""
    result = read_file_bytes(page.encode(), "article.html", LIMITS)
    assert not target.exists()
    assert result.media_type == HTML
    assert result.title == "Officer cleared"
    assert result.text == (
        "Officer cleared\n\nThe officer was cleared on Monday.\nNobody was charged.\n\nSecond paragraph."
    )
    for hidden in (
        "writeFileSync",
        "SECRET",
        "NOSCRIPT",
        "IFRAME",
        "FORM-TEXT",
        "TEMPLATE",
        "Related",
        "Copyright",
        "Site banner",
        "Home |",
        "background",
    ):
        assert hidden not in result.text


def test_html_main_tables_entities_and_charset() -> None:
    page = (
        b'<html><head><meta charset="windows-1252"></head><body><div>menu</div><main>'
        b"<h2>Caf\xe9 &amp; bar</h2><table><tr><td>Name</td><td>PC Ali</td></tr></table>"
        b"<pre>  kept\n    as is</pre></main></body></html>"
    )
    result = read_file_bytes(page, "page.htm", LIMITS)
    assert result.text == "Café & bar\n\nName\tPC Ali\n\n  kept\n    as is"
    assert result.title is None  # no <title> and no <h1>


def test_html_sniffed_despite_txt_name_and_title_from_h1() -> None:
    result = read_file_bytes(b"<!doctype html><body><h1>Heading</h1><p>x</p></body>", "saved.txt", LIMITS)
    assert result.media_type == HTML and result.title == "Heading"


def test_html_absurd_nesting_is_hostile() -> None:
    deep = b"<html><body>" + b"<div>" * 100_000 + b"x" + b"</div>" * 100_000 + b"<p>after</p></body></html>"
    assert "deep" in refused(Hostile, deep, "trap.html")
    nested = b"<html><body>" + b"<span>" * 60 + b"x" + b"</span>" * 60 + b"</body></html>"
    assert "62 levels" in refused(Hostile, nested, "trap.html", Limits(max_html_depth=50))
    assert read_file_bytes(nested, "ok.html", LIMITS).text == "x"


# -- PDF --------------------------------------------------------------------------------------


def test_pdf_text_pages_and_title() -> None:
    result = read_file_bytes(make_pdf(["Hello", "World"], title="Report"), "report.pdf", LIMITS)
    assert result.media_type == PDF
    assert result.pages == 2
    assert result.text == "Hello\n\f\nWorld"
    assert result.title == "Report"


def test_pdf_detected_by_magic_whatever_the_name() -> None:
    assert detect(make_pdf(["Hello"]), "statement.txt") == PDF
    assert detect(b"\r\n" + make_pdf(["Hello"]), "scan.pdf") == PDF  # junk before the header
    assert read_file_bytes(make_pdf(["Hello"]), "noname", LIMITS).text == "Hello"


@pytest.mark.parametrize("user_password", ["secret", ""], ids=["password", "empty-user-password"])
def test_encrypted_pdfs_are_refused(user_password: str) -> None:
    data = encrypt_pdf(make_pdf(["Hello"]), user_password)
    message = refused(Encrypted, data, "locked.pdf")
    assert ("without a password" in message) == (user_password == "")


def test_truncated_and_garbage_pdfs_are_malformed() -> None:
    whole = make_pdf(["Hello", "World"])
    assert "truncated" in refused(Malformed, whole[: len(whole) // 2], "cut.pdf")
    refused(Malformed, b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", "garbage.pdf")
    assert "%PDF-" in refused(Malformed, b"this is not a pdf at all", "fake.pdf")


def test_pdf_over_page_limit_is_too_large() -> None:
    assert "3 pages" in refused(TooLarge, make_pdf(["a", "b", "c"]), "long.pdf", Limits(max_pages=2))


# -- e-mail -----------------------------------------------------------------------------------


def test_eml_headers_body_and_attachments() -> None:
    attached_docx = make_docx()
    data = make_eml(
        [
            ("notes.txt", b"Attached notes\n", "text", "plain"),
            ("statement.docx", attached_docx, "application", DOCX.split("/")[1]),
        ]
    )
    result = read_file_bytes(data, "complaint.eml", LIMITS)
    assert result.media_type == EML
    assert result.title == "My complaint about officers"
    assert result.text == (
        "From: Jane Doe <jane@example.org>\n"
        "To: Inquiry <intake@example.org>\n"
        "Date: Tue, 04 Mar 2025 10:15:00 +0000\n"
        "Subject: My complaint about officers\n"
        "\n"
        "Please see the attached.\n"
    )
    assert [a.name for a in result.attachments] == ["notes.txt", "statement.docx"]
    assert result.attachments[0].data == b"Attached notes\n"
    assert result.attachments[1].data == attached_docx
    # Each attachment is a file in its own right for the pipeline.
    assert read_file_bytes(result.attachments[1].data, result.attachments[1].name, LIMITS).media_type == DOCX


def test_eml_html_body_goes_through_the_html_reader() -> None:
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["Subject"] = "Html only"
    message["Date"] = "Tue, 04 Mar 2025 10:15:00 +0000"
    message.set_content("<html><body><p>Hi <b>there</b></p><script>x='SCRIPT'</script></body></html>", subtype="html")
    result = read_file_bytes(message.as_bytes(), "mail", LIMITS)  # no extension: sniffed by headers
    assert result.media_type == EML
    assert result.text.endswith("\n\nHi there\n") and "SCRIPT" not in result.text


def test_eml_forwarded_message_becomes_an_attachment() -> None:
    inner = EmailMessage()
    inner["From"] = "b@example.org"
    inner["Subject"] = "Original"
    inner.set_content("inner body")
    outer = EmailMessage()
    outer["From"] = "a@example.org"
    outer["Date"] = "Tue, 04 Mar 2025 10:15:00 +0000"
    outer.set_content("see below")
    outer.add_attachment(inner)
    result = read_file_bytes(outer.as_bytes(), "fwd.eml", LIMITS)
    assert "inner body" not in result.text
    (attachment,) = result.attachments
    assert attachment.name == "attachment-1.eml"
    assert "inner body" in read_file_bytes(attachment.data, attachment.name, LIMITS).text


def test_eml_attachment_names_are_made_safe() -> None:
    data = make_eml([("../../etc/passwd\x07.txt", b"x", "text", "plain")])
    assert read_file_bytes(data, "m.eml", LIMITS).attachments[0].name == "passwd.txt"


def test_eml_over_attachment_limit_is_too_large() -> None:
    data = make_eml([(f"n{i}.txt", b"x", "text", "plain") for i in range(3)])
    assert "attachments" in refused(TooLarge, data, "many.eml", Limits(max_attachments=2))


def test_eml_raw_latin1_headers_and_body_are_decoded() -> None:
    data = "From: Zoë <z@example.org>\nDate: x\nSubject: Café\n\nVu au café\n".encode("latin-1")
    result = read_file_bytes(data, "old.eml", LIMITS)
    assert result.text == "From: Zoë <z@example.org>\nDate: x\nSubject: Café\n\nVu au café\n"


def test_eml_absurd_mime_nesting_is_hostile() -> None:
    body = "Content-Type: text/plain\n\nleaf\n"
    for level in range(80):
        body = f'Content-Type: multipart/mixed; boundary="b{level}"\n\n--b{level}\n{body}\n--b{level}--\n'
    data = f"From: a@example.org\nDate: x\nMIME-Version: 1.0\n{body}".encode()
    refused(Hostile, data, "deep.eml")


def test_eml_without_headers_is_malformed() -> None:
    refused(Malformed, b"just a line of text\n", "fake.eml")


def test_txt_with_header_like_lines_stays_text() -> None:
    data = b"From: me\nDate: today\nSubject: hi\n\nbody\n"
    assert detect(data, "notes.txt") == TEXT
    assert detect(data, "notes.eml") == EML
    assert detect(data, "notes") == EML


# -- .docx ------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells() -> None:
    result = read_file_bytes(make_docx(), "statement.docx", LIMITS)
    assert result.media_type == DOCX
    assert result.title == "Witness statement"
    assert result.text == (
        "Statement of witness\n\n"
        "I saw the car outside the school at 4pm.\n\n"
        "Name\tPC Hassan Ali\nCollar\t4412\n\n"
        "Signed, the witness."
    )


def test_docx_zip_bomb_is_hostile() -> None:
    bomb = make_zip_bomb_docx()
    assert len(bomb) < 1024 * 1024
    assert "zip bomb" in refused(Hostile, bomb, "bomb.docx")


def test_docx_over_unpacked_limit_is_hostile() -> None:
    assert "unpacks to" in refused(Hostile, make_docx(), "big.docx", Limits(max_unpacked_bytes=1000))


def test_docx_without_document_xml_is_malformed() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert "word/document.xml" in refused(Malformed, buffer.getvalue(), "hollow.docx")


def test_docx_damaged_zip_is_malformed() -> None:
    refused(Malformed, make_docx()[:2000], "cut.docx")


def test_ole_docx_is_encrypted() -> None:
    data = OLE_MAGIC + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1024
    assert "password-protected" in refused(Encrypted, data, "locked.docx")
    refused(Encrypted, OLE_MAGIC + b"\x00" * 2048, "locked.docx")
    refused(UnsupportedFormat, OLE_MAGIC + b"\x00" * 2048, "old.doc")


# -- unsupported and limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "setup.exe", "executable"),
        (b"text", "old.doc", ".doc"),
        (b"text", "image.jpg", "'.jpg'"),
        (b"\x00\x01\x02\x03", "blob", "not recognisable"),
    ],
)
def test_unsupported_formats(data: bytes, name: str, expected: str) -> None:
    assert expected in refused(UnsupportedFormat, data, name)


def test_a_plain_zip_is_read_member_by_member() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evidence/photo.txt", "x")
    reading = read_file_bytes(buffer.getvalue(), "evidence.zip")
    assert [child.name for child in reading.attachments] == ["evidence/photo.txt"]


def test_size_limits_refuse_rather_than_truncate() -> None:
    assert "limit" in refused(TooLarge, b"x" * 101, "big.txt", Limits(max_bytes=100))
    assert "characters" in refused(TooLarge, b"x" * 50, "long.txt", Limits(max_text_chars=49))
    assert read_file_bytes(b"x" * 49, "ok.txt", Limits(max_text_chars=49)).text == "x" * 49


def test_readers_cover_every_media_type() -> None:
    assert set(READERS) == set(MEDIA_TYPES)


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        Limits(max_pages=0)


# -- real corpus and arbitrary input -----------------------------------------------------------


@pytest.mark.parametrize("path", sorted(NEWS.glob("*.txt")), ids=lambda p: p.name)
def test_news_corpus_reads_cleanly(path: Path) -> None:
    result = read_file_bytes(path.read_bytes(), path.name, LIMITS)
    assert result.media_type == TEXT
    assert len(result.text) > 1000 and "\r" not in result.text


def test_news_corpus_is_present() -> None:
    assert len(list(NEWS.glob("*.txt"))) == 5, f"expected five news files in {NEWS}"


_NAMES = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda stem, ext: stem + ext,
        st.text(max_size=8),
        st.sampled_from([".txt", ".md", ".html", ".pdf", ".eml", ".docx", ".doc", ".png", ".zip", ""]),
    ),
)
_PREFIXES = st.sampled_from(
    [
        b"",
        b"%PDF-1.4\n",
        b"PK\x03\x04",
        b"<!doctype html><html>",
        b"From: a@b\nDate: x\nSubject: s\n\n",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        OLE_MAGIC,
        b"<html>" + b"<div>" * 300,
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=_PREFIXES, data=st.binary(max_size=2048), name=_NAMES)
def test_arbitrary_bytes_give_a_result_or_an_intake_error(prefix: bytes, data: bytes, name: str) -> None:
    try:
        result = read_file_bytes(prefix + data, name, LIMITS)
    except IntakeError as err:
        assert_one_line(err)
        return
    assert isinstance(result, ReadResult)
    assert result.media_type in MEDIA_TYPES
    result.text.encode("utf-8")  # storable and hashable
    assert "\x00" not in result.text
    assert result.title is None or "\n" not in result.title
