"""The Simplified Chinese catalogue is complete, and the committed .mo matches the .po."""

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def po_entries() -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) for every entry but the header.

    A msgid with a context (msgctxt, e.g. month names on chart axes) is keyed as gettext keys
    it in the compiled catalogue: "context\x04msgid".
    """
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        lines = block.splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        context = "".join(re.findall(r'^(?:msgctxt )?"(.*)"$', _section(lines, "msgctxt "), re.M))
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', _section(lines, "msgid "), re.M))
        if msgid and context:
            msgid = f"{context}\x04{msgid}"
        msgstr_lines = _section(lines, "msgstr")
        msgstr = "".join(re.findall(r'^(?:msgstr(?:\[0\])? )?"(.*)"$', msgstr_lines, re.M))
        if msgid:
            entries.append((unescape(msgid), unescape(msgstr), fuzzy))
    return entries


def _section(lines: list[str], keyword: str) -> str:
    """The lines of one keyword (msgid or msgstr) with their continuation lines."""
    taken, inside = [], False
    for line in lines:
        if line.startswith(keyword):
            inside = True
        elif not line.startswith('"'):
            inside = False
        if inside:
            taken.append(line)
    return "\n".join(taken)


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 50
    assert [msgid for msgid, msgstr, _ in entries if not msgstr] == []
    assert [msgid for msgid, _, fuzzy in entries if fuzzy] == []


def test_the_compiled_catalogue_is_up_to_date_with_the_po_file():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, msgstr, _ in po_entries()
        if "%(counter)s" not in msgid and catalogue.gettext(msgid) != msgstr
    ]
    assert stale == [], "run `make messages` to recompile django.mo"
