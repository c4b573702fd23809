"""An uploaded XLSX is a zip: a few kilobytes can unpack to gigabytes (a "zip bomb"). Its
declared unpacked size is checked before any reader opens it (zipfile never reads past a
member's declared size, so the declaration bounds the memory)."""

from __future__ import annotations

import io
import zipfile

# What an uploaded workbook may unpack to; a 10,000-row export is a few megabytes.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


def too_large(content: bytes) -> str | None:
    """Why the workbook is refused, or None (a file that is not a zip is left to the reader
    to refuse in its own words)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if unpacked > MAX_UNPACKED_BYTES:
        limit = MAX_UNPACKED_BYTES // (1024 * 1024)
        return f"unpacks to more than {limit} MB: save it again without images or extra sheets"
    return None
