"""One strict reader for uploaded Excel workbooks (.xlsx), shared by every upload.

An upload is checked before openpyxl sees it: its size (at most max_bytes), that it is a zip
at all, that the zip's declared uncompressed sizes stay under MAX_UNCOMPRESSED_BYTES in total
with no part inflating more than MAX_RATIO times (a zip bomb), that it holds no macros
(vbaProject.bin or a macro-enabled content type) and no external links (xl/externalLinks/).
Python's zipfile never inflates a part past its declared size, so the declared sizes bound
the memory openpyxl can use. The workbook is then opened in read_only mode with
data_only=False, so a formula stays a formula that the caller refuses cell by cell.
Before openpyxl reads a sheet, each worksheet's XML is streamed through expat (no tree kept)
to bound the cells openpyxl would look at: the sheet's declared dimensions, the cells of any
one row (MAX_CELLS_PER_ROW) and the cells of the whole workbook (MAX_CELLS). openpyxl parses
every cell of a row even when asked for a few columns, so one row of millions of cells cost
a minute and a gigabyte before this check; it is now refused after MAX_CELLS_PER_ROW cells.
Every problem raises UploadError with a message for the person who uploaded the file.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from openpyxl.utils.exceptions import InvalidFileException

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # a part bigger than RATIO_FREE_BYTES may inflate at most this many times
RATIO_FREE_BYTES = 1024 * 1024
MAX_PARTS = 1000
NOT_A_WORKBOOK = (
    "The file is not a workbook this service can read: it must be an Excel workbook (.xlsx) as Excel saves it"
)
MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "application/vnd.ms-office.activex")
# Cells openpyxl may look at. Our uploads have 2 (a return) and 9 (clients) columns and at
# most a few thousand rows; these leave room for a sheet Excel has formatted around them.
MAX_CELLS_PER_ROW = 1_000
MAX_CELLS = 250_000  # in all the sheets of a workbook
MAX_DECLARED_COLUMNS = 1_000
MAX_DECLARED_ROWS = 100_000
_READ_CHUNK = 64 * 1024
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
TIDY_THE_SHEET = (
    "delete everything outside the table (select the empty rows and columns, Delete) and upload it again"
)


class UploadError(Exception):
    """The uploaded file cannot be used; str(error) says why, in the user's words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:,.0f} KB"


def read_bounded(file_storage, max_bytes: int) -> bytes:
    """The uploaded bytes, reading at most one byte past the limit."""
    if file_storage is None or not getattr(file_storage, "filename", ""):
        raise UploadError("Select an Excel workbook (.xlsx) to upload")
    if not file_storage.filename.lower().endswith(".xlsx"):
        raise UploadError(
            "The file must be an Excel workbook (.xlsx); a file with macros (.xlsm), "
            "a CSV or an old .xls file cannot be uploaded"
        )
    content = file_storage.stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise UploadError(f"The file must be smaller than {size_text(max_bytes)}")
    return content


def check_zip(content: bytes) -> None:
    """Refuse anything that is not a plain, modest .xlsx package, before it is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError(NOT_A_WORKBOOK) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise UploadError(NOT_A_WORKBOOK)
        if sum(part.file_size for part in parts) > MAX_UNCOMPRESSED_BYTES:
            raise UploadError(
                f"The workbook is too big once opened (more than "
                f"{size_text(MAX_UNCOMPRESSED_BYTES)}); upload a smaller one"
            )
        for part in parts:
            if part.flag_bits & 0x1:
                raise UploadError("The file is password-protected; remove the password and upload it again")
            if part.file_size > RATIO_FREE_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                raise UploadError(
                    "The file expands to far more than its size (it may be a zip bomb); "
                    "upload the workbook as Excel saves it"
                )
        names = [part.filename.lower() for part in parts]
        if any(name.endswith("vbaproject.bin") or "activex" in name for name in names):
            raise UploadError(
                "The workbook contains macros; save it as an Excel Workbook (.xlsx) "
                "without macros and upload it again"
            )
        if any(name.startswith("xl/externallinks/") for name in names):
            raise UploadError(
                "The workbook links to other files (external links); remove the links "
                "(Data, Edit Links, Break Link) and upload it again"
            )
        if "[content_types].xml" not in names:
            raise UploadError(NOT_A_WORKBOOK)
        content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
        if any(kind in content_types for kind in MACRO_CONTENT_TYPES):
            raise UploadError(
                "The workbook contains macros; save it as an Excel Workbook (.xlsx) "
                "without macros and upload it again"
            )
        check_cells(archive)


class _TooManyCells(Exception):
    pass


class _CellCounter:
    """Counts a worksheet's cells as expat streams it; stops at the first bound passed."""

    def __init__(self, cells_before: int):
        self.cells = cells_before
        self.row_cells = 0
        self.row_number = "1"
        self.problem: str | None = None

    def start(self, name: str, attributes: dict) -> None:
        tag = name.rsplit(" ", 1)[-1]
        if tag == "c":
            self.row_cells += 1
            self.cells += 1
            if self.row_cells > MAX_CELLS_PER_ROW:
                self.stop(f"Row {self.row_number} has more than {MAX_CELLS_PER_ROW:,} cells")
            if self.cells > MAX_CELLS:
                self.stop(f"The workbook has more than {MAX_CELLS:,} cells")
        elif tag == "row":
            self.row_cells = 0
            self.row_number = str(attributes.get("r", ""))[:8] or self.row_number
        elif tag == "dimension":
            self.check_dimension(str(attributes.get("ref", "")))

    def check_dimension(self, ref: str) -> None:
        """The used range a sheet declares, like A1:I2001: refused when it is far too big."""
        last = ref.split(":")[-1].upper()
        match = _CELL_REF.match(last)
        if not match:
            return  # a missing or odd dimension: the counting above still bounds the cells
        columns, rows = column_index_from_string(match.group(1)), int(match.group(2))
        if columns > MAX_DECLARED_COLUMNS or rows > MAX_DECLARED_ROWS or columns * rows > 4 * MAX_CELLS:
            self.stop(f"A sheet reaches as far as cell {last}")

    def stop(self, problem: str) -> None:
        self.problem = problem
        raise _TooManyCells


def check_cells(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose worksheets hold more cells than an upload can need, streaming
    each sheet's XML without building it (memory stays at one read chunk)."""
    cells = 0
    for part in archive.infolist():
        name = part.filename.lower()
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        counter = _CellCounter(cells)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = counter.start
        try:
            with archive.open(part) as stream:
                while chunk := stream.read(_READ_CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except _TooManyCells:
            raise UploadError(f"{counter.problem}; {TIDY_THE_SHEET}") from None
        except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise UploadError(NOT_A_WORKBOOK) from None
        cells = counter.cells


def open_workbook_safely(file_storage, max_bytes: int):
    """An openpyxl workbook (read_only, formulas kept) from an upload, or UploadError.

    The caller closes it (workbook.close()) when done."""
    content = read_bounded(file_storage, max_bytes)
    return open_bytes_safely(content)


def open_bytes_safely(content: bytes):
    check_zip(content)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        TypeError,
        OSError,
        SyntaxError,
    ):  # a damaged part inside a valid zip (XML errors are SyntaxErrors)
        raise UploadError(NOT_A_WORKBOOK) from None


def rows_within(rows: Iterator, max_rows: int, what: str) -> Iterator:
    """Yield rows from an iterator, refusing (UploadError) once there are more than max_rows."""
    for count, row in enumerate(rows, start=1):
        if count > max_rows:
            raise UploadError(
                f"{what} has more than {max_rows:,} rows; upload at most {max_rows:,} rows at a time"
            )
        yield row
