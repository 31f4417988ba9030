"""China's unified social credit code (统一社会信用代码), checked by GB 32100-2015.

18 characters from a 31-character alphabet (the digits and the capitals without I, O, Z, S
and V): registration authority (1), organisation type (1), administrative division (6
digits), organisation code (9, the old GB 11714 code with its own check character) and a
check character computed over the first 17 with the weights 3^i mod 31.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# The SQL check constraint's pattern (the same shape, for every path that writes).
SQL_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


def normalise(code: str) -> str:
    """Capitals, no spaces or hyphens: how codes are printed on licences and typed."""
    return re.sub(r"[\s\-]", "", code or "").upper()


def check_character(first_17: str) -> str:
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first_17, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def province_code(code: str) -> str:
    """The first two digits of the administrative division: 13 is Hebei."""
    return code[2:4]


def validate_credit_code(value: str) -> None:
    """Raise ValidationError naming what is wrong with a unified social credit code."""
    code = normalise(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; %(code)s has %(count)s.")
            % {"code": code, "count": len(code)},
            code="length",
        )
    if not SHAPE.match(code):
        bad = sorted({char for char in code if char not in ALPHABET})
        if bad:
            message = _(
                "%(code)s contains %(chars)s, which unified social credit codes never use "
                "(no I, O, Z, S or V)."
            ) % {"code": code, "chars": ", ".join(bad)}
        else:
            message = _(
                "%(code)s: characters 3 to 8 are the administrative division code and must be "
                "digits."
            ) % {"code": code}
        raise ValidationError(message, code="shape")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "%(code)s fails the GB 32100 check: its last character should be %(expected)s. "
                "Check the code on the business licence."
            )
            % {"code": code, "expected": expected},
            code="checksum",
        )
