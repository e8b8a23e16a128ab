"""Small, real files to attach: a PDF document and a PNG picture, made here, byte-identical on
every run (no binary blobs in the repository, nothing downloaded).

They are valid files, not stand-ins: a PDF viewer opens the PDF (PDF 1.4: a catalog, one
page, a Helvetica text and a cross-reference table whose offsets are counted, not guessed)
and an image viewer shows the PNG (PNG: the signature, IHDR, one zlib-compressed IDAT and
IEND, each chunk with its CRC-32).  Attached to a message they travel in base64
(RFC 2045 §6.8), which is the point: binary octets on a text-only channel.
"""
from __future__ import annotations

import struct
import zlib


def tiny_pdf(text: str = "mailsim") -> bytes:
    """A one-page PDF 1.4 document showing ``text`` (ASCII) in Helvetica."""
    if not text.isascii():
        raise ValueError("the PDF's standard font writes ASCII only")
    shown = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 24 Tf 72 720 Td ({shown}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
         b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")     # 8-bit comment: "this is binary"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png(width: int = 96, height: int = 64) -> bytes:
    """An RGB PNG picture ``width``×``height``: a sky-to-sea gradient with a sun."""
    if not (0 < width <= 2048 and 0 < height <= 2048):
        raise ValueError("the picture is 1 to 2048 pixels each way")
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")                  # filter type 0: the row as it is
        for x in range(width):
            sun = (x - width * 0.7) ** 2 + (y - height * 0.3) ** 2 < (height * 0.15) ** 2
            if sun:
                row += bytes((250, 200, 40))
            elif y < height // 2:
                row += bytes((90 + y, 150 + y // 2, 230))
            else:
                row += bytes((20, 80 + (x * 40) // width, 140 + (y * 60) // height))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b""))
