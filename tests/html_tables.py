"""Read a page's tables back out of its HTML, for tests.

The dashboard writes its tables with templates/dashboard/_table.html: a <table id="table-NAME">
with a <thead>, a <tbody> and maybe a <tfoot>, rows of <th>/<td> cells, a cell's figure or name
perhaps inside an <a href>. `page_tables` reads every table of a page that has an id,
`page_table` the one named; each cell is its text (entities decoded, stripped of surrounding
whitespace) and the link inside it, or "" for none.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import NamedTuple


class Cell(NamedTuple):
    """A table cell: its text and the href of the link inside it ("" if none).

    A tuple, so a cell equals `("6.5", "/ledger/?…")` and unpacks as `text, href`.
    """

    text: str
    href: str = ""


Row = list[Cell]


@dataclass
class ParsedTable:
    """One <table> of a page: its header, body and footer rows, in the page's order."""

    head: list[Row] = field(default_factory=list)
    body: list[Row] = field(default_factory=list)
    foot: list[Row] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        """The texts of the header row; the table must have exactly one."""
        assert len(self.head) == 1, f"{len(self.head)} header rows, not 1"
        return [cell.text for cell in self.head[0]]

    @property
    def all_rows(self) -> list[Row]:
        """All the rows, header, body then footer, as the page shows them."""
        return self.head + self.body + self.foot


class _TableReader(HTMLParser):
    SECTIONS = {"thead": "head", "tbody": "body", "tfoot": "foot"}

    def __init__(self):
        super().__init__()
        self.tables: dict[str, ParsedTable] = {}
        self.table: ParsedTable | None = None  # the table being read, None outside one
        self.depth = 0  # how many <table>s are open (one with no id is not read)
        self.rows: list[Row] | None = None
        self.text: list[str] | None = None  # the open cell's text, None outside a cell
        self.href = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            assert self.depth == 0, "nested tables are not supported"
            self.depth += 1
            table_id = attrs.get("id")
            if table_id is not None:
                assert table_id not in self.tables, f"two tables with id {table_id!r}"
                self.table = self.tables[table_id] = ParsedTable()
                self.rows = self.table.body  # a row outside any section: the body's
        elif self.table is None:
            return
        elif tag in self.SECTIONS:
            self.rows = getattr(self.table, self.SECTIONS[tag])
        elif tag == "tr":
            self.rows.append([])
        elif tag in {"th", "td"}:
            self.text, self.href = [], ""
        elif tag == "a" and self.text is not None and "href" in attrs:
            self.href = attrs["href"]  # the cell's last link, if it has several

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
            self.table = self.rows = self.text = None
        elif self.table is None:
            return
        elif tag in {"th", "td"} and self.text is not None:
            self.rows[-1].append(Cell("".join(self.text).strip(), self.href))
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def page_tables(html: str) -> dict[str, ParsedTable]:
    """Every table of the page that has an id, by id ("table-NAME"), in the page's order."""
    reader = _TableReader()
    reader.feed(html)
    reader.close()
    return reader.tables


def page_table(html: str, name: str) -> ParsedTable:
    """The page's table `name`, i.e. <table id="table-NAME">; the page must have it."""
    tables = page_tables(html)
    assert f"table-{name}" in tables, f"no table-{name} on the page"
    return tables[f"table-{name}"]


def texts(rows: list[Row]) -> list[list[str]]:
    """The rows' cell texts, without the links."""
    return [[cell.text for cell in row] for row in rows]
