"""Unix mailboxes (mbox): each message becomes a child document, read as an .eml.

Thunderbird, Apple Mail, Google Takeout and most forensic mail exports write mbox. A message
starts at a "From " line at the start of the file or after a blank line; body lines that
themselves begin "From " were written as ">From " and are given back their own text (the
mboxrd convention, which also reverses mboxo quoting for all but lines that began ">From ").
The mailbox's own text is an index of its messages (date, sender, subject), so the parent
document is useful on its own and says how many messages it held.
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesHeaderParser

from casetrail.errors import Malformed, TooLarge
from casetrail.intake.limits import Limits
from casetrail.intake.reading import Reading
from casetrail.intake.sniff import MBOX
from casetrail.model.document import Attachment

_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_INDEX_FIELDS = ("Date", "From", "Subject")


def read(data: bytes, name: str, limits: Limits) -> Reading:
    messages = split(data, limits)
    if not messages:
        raise Malformed('not an mbox mailbox: it does not start with a "From " separator line')
    children = tuple(Attachment(f"message-{n:05d}.eml", body) for n, body in enumerate(messages, start=1))
    index = [f"{n}. {_summary(body)}" for n, body in enumerate(messages, start=1)]
    text = f"Mailbox of {len(messages):,} message(s)\n\n" + "\n".join(index)
    return Reading(text=text, media_type=MBOX, attachments=children)


def split(data: bytes, limits: Limits) -> list[bytes]:
    """The messages' bytes, envelope lines removed and From-quoting undone."""
    data = data.replace(b"\r\n", b"\n")
    if not data.startswith(b"From "):
        return []
    starts = [0] + [m.start() + 2 for m in re.finditer(rb"\n\nFrom ", data)]
    if len(starts) > limits.max_messages:
        raise TooLarge(
            f"mailbox holds more than {limits.max_messages:,} messages; the limit is {limits.max_messages:,}"
        )
    messages = []
    for begin, end in zip(starts, starts[1:] + [len(data)]):
        chunk = data[begin:end]
        _, newline, message = chunk.partition(b"\n")
        message = _QUOTED_FROM.sub(rb"\1", message.rstrip(b"\n")) + b"\n"
        if newline and message.strip():
            messages.append(message)
    return messages


def _summary(message: bytes) -> str:
    try:
        headers = BytesHeaderParser(policy=policy.default).parsebytes(message)
    except Exception:  # an index line is a courtesy; the message itself is read on its own
        return "(headers unreadable)"
    parts = []
    for field in _INDEX_FIELDS:
        try:
            value = " ".join(str(headers.get(field, "") or "").split())
        except Exception:
            value = ""
        parts.append(value or "-")
    return " | ".join(parts)
