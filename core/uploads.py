"""What an evidence upload may be: a size limit and an allow-list of types, checked by extension
and by the file's first bytes (an executable renamed to .pdf is refused)."""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404

from config.downloads import attachment

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
_PCAP = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
TEXT: tuple[bytes, ...] = ()  # any text without NUL bytes

# extension -> (content type served back, accepted leading bytes or TEXT)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".txt": ("text/plain", TEXT),
    ".log": ("text/plain", TEXT),
    ".md": ("text/markdown", TEXT),
    ".csv": ("text/csv", TEXT),
    ".json": ("application/json", TEXT),
    ".xml": ("application/xml", TEXT),
    ".yaml": ("application/yaml", TEXT),
    ".yml": ("application/yaml", TEXT),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".vsdx": ("application/vnd.ms-visio.drawing", _ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".zip": ("application/zip", _ZIP),
    ".7z": ("application/x-7z-compressed", (b"7z\xbc\xaf\x27\x1c",)),
    ".gz": ("application/gzip", (b"\x1f\x8b",)),
    ".tgz": ("application/gzip", (b"\x1f\x8b",)),
    ".tar": ("application/x-tar", None),
    ".pcap": ("application/vnd.tcpdump.pcap", _PCAP),
    ".cap": ("application/vnd.tcpdump.pcap", _PCAP),
    ".pcapng": ("application/x-pcapng", (b"\x0a\x0d\x0d\x0a",)),
}
_EXECUTABLE = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")


class EvidenceTooLarge(ValidationError):
    """An upload over EVIDENCE_MAX_BYTES (HTTP 413)."""


def allowed_extensions() -> list[str]:
    return sorted(ALLOWED)


def max_megabytes() -> float:
    return round(settings.EVIDENCE_MAX_BYTES / (1024 * 1024), 1)


def check_upload(file: UploadedFile) -> str:
    """Refuse a file that is too large or not of an allowed type; return the content type to serve."""
    size = file.size or 0
    if size > settings.EVIDENCE_MAX_BYTES:
        raise EvidenceTooLarge(
            {"file": f"The file is {size / 1048576:.1f} MB; evidence files are limited to {max_megabytes():g} MB."}
        )
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    extension = PurePath(file.name or "").suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(
            {
                "file": f"Files of type {extension or '(none)'} are not accepted; "
                f"allowed: {', '.join(allowed_extensions())}."
            }
        )
    content_type, signatures = ALLOWED[extension]
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if head.startswith(_EXECUTABLE) and extension not in (".txt", ".log", ".md", ".csv"):
        raise ValidationError({"file": "The file looks like a program, not a document; it is refused."})
    if signatures == TEXT and b"\x00" in head:
        raise ValidationError({"file": f"A {extension} file should be text, but this one is binary."})
    if signatures and not head.startswith(signatures):
        raise ValidationError({"file": f"The content of this file does not match its {extension} extension."})
    if extension == ".tar" and head[257:262] != b"ustar":
        raise ValidationError({"file": "The content of this file does not match its .tar extension."})
    # RIFF is only the container (WAV and AVI are RIFF too); WebP names itself at bytes 8-11.
    if extension == ".webp" and head[8:12] != b"WEBP":
        raise ValidationError({"file": "The content of this file does not match its .webp extension."})
    return content_type


def sha256_of(file: UploadedFile) -> str:
    """The SHA-256 of an upload, read in chunks; the file is rewound for whoever stores it next."""
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def evidence_file_response(evidence: Any) -> FileResponse:
    """The one way an evidence file leaves the server (callers have passed the permission door)."""
    if not evidence.file:
        raise Http404(
            f"This evidence is a reference to a document held elsewhere ({evidence.reference}); "
            "there is no file to download."
        )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this evidence is missing from storage.") from exc
    return attachment(
        handle,
        filename=evidence.filename or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
        sha256=evidence.sha256,
    )
