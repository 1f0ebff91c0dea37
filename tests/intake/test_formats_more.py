"""Outlook .msg, mbox, .odt, .rtf, .doc, .xlsx, .csv and .zip: fixtures built here, at test time,
from fictional people; each format read, then refused when hostile (bomb, loop, encrypted, cut)."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import openpyxl
import pytest

from casetrail.errors import (
    Encrypted,
    Hostile,
    IntakeError,
    Malformed,
    TooLarge,
    UnsupportedFormat,
)
from casetrail.intake.formats import NO_TEXT, READ, Reading, read_file_bytes
from casetrail.intake.limits import Limits
from casetrail.intake.sniff import (
    CSV,
    DOC,
    DOCX,
    EML,
    MBOX,
    MSG,
    ODT,
    OLE_MAGIC,
    RTF,
    TEXT,
    XLSX,
    ZIP,
    detect,
)
from casetrail.model.document import ReadResult
from tests.intake.test_readers import make_docx, make_eml, make_pdf, make_zip_bomb_docx

LIMITS = Limits()


def refused(kind: type[IntakeError], data: bytes, name: str, limits: Limits = LIMITS) -> str:
    with pytest.raises(kind) as caught:
        read_file_bytes(data, name, limits)
    message = str(caught.value)
    assert message and "\n" not in message and len(message) <= 300, message
    return message


# -- Outlook .msg ---------------------------------------------------------------------------------


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _props(header: bytes, entries: list[tuple[int, bytes]]) -> bytes:
    # MS-OXMSG property stream: a header, then 16-byte entries (tag, flags, value or size).
    return header + b"".join(struct.pack("<II", tag, 6) + value for tag, value in entries)


def _string(writer: object, prefix: str, prop: int, text: str, entries: list[tuple[int, bytes]]) -> None:
    data = _utf16(text)
    writer.addEntry(f"{prefix}__substg1.0_{prop:04X}001F", data)  # type: ignore[attr-defined]
    entries.append(((prop << 16) | 0x001F, struct.pack("<II", len(data) + 2, 0)))


def make_msg(subject: str, body: str, attachments: list[tuple[str, bytes]] = ()) -> bytes:  # type: ignore[assignment]
    """A minimal Outlook message (IPM.Note) written with extract-msg's own OLE writer."""
    from extract_msg import OleWriter

    writer = OleWriter()
    top: list[tuple[int, bytes]] = []
    for prop, value in (
        (0x001A, "IPM.Note"),
        (0x0037, subject),
        (0x1000, body),
        (0x0C1A, "Jane Doe"),
        (0x0E04, "Inquiry Intake"),
    ):
        _string(writer, "", prop, value, top)
    top.append((0x00390040, struct.pack("<Q", 133_860_000_000_000_000)))  # submitted 2025-03-09
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    recipient: list[tuple[int, bytes]] = []
    _string(writer, "__recip_version1.0_#00000000/", 0x3001, "Inquiry Intake", recipient)
    recipient.append((0x0C150003, struct.pack("<II", 1, 0)))  # MAPI_TO
    writer.addEntry("__recip_version1.0_#00000000/__properties_version1.0", _props(b"\0" * 8, recipient))
    for number, (name, data) in enumerate(attachments):
        prefix = f"__attach_version1.0_#{number:08X}/"
        entries: list[tuple[int, bytes]] = []
        _string(writer, prefix, 0x3707, name, entries)
        writer.addEntry(prefix + "__substg1.0_37010102", data)
        entries += [(0x37010102, struct.pack("<II", len(data), 0)), (0x37050003, struct.pack("<II", 1, 0))]
        writer.addEntry(prefix + "__properties_version1.0", _props(b"\0" * 8, entries))
    count = len(attachments)
    header = b"\0" * 8 + struct.pack("<IIII", 1, count, 1, count) + b"\0" * 8
    writer.addEntry("__properties_version1.0", _props(header, top))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_msg_envelope_body_and_attachments_as_children() -> None:
    statement = make_docx()
    data = make_msg(
        "Custody record query",
        "Dear team,\r\nPC 4412 Hassan Ali was on duty that night.\r\n",
        [("statement.docx", statement), ("notes.txt", b"Attached notes\n")],
    )
    assert detect(data, "mail.msg") == MSG and detect(data, "no-extension") == MSG
    result = read_file_bytes(data, "query.msg", LIMITS)
    assert result.media_type == MSG and result.status == READ
    assert result.title == "Custody record query"
    assert result.text.startswith("From: Jane Doe\n") and "Subject: Custody record query\n" in result.text
    assert "Date: 2025-03-09" in result.text
    assert result.text.endswith("\n\nDear team,\nPC 4412 Hassan Ali was on duty that night.\n")
    assert [(a.name, a.data) for a in result.attachments] == [
        ("statement.docx", statement),
        ("notes.txt", b"Attached notes\n"),
    ]
    assert read_file_bytes(result.attachments[0].data, result.attachments[0].name, LIMITS).media_type == DOCX


