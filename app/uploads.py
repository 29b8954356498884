"""One strict reader for uploaded Excel workbooks (.xlsx), shared by every upload.

An upload is checked before openpyxl sees it: its size (at most max_bytes), that it is a zip
at all, that the zip's declared uncompressed sizes stay under MAX_UNCOMPRESSED_BYTES in total
with no part inflating more than MAX_RATIO times (a zip bomb), that it holds no macros
(vbaProject.bin or a macro-enabled content type) and no external links (xl/externalLinks/).
Python's zipfile never inflates a part past its declared size, so the declared sizes bound
the memory openpyxl can use. The workbook is then opened in read_only mode with
data_only=False, so a formula stays a formula that the caller refuses cell by cell.
Every problem raises UploadError with a message for the person who uploaded the file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # a part bigger than RATIO_FREE_BYTES may inflate at most this many times
RATIO_FREE_BYTES = 1024 * 1024
MAX_PARTS = 1000
NOT_A_WORKBOOK = (
    "The file is not a workbook this service can read: it must be an Excel workbook (.xlsx) as Excel saves it"
)
MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "application/vnd.ms-office.activex")


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
