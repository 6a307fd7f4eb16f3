"""The evidence upload check: allowed types with realistic first bytes are accepted with the
content type we serve back; disguised, binary, unknown, empty and oversized files are refused."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import ALLOWED, EvidenceTooLarge, allowed_extensions, check_upload, max_megabytes


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>Policy</w:p></w:body></w:document>")
    return buffer.getvalue()


def pcap_bytes(magic: int = 0xA1B2C3D4) -> bytes:
    # global header (little-endian: the magic reads d4 c3 b2 a1) + one 60-byte Ethernet frame
    header = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, 1)
    packet = struct.pack("<IIII", 1700000000, 0, 60, 60) + b"\x00" * 60
    return header + packet


def pcapng_bytes() -> bytes:
    # Section Header Block: type, length, byte-order magic, version 1.0, section length -1, length again
    body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    length = 12 + len(body)
    return struct.pack("<II", 0x0A0D0D0A, length) + body + struct.pack("<I", length)


def png_bytes() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + b"\x00" * 4


def tar_bytes() -> bytes:
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        data = b"hello"
        info = tarfile.TarInfo("notes.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def file_error(excinfo: pytest.ExceptionInfo[Any]) -> str:
    return " ".join(excinfo.value.message_dict["file"])


ACCEPTED = [
    ("audit.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"),
    ("OLD.PDF", b"%PDF-1.4\n", "application/pdf"),
    ("network.png", png_bytes(), "image/png"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    ("policy.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, "application/msword"),
    ("capture.pcap", pcap_bytes(), "application/vnd.tcpdump.pcap"),
    (
        "capture-be.pcap",
        pcap_bytes().replace(b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", 1),
        "application/vnd.tcpdump.pcap",
    ),
    ("capture-ns.cap", pcap_bytes(0xA1B23C4D), "application/vnd.tcpdump.pcap"),
    ("capture.pcapng", pcapng_bytes(), "application/x-pcapng"),
    ("assets.csv", "tag;name;firmware\nPLC-1;Pumpe Süd;v2.1\n".encode(), "text/csv"),
    ("syslog.log", b"Jan  1 00:00:00 fw1 kernel: DROP IN=eth0\n", "text/plain"),
    ("rules.json", b'{"rules": []}', "application/json"),
    ("bundle.zip", docx_bytes(), "application/zip"),
    ("logs.tar.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 16, "application/gzip"),
    ("backup.tar", tar_bytes(), "application/x-tar"),
    ("diagram.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16, "image/webp"),
]


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_allowed_kinds_are_accepted(name: str, content: bytes, content_type: str) -> None:
    file = upload(name, content, "application/x-msdownload")  # the browser's claim is ignored
    assert check_upload(file) == content_type
    assert file.tell() == 0  # left ready to be hashed and stored


REFUSED = [
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00", "not accepted"),
    ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "looks like a program"),
    ("report.docx", b"\x7fELF\x02\x01\x01\x00", "looks like a program"),
    ("install.pdf", b"#!/bin/sh\nrm -rf /\n", "looks like a program"),
    ("assets.csv", b"tag,name\nPLC-1,\x00\x00\x00\x00\n", "binary"),
    ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "binary"),
    ("network.png", b"GIF89a\x01\x00\x01\x00", "does not match"),
    ("network.png", b"%PDF-1.7\n", "does not match"),
    ("policy.docx", b"<html><body>not a zip</body></html>", "does not match"),
    ("capture.pcap", b"\x0a\x0d\x0d\x0a" + b"\x00" * 24, "does not match"),
    ("backup.tar", b"x" * 600, "does not match"),
    ("sound.webp", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 16, "does not match"),
    ("README", b"plain text without an extension\n", "(none)"),
    ("archive.rar", b"Rar!\x1a\x07\x00", "not accepted"),
    ("page.html", b"<html></html>", "not accepted"),
    ("script.js", b"alert(1)", "not accepted"),
    ("empty.pdf", b"", "empty"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED, ids=[f"{r[0]}-{r[2]}" for r in REFUSED])
def test_refused(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        check_upload(upload(name, content))
    assert not isinstance(excinfo.value, EvidenceTooLarge)
    assert message in file_error(excinfo)


def test_over_the_size_limit(settings: Any) -> None:
    settings.EVIDENCE_MAX_BYTES = 2048
    at_limit = upload("big.pdf", b"%PDF-1.7\n" + b"x" * (2048 - 9))
    assert at_limit.size == 2048
    assert check_upload(at_limit) == "application/pdf"
    with pytest.raises(EvidenceTooLarge) as excinfo:
        check_upload(upload("big.pdf", b"%PDF-1.7\n" + b"x" * 2048))
    assert "limited to" in file_error(excinfo)
    # the size is checked before anything else, whatever the type
    with pytest.raises(EvidenceTooLarge):
        check_upload(upload("setup.exe", b"MZ" * 2000))


def test_size_limit_message(settings: Any) -> None:
    settings.EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
    assert max_megabytes() == 5.0
    with pytest.raises(EvidenceTooLarge) as excinfo:
        check_upload(upload("big.pdf", b"%PDF-1.7\n" + b"x" * (6 * 1024 * 1024)))
    assert file_error(excinfo) == "The file is 6.0 MB; evidence files are limited to 5 MB."


def test_the_allow_list() -> None:
    assert allowed_extensions() == sorted(ALLOWED)
    assert {".pdf", ".png", ".docx", ".xlsx", ".pcap", ".pcapng", ".csv", ".txt"} <= set(ALLOWED)
    assert not {".exe", ".dll", ".js", ".html", ".svg", ".bat", ".ps1", ".sh"} & set(ALLOWED)
    assert all(ext == ext.lower() and ext.startswith(".") for ext in ALLOWED)