def test_msg_over_attachment_limit_truncated_and_foreign_ole_are_refused() -> None:
    data = make_msg("Many", "x", [(f"n{i}.txt", b"x") for i in range(3)])
    assert "attachments" in refused(TooLarge, data, "many.msg", Limits(max_attachments=2))
    refused(IntakeError, data[: len(data) // 2], "cut.msg")
    assert ".msg" in refused(UnsupportedFormat, b"plain words", "fake.msg")


def test_msg_opaque_smime_is_encrypted() -> None:
    assert "S/MIME" in refused(Encrypted, _msg_with_class("IPM.Note.SMIME"), "locked.msg")


def _msg_with_class(message_class: str) -> bytes:
    from extract_msg import OleWriter

    writer = OleWriter()
    entries: list[tuple[int, bytes]] = []
    _string(writer, "", 0x001A, message_class, entries)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    writer.addEntry("__properties_version1.0", _props(b"\0" * 32, entries))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# -- mbox -----------------------------------------------------------------------------------------


def make_mbox(count: int) -> bytes:
    messages = []
    for n in range(1, count + 1):
        eml = make_eml([], body=f"Message {n} body.\r\nFrom the desk of DS Anna Novak\r\n").replace(b"\r\n", b"\n")
        eml = eml.replace(b"My complaint about officers", f"Complaint {n}".encode())
        eml = eml.replace(b"\nFrom the desk", b"\n>From the desk")  # how mbox writers quote it
        messages.append(b"From jane@example.org Tue Mar  4 10:15:00 2025\n" + eml)
    return b"\n".join(messages)


def test_mbox_each_message_a_child_with_an_index() -> None:
    data = make_mbox(3)
    assert detect(data, "Inbox") == MBOX and detect(data, "export.mbox") == MBOX
    result = read_file_bytes(data, "Inbox.mbox", LIMITS)
    assert result.media_type == MBOX and result.status == READ
    assert result.text.startswith("Mailbox of 3 message(s)\n\n1. Tue, 04 Mar 2025 10:15:00 +0000 | Jane Doe")
    assert "| Complaint 3" in result.text
    assert [a.name for a in result.attachments] == ["message-00001.eml", "message-00002.eml", "message-00003.eml"]
    child = read_file_bytes(result.attachments[1].data, result.attachments[1].name, LIMITS)
    assert child.media_type == EML and child.title == "Complaint 2"
    assert "\nFrom the desk of DS Anna Novak" in child.text  # the >From quoting undone


def test_single_message_with_envelope_line_stays_an_email() -> None:
    assert detect(make_mbox(1), "message") == EML


def test_mbox_over_message_limit_and_not_an_mbox() -> None:
    assert "10 messages" in refused(TooLarge, make_mbox(11), "big.mbox", Limits(max_messages=10))
    assert "From " in refused(Malformed, b"Subject: hi\n\nbody\n", "odd.mbox")


# -- .odt -----------------------------------------------------------------------------------------

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)


def make_odt(body: str, manifest_extra: str = "", prolog: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")  # stored, first
        archive.writestr(
            "content.xml",
            f"{prolog}<office:document-content {_ODT_NS}><office:body><office:text>"
            f"{body}</office:text></office:body></office:document-content>",
        )
        archive.writestr(
            "meta.xml",
            f"<office:document-meta {_ODT_NS}><office:meta><dc:title>Interview notes"
            "</dc:title></office:meta></office:document-meta>",
        )
        archive.writestr("META-INF/manifest.xml", f"<manifest>{manifest_extra}</manifest>")
    return buffer.getvalue()


def test_odt_paragraphs_spaces_tables_and_text_boxes_in_order() -> None:
    body = (
        "<text:h>Interview with Witness B</text:h>"
        "<text:p>Officer<text:s text:c='3'/>Wright<text:tab/>badge 7731<text:line-break/>second line</text:p>"
        "<text:p>Deleted words<text:tracked-changes><text:p>OLD TEXT</text:p></text:tracked-changes></text:p>"
        "<text:list><text:list-item><text:p>First point</text:p></text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>Name</text:p></table:table-cell>"
        "<table:table-cell><text:p>PC Hassan Ali</text:p></table:table-cell></table:table-row></table:table>"
        "<text:p>Before box<draw:frame><draw:text-box><text:p>Boxed note</text:p></draw:text-box></draw:frame></text:p>"
    )
    data = make_odt(body)
    assert detect(data, "notes.odt") == ODT and detect(data, "renamed.zip") == ODT
    result = read_file_bytes(data, "notes.odt", LIMITS)
    assert result.title == "Interview notes"
    assert result.text == (
        "Interview with Witness B\n\nOfficer   Wright\tbadge 7731\nsecond line\n\nDeleted words\n\n"
        "First point\n\nName\tPC Hassan Ali\n\nBefore box\n\nBoxed note"
    )


def test_odt_hostile_files_are_refused() -> None:
    assert "password-protected" in refused(Encrypted, make_odt("<text:p>x</text:p>", "<encryption-data/>"), "l.odt")
    laughs = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    try:  # entities are never expanded: refused as damaged, or read with the reference left out
        result = read_file_bytes(make_odt("<text:p>&b;&b;&b;</text:p>", prolog=laughs), "laughs.odt", LIMITS)
        assert "aaaa" not in result.text
    except Malformed:
        pass
    data = make_odt("<text:p>x</text:p>")
    refused(Malformed, data[: len(data) // 2], "cut.odt")
    bomb = make_zip_bomb_docx()
    assert "zip bomb" in refused(Hostile, bomb, "bomb.odt")
    deep = "<text:section>" * 300 + "<text:p>x</text:p>" + "</text:section>" * 300
    refused(IntakeError, make_odt(deep), "deep.odt")


# -- .rtf -----------------------------------------------------------------------------------------

RTF_DOC = (
    rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Times New Roman;}}{\colortbl;\red0\green0\blue0;}"
    rb"{\info{\title Witness statement}{\author Someone}}"
    rb"{\*\generator Fictional Writer 1.0;}\pard Statement of Zo\'eb Kowalski.\par "
    rb"I saw DC \u321?ukasz Nowak at 9pm\emdash outside.\par "
    rb"{\pict\wmetafile8\picw10\pich10 0102030405}{\object{\*\objdata 0102}}"
    rb"Binary {\pict\bin4 }}}}} after.\par "
    rb"Name\cell PC Hassan Ali\cell\row}"
)


def test_rtf_text_unicode_code_page_and_title() -> None:
    assert detect(RTF_DOC, "statement.rtf") == RTF and detect(RTF_DOC, "saved-by-word.doc") == RTF
    result = read_file_bytes(RTF_DOC, "statement.rtf", LIMITS)
    assert result.title == "Witness statement"
    assert result.text == (
        "Statement of Zoë Kowalski.\nI saw DC Łukasz Nowak at 9pm\u2014outside.\nBinary  after.\nName\tPC Hassan Ali"
    )


def test_rtf_hostile_files_are_refused() -> None:
    assert "truncated" in refused(Malformed, RTF_DOC[:-40], "cut.rtf")
    deep = b"{\\rtf1 " + b"{" * 100_000 + b"x" + b"}" * 100_001
    assert "nested" in refused(Hostile, deep, "deep.rtf")


def test_rtf_is_linear_on_a_large_file() -> None:
    import time

    data = b"{\\rtf1 " + b'{\\field{\\*\\fldinst{HYPERLINK "x"}}{\\fldrslt{link}}} word\\par ' * 60_000 + b"}"
    started = time.perf_counter()
    result = read_file_bytes(data, "big.rtf", LIMITS)
    assert time.perf_counter() - started < 20 and result.text.count("link word") == 60_000


# -- .xlsx and .csv -------------------------------------------------------------------------------


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    roster = workbook.active
    roster.title = "Duty roster"
    roster["A1"], roster["B1"], roster["C1"] = "Date", "Officer", "Collar"
    roster["A2"], roster["B2"], roster["C2"] = dt.datetime(2025, 3, 4), "PC Hassan Ali", 4412
    roster["B3"] = "DS Anna Novak\nacting"
    vehicles = workbook.create_sheet("Vehicles")
    vehicles["D7"] = "AB12 CDE"
    vehicles["E7"] = 0.5
    workbook.properties.title = "March duties"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_every_cell_with_its_reference() -> None:
    data = make_xlsx()
    assert detect(data, "roster.xlsx") == XLSX and detect(data, "roster") == XLSX
    result = read_file_bytes(data, "roster.xlsx", LIMITS)
    assert result.media_type == XLSX and result.title == "March duties" and result.pages == 2
    assert result.text == (
        "'Duty roster'!A1: Date\n'Duty roster'!B1: Officer\n'Duty roster'!C1: Collar\n"
        "'Duty roster'!A2: 2025-03-04\n'Duty roster'!B2: PC Hassan Ali\n'Duty roster'!C2: 4412\n"
        "'Duty roster'!B3: DS Anna Novak acting\n\f\nVehicles!D7: AB12 CDE\nVehicles!E7: 0.5"
    )


def test_xlsx_hostile_files_are_refused() -> None:
    data = make_xlsx()
    assert "cells" in refused(Hostile, data, "roster.xlsx", Limits(max_cells=5))
    refused(Malformed, data[: len(data) // 2], "cut.xlsx")
    encrypted = OLE_MAGIC + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1024
    assert "password-protected" in refused(Encrypted, encrypted, "locked.xlsx")
    assert "zip bomb" in refused(Hostile, make_zip_bomb_docx(), "bomb.xlsx")


def test_xlsx_declaring_a_huge_sheet_is_bounded_by_the_cell_limit() -> None:
    # One cell at the far corner: padding every row out to column XFD would be 16,384 cells a row.
    workbook = openpyxl.Workbook()
    for row in range(1, 400):
        workbook.active.cell(row=row, column=16_384, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "cells" in refused(Hostile, buffer.getvalue(), "wide.xlsx", Limits(max_cells=1_000_000))


def test_csv_cells_with_references_and_delimiters() -> None:
    data = 'Date;Officer;Note\n2025-03-04;PC Hassan Ali;"said ""nothing"""\n'.encode("cp1252")
    result = read_file_bytes(data, "log.csv", LIMITS)
    assert result.media_type == CSV
    assert result.text == 'A1: Date\nB1: Officer\nC1: Note\nA2: 2025-03-04\nB2: PC Hassan Ali\nC2: said "nothing"'
    assert read_file_bytes(b"a\tb\n", "x.tsv", LIMITS).text == "A1: a\nB1: b"
    assert detect(b"From: a\nDate: b\nSubject: c\n\nx\n", "odd.csv") == CSV  # a name that says CSV stays CSV


def test_csv_hostile_files_are_refused() -> None:
    assert "cells" in refused(TooLarge, b"a,b,c\n" * 10, "many.csv", Limits(max_cells=20))
    refused(Malformed, bytes(range(256)) * 10, "binary.csv")
    refused(Malformed, b'"' + b"x" * 200_000 + b'"\n', "field.csv")


def test_empty_csv_and_sheet_are_no_text() -> None:
    result = read_file_bytes(b",,\n,,\n", "empty.csv", LIMITS)
    assert result.status == NO_TEXT and result.reason == "no text found: every cell is empty"


# -- .zip -----------------------------------------------------------------------------------------


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_members_become_children_with_safe_paths() -> None:
    statement = make_docx()
    data = make_zip(
        {
            "evidence/statement.docx": statement,
            "evidence/notes.txt": b"Notes\n",
            "../../etc/passwd": b"x",
            "__MACOSX/evidence/._notes.txt": b"junk",
            "evidence/": b"",
        }
    )
    assert detect(data, "evidence.zip") == ZIP and detect(data, "evidence") == ZIP
    result = read_file_bytes(data, "evidence.zip", LIMITS)
    assert result.media_type == ZIP and result.status == READ
    assert [a.name for a in result.attachments] == ["evidence/statement.docx", "evidence/notes.txt", "etc/passwd"]
    assert result.attachments[0].data == statement
    assert result.text.startswith("Zip archive of 3 file(s)\n\nevidence/statement.docx\t")


def test_zip_hostile_archives_are_refused() -> None:
    assert "zip bomb" in refused(Hostile, make_zip_bomb_docx(), "bomb.zip")
    assert "holds" in refused(
        Hostile, make_zip({f"f{i}": b"x" for i in range(5)}), "many.zip", Limits(max_zip_entries=4)
    )
    assert "compression method" in refused(Malformed, make_zip({"a.txt": b"x" * 100}, zipfile.ZIP_BZIP2), "bz.zip")
    data = make_zip({"a.txt": b"hello " * 1000})
    refused(IntakeError, data[: len(data) // 2], "cut.zip")
    encrypted = bytearray(make_zip({"a.txt": b"x"}, zipfile.ZIP_STORED))
    encrypted[6] |= 1  # the encryption flag, in the local header...
    central = bytes(encrypted).rindex(b"PK\x01\x02")
    encrypted[central + 8] |= 1  # ...and in the central directory
    assert "encrypted" in refused(Encrypted, bytes(encrypted), "locked.zip")


def test_nested_zips_share_one_budget() -> None:
    # Each level alone is under the limit; together they are not (the classic nested bomb).
    inner = make_zip({f"part{i}.txt": b"x" * 40_000 for i in range(5)})  # 200 KB unpacked
    middle = make_zip({f"inner{i}.zip": inner for i in range(10)})  # a few KB holding 2 MB
    limits = Limits(max_unpacked_bytes=1_500_000)
    read_file_bytes(inner, "inner.zip", limits)
    assert "archives inside it" in refused(Hostile, make_zip({"middle.zip": middle}), "outer.zip", limits)


def test_zip_nesting_deeper_than_max_depth_is_hostile() -> None:
    data = make_zip({"leaf.txt": b"x"})
    for level in range(4):
        data = make_zip({f"level{level}.zip": data})
    assert "nested more than 2" in refused(Hostile, data, "deep.zip", Limits(max_depth=2))


# -- no silent emptiness --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"<html><body><script>x()</script></body></html>", "empty.html", "outside scripts"),
        (b" \n\t\n", "blank.txt", "no text found"),
        (make_pdf([""]), "blank.pdf", "no images"),
    ],
)
def test_empty_reads_carry_a_status_and_reason(data: bytes, name: str, reason: str) -> None:
    result = read_file_bytes(data, name, LIMITS)
    assert isinstance(result, Reading) and isinstance(result, ReadResult)
    assert result.status == NO_TEXT and result.reason is not None
    assert result.reason.startswith("no text found:") and reason in result.reason and "\n" not in result.reason


def test_docx_with_no_typed_text_names_the_likely_cause() -> None:
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    result = read_file_bytes(buffer.getvalue(), "scan-pasted.docx", LIMITS)
    assert result.status == NO_TEXT and "pasted-in scans" in (result.reason or "")


def test_text_read_is_status_read() -> None:
    result = read_file_bytes(b"words\n", "a.txt", LIMITS)
    assert result.media_type == TEXT and result.status == READ and result.reason is None


# -- legacy .doc (antiword) -----------------------------------------------------------------------

needs_antiword = pytest.mark.skipif(
    __import__("shutil").which("antiword") is None, reason="antiword is not installed (make install)"
)


def make_doc(paragraphs: list[str], encrypted: bool = False, piece_fc: int | None = None) -> bytes:
    """A minimal Word 97 file: a header (FIB), the text in cp1252, and a one-piece piece table."""
    from extract_msg import OleWriter

    text = "\r".join(paragraphs) + "\r"
    body = text.encode("cp1252")
    fib = bytearray(1024)
    struct.pack_into("<HHHHH", fib, 0, 0xA5EC, 0x00C1, 0, 0x0409, 0)  # wIdent, nFib 97, lid en-US
    struct.pack_into("<H", fib, 0x0A, 0x0200 | (0x0100 if encrypted else 0))  # 1Table; fEncrypted
    struct.pack_into("<H", fib, 0x0C, 0x00BF)
    struct.pack_into("<II", fib, 0x18, 0x400, 0x400 + len(body))  # fcMin, fcMac
    struct.pack_into("<H", fib, 0x20, 14)
    struct.pack_into("<H", fib, 0x3E, 22)
    struct.pack_into("<II", fib, 0x40, 0x400 + len(body), 0)  # cbMac
    struct.pack_into("<I", fib, 0x4C, len(text))  # ccpText
    struct.pack_into("<H", fib, 0x98, 93)
    fc = piece_fc if piece_fc is not None else (0x400 * 2) | 0x40000000  # compressed (8-bit) text at 0x400
    plc = struct.pack("<II", 0, len(text)) + struct.pack("<HIH", 0, fc, 0)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    # An empty style sheet: Word always writes one, and antiword reads uninitialised memory
    # (crashing about one run in three) when it is missing.
    styles = struct.pack("<H", 18) + struct.pack("<9H", 0, 10, 1, 0x5B, 0, 0, 0, 0, 0)
    struct.pack_into("<II", fib, 0x1A2, 0, len(clx))  # fcClx, lcbClx in the table stream
    struct.pack_into("<II", fib, 0xA2, len(clx), len(styles))  # fcStshf, lcbStshf
    writer = OleWriter()
    writer.addEntry("WordDocument", (bytes(fib) + body).ljust(4096, b"\0"))
    writer.addEntry("1Table", (clx + styles).ljust(4096, b"\0"))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@needs_antiword
def test_doc_is_read_through_antiword() -> None:
    data = make_doc(["Statement of Zoë Kowalski.", "I saw PC 4412 Hassan Ali at 9pm."])
    assert detect(data, "statement.doc") == DOC and detect(data, "statement") == DOC
    result = read_file_bytes(data, "statement.doc", LIMITS)
    assert result.media_type == DOC and result.status == READ
    assert result.text == "Statement of Zoë Kowalski.\nI saw PC 4412 Hassan Ali at 9pm."


def test_doc_hostile_files_are_refused() -> None:
    assert "password-protected" in refused(Encrypted, make_doc(["secret"], encrypted=True), "locked.doc")
    data = make_doc(["x"])
    refused(IntakeError, data[:1500], "cut.doc")
    refused(UnsupportedFormat, OLE_MAGIC + b"\0" * 2048, "old.doc")
    assert "'.doc'" in refused(UnsupportedFormat, b"plain words", "fake.doc")


@needs_antiword
def test_doc_with_a_piece_pointing_outside_the_file_fails_alone() -> None:
    # The piece table claims the text lies 1 GB into a 4 KB stream: refused or read empty, never a crash.
    data = make_doc(["x" * 50], piece_fc=(0x20000000 * 2) | 0x40000000)
    try:
        result = read_file_bytes(data, "crafted.doc", LIMITS)
    except IntakeError as err:
        assert "\n" not in str(err)
    else:
        assert result.status in (READ, NO_TEXT) and "x" * 50 not in result.text


def test_doc_without_antiword_is_a_clear_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    from casetrail.intake import doc

    monkeypatch.setattr(doc.shutil, "which", lambda _: None)
    assert "apt-get install antiword" in refused(UnsupportedFormat, make_doc(["x"]), "a.doc")
