"""Issue 11, item 7: a forwarded e-mail whose attached message is base64 (or quoted-printable)
encoded, outside RFC 2046 but common, keeps the attached message."""

from __future__ import annotations

import base64
import json
import quopri
from pathlib import Path

import pytest

from tests.faults.conftest import cli

INNER = (
    b"From: Mira Castell <mira@example.org>\r\nTo: desk@example.org\r\nSubject: What I saw\r\n"
    b"Date: Tue, 4 Mar 2025 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    b"I saw the grey van outside Hollins House on Friday night \xe2\x80\x94 twice.\r\n"
)


def forwarded(encoding: str) -> bytes:
    body = base64.encodebytes(INNER) if encoding == "base64" else quopri.encodestring(INNER.replace(b"\r\n", b"\n"))
    return (
        b"From: Tomas Brenner <tomas@example.org>\r\nTo: intake@example.org\r\nSubject: Fwd: What I saw\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\nForwarding Mira's account, as she asked.\r\n"
        b"--b1\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: " + encoding.encode() + b"\r\n"
        b'Content-Disposition: attachment; filename="account.eml"\r\n\r\n'
        + body.replace(b"\n", b"\r\n")
        + b"\r\n--b1--\r\n"
    )


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_an_encoded_attached_message_is_recorded(home: Path, tmp_path: Path, encoding: str) -> None:
    mail = tmp_path / "fwd.eml"
    mail.write_bytes(forwarded(encoding))
    result = cli(home, "ingest", mail)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "recorded D-000002" in result.stdout and "fwd.eml/account.eml" in result.stdout
    inner = json.loads(cli(home, "show", "D-000002").stdout)
    assert inner["parent_id"] == "D-000001" and inner["title"] == "What I saw"
    text = cli(home, "show", "D-000002", "--text").stdout
    assert "From: Mira Castell" in text and "grey van outside Hollins House on Friday night \u2014 twice" in text
