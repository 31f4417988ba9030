"""Write the demo's sample evidence files: an electricity bill (PDF) and a gas-meter photo (PNG).

They are committed under emissions/evidence/demo_files/; run this again only to change them:

    python3 scripts/make_demo_evidence.py

Both are drawn from scratch with the standard library (no fonts or pictures of anyone else's),
fictional and marked as demo documents, and small (a few KB each). The figures match nothing
in particular: they only have to look like what a plant's staff attach to a record.
"""

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "emissions" / "evidence" / "demo_files"
BILL = "electricity-bill-XT-01-2025-12.pdf"
METER = "gas-meter-XT-01-2025-12.png"

# --- The bill: a one-page PDF in the standard Helvetica font (no font file embedded) ---

BILL_LINES = [
    # (x, y, size, text) in points from the bottom left of an A4 page.
    (56, 780, 18, "DEMO - Electricity bill (fictional)"),
    (56, 756, 10, "Supplier: State Grid Hebei Electric Power (sample layout, not a real bill)"),
    (56, 742, 10, "Customer: Xingtai Kehui - main plant XT-01, Xingtai, Hebei"),
    (56, 728, 10, "Account: 0000-DEMO-0001    Meter: XT01-MAIN-01"),
    (56, 700, 12, "Billing period: 2025-12-01 to 2025-12-31"),
    (56, 660, 10, "Reading              Previous        Current         Multiplier   kWh"),
    (56, 640, 10, "Active energy        1,204,310       1,215,930       40           464,800"),
    (56, 620, 10, "Peak / flat / valley  139,440 / 185,920 / 139,440 kWh"),
    (56, 590, 12, "Electricity used this period: 464,800 kWh"),
    (56, 570, 10, "Amount due: CNY 312,345.60 (demo figure)"),
    (56, 530, 9, "Generated for the Kehui Carbon demo. Not a tax invoice; no real account."),
]


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def bill_pdf() -> bytes:
    content = ["0.2 0.4 0.3 RG 1.5 w 56 720 m 539 720 l S", "56 655 m 539 655 l S"]
    for x, y, size, text in BILL_LINES:
        content.append(f"BT /F1 {size} Tf {x} {y} Td ({_pdf_text(text)}) Tj ET")
    stream = "\n".join(content).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- The meter: a PNG of a gas meter's counter, drawn with rectangles ---

WIDTH, HEIGHT = 360, 240
# Seven-segment digits: which of the segments a b c d e f g each lights.
SEGMENTS = {
    "0": "abcdef", "1": "bc", "2": "abdeg", "3": "abcdg", "4": "bcfg",
    "5": "acdfg", "6": "acdefg", "7": "abc", "8": "abcdefg", "9": "abcdfg",
}  # fmt: skip


class Canvas:
    def __init__(self, width: int, height: int, colour: tuple[int, int, int]):
        self.width, self.height = width, height
        self.pixels = [[colour] * width for _ in range(height)]

    def box(self, x: int, y: int, w: int, h: int, colour: tuple[int, int, int]) -> None:
        for row in range(max(y, 0), min(y + h, self.height)):
            line = self.pixels[row]
            for column in range(max(x, 0), min(x + w, self.width)):
                line[column] = colour

    def digit(self, x: int, y: int, char: str, colour, size: int = 6) -> None:
        """A seven-segment digit, `size` pixels thick, 4×size wide and 7×size tall."""
        w, h = 4 * size, 7 * size
        half = h // 2
        segments = {
            "a": (x, y, w, size),
            "b": (x + w - size, y, size, half),
            "c": (x + w - size, y + half, size, half),
            "d": (x, y + h - size, w, size),
            "e": (x, y + half, size, half),
            "f": (x, y, size, half),
            "g": (x, y + half - size // 2, w, size),
        }
        for name in SEGMENTS[char]:
            self.box(*segments[name], colour)

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(channel for pixel in line for channel in pixel) for line in self.pixels
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def meter_png() -> bytes:
    canvas = Canvas(WIDTH, HEIGHT, (196, 200, 190))  # a grey wall behind the meter
    canvas.box(30, 20, 300, 200, (225, 214, 120))  # the meter's yellow housing
    canvas.box(42, 32, 276, 176, (238, 236, 228))  # its face
    canvas.box(60, 70, 240, 70, (30, 30, 34))  # the counter window
    for index, char in enumerate("0048213"):
        colour = (250, 250, 250) if index < 5 else (220, 40, 40)  # last two wheels: 0.1, 0.01
        canvas.digit(72 + index * 32, 80, char, colour, size=6)
    canvas.box(60, 160, 240, 6, (60, 90, 70))  # a printed stripe under the window
    for index, char in enumerate("2025"):  # the year of the reading, small, bottom right
        canvas.digit(224 + index * 18, 176, char, (60, 60, 60), size=3)
    return canvas.png()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / BILL).write_bytes(bill_pdf())
    (OUT / METER).write_bytes(meter_png())
    for name in (BILL, METER):
        print(f"{OUT / name}: {(OUT / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
