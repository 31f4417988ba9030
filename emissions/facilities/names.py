"""Names that people enter in two languages, shown in the page's language.

Facilities, targets, reduction initiatives, credit projects and tree planting each carry an
English and a Chinese name: a Chinese page shows the Chinese one, any other page the English
one, and each falls back to the other when it is empty.
"""

from django.utils.translation import get_language


def in_page_language(english: str, chinese: str) -> str:
    """The name in the active language, else the one that is there."""
    if (get_language() or "").lower().startswith("zh"):
        return chinese or english
    return english or chinese
