"""Zip archives: every member becomes a child document, after the archive has been measured.

The same central-directory checks guard every zip-based format (.docx, .xlsx, .odt and plain
.zip): zipfile never inflates an entry past its declared size, so declared sizes are a
trustworthy bound and a bomb is refused before anything is inflated. A plain archive is
measured through its nested archives too (a zip of zips of zips), against one budget, because
the register unpacks each level in turn and a per-level limit would multiply.

The archive's own text is its listing (path, size, date), so the parent document says what
came in it even where a member is refused.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib

from casetrail.errors import Encrypted, Hostile, Malformed
from casetrail.intake.limits import Limits
from casetrail.intake.reading import Reading
from casetrail.intake.sniff import ZIP
from casetrail.model.document import Attachment

_SMALL_ENTRY = 1024 * 1024  # tiny entries cannot bomb anything, whatever their ratio
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")
# Operating-system litter, not evidence: macOS resource forks and Finder/Explorer caches.
_LITTER = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def entries(data: bytes, limits: Limits, label: str) -> list[zipfile.ZipInfo]:
    """The archive's entries, refused on bombs, encryption and damage before anything inflates.

    `label` names the format in messages (".docx", "zip archive", ...).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception as err:  # zipfile raises BadZipFile, but also OSError/ValueError/EOFError
        raise Malformed(f"damaged {label}: not a valid zip archive") from err
    if len(infos) > limits.max_zip_entries:
        raise Hostile(f"{label} holds {len(infos):,} files; the limit is {limits.max_zip_entries:,}")
    total = sum(info.file_size for info in infos)
    if total > limits.max_unpacked_bytes:
        raise Hostile(
            f"{label} unpacks to {total:,} bytes, over the {limits.max_unpacked_bytes:,}-byte limit (possible zip bomb)"
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise Encrypted(f"{label} contents are zip-encrypted; ask for an unprotected copy")
        # Only stored and deflated entries: zipfile inflates bzip2 and LZMA without a size cap.
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Malformed(
                f"{label}: {info.filename!r} uses a compression method casetrail does not unpack"
                " (bzip2, LZMA or other); re-zip it with standard compression"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _SMALL_ENTRY and ratio > limits.max_compression_ratio:
            raise Hostile(f"{label} entry {info.filename!r} is compressed {ratio:,.0f}:1 (possible zip bomb)")
    return infos


def read_member(data: bytes, info: zipfile.ZipInfo, label: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as err:  # bad CRC, cut-off data
        raise Malformed(f"damaged {label}: {info.filename!r} does not unpack ({_first_line(err)})") from err


def read(data: bytes, name: str, limits: Limits) -> Reading:
    infos = entries(data, limits, "zip archive")
    budget = [limits.max_unpacked_bytes]
    children: list[Attachment] = []
    listing: list[str] = []
    taken: set[str] = set()
    for info in infos:
        path = safe_path(info.filename)
        year, month, day, hour, minute = info.date_time[:5]
        when = f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}"
        if info.is_dir() or not path:
            continue
        if _is_link(info):
            listing.append(f"{path}\t(symbolic link, not taken in)")
            continue
        if _LITTER.search(path):
            continue
        member = read_member(data, info, "zip archive")
        _measure(member, limits, depth=1, budget=budget)
        path = _unique(path, taken)
        children.append(Attachment(path, member))
        listing.append(f"{path}\t{len(member):,} bytes\t{when}")
    text = f"Zip archive of {len(children)} file(s)\n\n" + "\n".join(listing) if listing else ""
    return Reading(text=text, media_type=ZIP, attachments=tuple(children))


def _measure(member: bytes, limits: Limits, depth: int, budget: list[int]) -> None:
    """Charge a nested archive's declared unpacked size to the one budget, all levels down."""
    if not member.startswith(_ZIP_MAGIC):
        return
    if depth > limits.max_depth:
        raise Hostile(f"zip archives nested more than {limits.max_depth} deep (possible zip bomb)")
    try:
        nested = entries(member, limits, "nested zip archive")
    except Malformed:
        return  # a damaged inner archive fails on its own when the register reads it
    budget[0] -= sum(info.file_size for info in nested)
    if budget[0] < 0:
        raise Hostile(
            f"zip archive and the archives inside it unpack to over {limits.max_unpacked_bytes:,} bytes (possible zip bomb)"
        )
    for info in nested:
        if not info.is_dir():
            _measure(read_member(member, info, "nested zip archive"), limits, depth + 1, budget)


def safe_path(given: str) -> str:
    """A member's path as a relative name with no way out: no '..', no root, no control characters."""
    parts = [p for p in re.split(r"[\\/]+", _UNSAFE_NAME.sub("", given)) if p not in ("", ".", "..")]
    return "/".join(part.strip()[:200] for part in parts if part.strip())[:1000]


def _unique(path: str, taken: set[str]) -> str:
    # Two members may have the same name after cleaning ("a/../b" and "b"); both are kept.
    candidate, number = path, 2
    while candidate in taken:
        stem, dot, ext = path.rpartition(".")
        candidate = f"{stem} ({number}).{ext}" if dot and stem else f"{path} ({number})"
        number += 1
    taken.add(candidate)
    return candidate


def _is_link(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
