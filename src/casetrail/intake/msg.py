"""Outlook .msg (extract-msg): the envelope and body as text, attachments handed back as files.

As with .eml, attachments are not read here: each becomes a child document of its own with
its own hash and receipt. An attached Outlook item (a forwarded message) is re-written as a
.msg file of its own, so nesting reaches the register's max_depth check instead of recursing
here. Only the plain-text body is trusted as the author's words; an HTML-only body goes through
the HTML reader, which never runs scripts or fetches anything. extract-msg's insecure features
(external converters, RTF de-encapsulation through a shell) stay off.
"""

from __future__ import annotations

import logging
import re

from casetrail.errors import Encrypted, Malformed, TooLarge, UnsupportedFormat
from casetrail.intake.html import html_to_text
from casetrail.intake.limits import Limits
from casetrail.intake.reading import Reading
from casetrail.intake.sniff import MSG
from casetrail.intake.text import decode_text, normalise_newlines
from casetrail.model.document import Attachment

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")
logging.getLogger("extract_msg").setLevel(logging.CRITICAL)  # it logs every odd property it meets


def read(data: bytes, name: str, limits: Limits) -> Reading:
    message = _open(data)
    try:
        lines = _envelope(message)
        body = _body(message, limits)
        attachments = _attachments(message, limits)
        subject = _clean(_safe(lambda: message.subject))
    finally:
        message.close()
    text = "\n".join(lines) + "\n\n" + body
    return Reading(text=text.rstrip("\n") + "\n", media_type=MSG, title=subject or None, attachments=attachments)


def _open(data: bytes):  # -> extract_msg.MSGFile
    import extract_msg
    from extract_msg.exceptions import (
        InvalidFileFormatError,
        StandardViolationError,
        UnrecognizedMSGTypeError,
    )

    try:
        message = extract_msg.openMsg(data, delayAttachments=True, strict=False)
    except (InvalidFileFormatError, UnrecognizedMSGTypeError) as err:
        raise Malformed(f"not a readable Outlook message ({_first_line(err)})") from err
    except StandardViolationError as err:
        raise Malformed(f"damaged Outlook message ({_first_line(err)})") from err
    except NotImplementedError as err:  # extract-msg's word for encrypted and rights-managed items
        raise Encrypted("encrypted or rights-protected Outlook message; ask for an unprotected copy") from err
    class_type = (_safe(lambda: message.classType) or "").lower()
    # IPM.Note.SMIME is an opaque encrypted envelope; IPM.Note.SMIME.MultipartSigned is readable.
    if class_type.startswith("ipm.note.smime") and not class_type.startswith("ipm.note.smime.multipartsigned"):
        message.close()
        raise Encrypted("S/MIME-encrypted Outlook message; ask for a decrypted copy")
    if class_type.startswith("ipm.note.rpmsg") or "rpmsg" in class_type:
        message.close()
        raise Encrypted("rights-protected (IRM) Outlook message; ask for an unprotected copy")
    return message


def _envelope(message) -> list[str]:
    lines = []
    for label, getter in (
        ("From", lambda: message.sender),
        ("To", lambda: message.to),
        ("Cc", lambda: message.cc),
        ("Date", lambda: _date(message)),
        ("Subject", lambda: message.subject),
    ):
        value = _clean(_safe(getter))
        if value:
            lines.append(f"{label}: {value}")
    return lines


def _date(message) -> str:
    value = message.date
    return value.isoformat(sep=" ") if hasattr(value, "isoformat") else str(value or "")


def _body(message, limits: Limits) -> str:
    plain = _safe(lambda: message.body)
    if isinstance(plain, str) and plain.replace("\x00", "").strip():
        return normalise_newlines(plain.replace("\x00", "")).strip("\n")
    html = _safe(lambda: message.htmlBody)
    if isinstance(html, str):
        html = html.encode("utf-8")
    if isinstance(html, bytes) and html.strip():
        return html_to_text(html, limits)[0]
    return ""


def _attachments(message, limits: Limits) -> tuple[Attachment, ...]:
    from extract_msg.enums import AttachmentType

    try:
        found = list(message.attachments)
    except Exception as err:  # extract-msg raises its own kinds for broken attachment storages
        raise Malformed(f"damaged Outlook message: its attachments cannot be read ({_first_line(err)})") from err
    if len(found) > limits.max_attachments:
        raise TooLarge(f"Outlook message has {len(found)} attachments; the limit is {limits.max_attachments}")
    children: list[Attachment] = []
    for number, attachment in enumerate(found, start=1):
        kind = getattr(attachment, "type", None)
        if kind == AttachmentType.MSG:
            children.append(Attachment(_name(attachment, number, ".msg"), _embedded_bytes(attachment)))
        elif isinstance(getattr(attachment, "data", None), bytes):
            children.append(Attachment(_name(attachment, number, ".bin"), attachment.data))
        elif kind == AttachmentType.WEB:
            continue  # a link to a file in the cloud: nothing was attached, the link is in the body
        else:
            raise UnsupportedFormat(f"Outlook message attachment {number} is of a kind casetrail cannot extract")
    return tuple(children)


def _embedded_bytes(attachment) -> bytes:
    try:
        return bytes(attachment.data.exportBytes())
    except Exception as err:
        raise Malformed(f"an attached Outlook item cannot be extracted ({_first_line(err)})") from err


def _name(attachment, number: int, default_ext: str) -> str:
    """The file name the sender gave, made safe: no folders, no control characters."""
    given = ""
    for attr in ("longFilename", "shortFilename", "displayName", "name"):
        value = _safe(lambda: getattr(attachment, attr))
        if isinstance(value, str) and value.strip("\x00 "):
            given = value
            break
    given = _UNSAFE_NAME.sub("", re.split(r"[\\/]", given)[-1]).strip().lstrip(".")[:200]
    if given and (default_ext != ".msg" or given.lower().endswith(".msg")):
        return given
    return f"{given or f'attachment-{number}'}{default_ext}"


def _safe(getter):
    """A property, or None when extract-msg cannot decode it: one bad field must not lose the rest."""
    try:
        return getter()
    except Exception:
        return None


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = _decoded(value)
    return " ".join(str(value).replace("\x00", "").split())


def _decoded(raw: bytes) -> str:
    try:
        return decode_text(raw)
    except Exception:  # binary junk in a text property: keep what can be read
        return raw.decode("utf-8", errors="replace")


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
