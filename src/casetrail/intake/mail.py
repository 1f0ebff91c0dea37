"""E-mail (.eml): the envelope headers and body as text; attachments handed back as files.

Attachments are not read here: the pipeline records each as a document of its own (with this
e-mail as its parent), so a PDF attached to a complaint gets its own hash and receipt. A
forwarded message (message/rfc822 part) is an attachment too, which is how e-mail nesting
reaches the pipeline's max_depth check instead of recursing here. RFC 2046 forbids encoding an
attached message, but clients base64 (or quoted-printable) encode them anyway: those are decoded
back to the message's own bytes.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import quopri
import re
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import cast

from casetrail.errors import Hostile, Malformed, TooLarge
from casetrail.intake.html import html_to_text
from casetrail.intake.limits import Limits
from casetrail.intake.sniff import EML
from casetrail.intake.text import charset_codec, decode_text, normalise_newlines
from casetrail.model.document import Attachment, ReadResult

_HEADERS = ("From", "To", "Cc", "Date", "Subject")  # Cc too: who was told matters to a case
_MAX_MIME_DEPTH = 50  # multipart inside multipart; real mail uses three or four levels
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # how the parser keeps undecodable header bytes
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


def read(data: bytes, name: str, limits: Limits) -> ReadResult:
    # policy.default builds EmailMessage objects (get_body, decoded headers), never plain Message.
    message = cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(data))
    if not message.keys():
        raise Malformed("not an e-mail: no headers found")

    lines = []
    for header in _HEADERS:
        value = _header(message, header)
        if value:
            lines.append(f"{header}: {value}")

    body = _body_part(message)
    texts: list[str] = []
    attachments: list[Attachment] = []
    for part, alternative_to_body in _leaves(message):
        if part is body or (alternative_to_body and _is_text(part) and not _is_attachment(part)):
            continue  # the body, or another rendering of it (the HTML of a plain-text body)
        if _is_text(part) and not _is_attachment(part):
            texts.append(_part_text(part, limits))  # inline text around attachments belongs to the body
            continue
        if len(attachments) >= limits.max_attachments:
            raise TooLarge(f"e-mail has more than {limits.max_attachments} attachments")
        attachments.append(Attachment(_attachment_name(part, len(attachments) + 1), _payload(part)))
    if body is not None:
        texts.insert(0, _part_text(body, limits))

    text = "\n".join(lines) + "\n\n" + "\n\n".join(t for t in texts if t.strip())
    return ReadResult(
        text=text.rstrip("\n") + "\n",
        media_type=EML,
        title=_header(message, "Subject") or None,
        attachments=tuple(attachments),
    )


def _header(message: Message, name: str) -> str:
    """A header's decoded value on one line ('' if absent or undecodable)."""
    raw = next((str(v) for k, v in message.raw_items() if k.lower() == name.lower()), "")
    try:
        value = message.get(name)
        text = str(value) if value is not None else ""
    except Exception:  # a header that does not parse is kept as written, not lost
        text = raw
    if "\ufffd" in text and _ESCAPED_BYTE.search(raw):
        # Raw 8-bit header from an old client (latin-1/cp1252): decode it as we decode text files.
        text = _decode(raw.encode("ascii", errors="surrogateescape"), None)
    return " ".join(text.split())


def _body_part(message: EmailMessage) -> EmailMessage | None:
    try:
        return message.get_body(preferencelist=("plain", "html"))  # type: ignore[return-value]
    except Exception:
        return None


def _leaves(message: Message) -> list[tuple[Message, bool]]:
    """Non-multipart parts in order, each with whether it sits in a multipart/alternative.

    Iterative and bounded: nesting depth is up to whoever wrote the message. Attached messages
    (message/rfc822) are leaves; they are not descended into.
    """
    leaves: list[tuple[Message, bool]] = []
    stack: list[tuple[Message, int, bool]] = [(message, 0, False)]
    while stack:
        part, depth, in_alternative = stack.pop()
        if depth > _MAX_MIME_DEPTH:
            raise Hostile(f"e-mail MIME parts nested more than {_MAX_MIME_DEPTH} levels deep")
        if part.get_content_maintype() == "multipart":
            children = part.get_payload()
            if isinstance(children, list):
                alternative = in_alternative or part.get_content_subtype() == "alternative"
                stack.extend((child, depth + 1, alternative) for child in reversed(children))
            continue
        leaves.append((part, in_alternative))
    return leaves


def _is_text(part: Message) -> bool:
    return part.get_content_type() in ("text/plain", "text/html")


def _is_attachment(part: Message) -> bool:
    return part.get_content_disposition() == "attachment" or bool(_filename(part))


def _filename(part: Message) -> str | None:
    try:
        return part.get_filename()
    except Exception:
        return None


def _part_text(part: Message, limits: Limits) -> str:
    raw = _payload(part)
    charset = part.get_content_charset()
    if part.get_content_type() == "text/html":
        return html_to_text(raw, limits, declared_encoding=charset)[0]
    return normalise_newlines(_decode(raw, charset).replace("\x00", "")).strip("\n")


def _decode(raw: bytes, charset: str | None) -> str:
    codec = charset_codec(charset)
    if codec is not None:
        try:
            return raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass  # mislabelled: fall back to what the bytes say
    try:
        return decode_text(raw)
    except Malformed:
        return raw.decode("utf-8", errors="replace")


def _payload(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        encoded = _encoded_message(part)
        if encoded is not None:
            return encoded
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            # Re-serialised, as the parser keeps no raw copy; compat32 writes headers as received.
            for serialise_with in (policy.compat32, policy.default):
                try:
                    return inner[0].as_bytes(policy=serialise_with)
                except Exception:
                    continue
            raise Malformed("an attached e-mail cannot be extracted")
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("utf-8", errors="replace") if isinstance(payload, str) else b""


def _encoded_message(part: Message) -> bytes | None:
    """An attached message sent base64 or quoted-printable encoded, decoded; None if sent plain.
    The parser took the encoded text for a message without headers, so its text is that body."""
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    inner = part.get_payload()
    if encoding not in ("base64", "quoted-printable") or not (isinstance(inner, list) and inner):
        return None
    try:
        raw = inner[0].as_bytes(policy=policy.compat32)
    except Exception:
        raise Malformed("an attached e-mail cannot be extracted") from None
    if encoding == "quoted-printable":
        return quopri.decodestring(raw.lstrip(b"\r\n"))
    try:
        return base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("an attached e-mail is marked base64 but does not decode") from None


def _attachment_name(part: Message, number: int) -> str:
    """The file name the sender gave, made safe: no folders, no control characters."""
    given = _filename(part) or ""
    given = _UNSAFE_NAME.sub("", re.split(r"[\\/]", given)[-1]).strip().lstrip(".")[:200]
    if given:
        return given
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        return f"attachment-{number}.eml"
    return f"attachment-{number}{mimetypes.guess_extension(content_type) or '.bin'}"
