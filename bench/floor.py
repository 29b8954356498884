"""The floor for the pages: the same HTML, saved by bench/run.py, served by the same gunicorn.

`gunicorn -c config/gunicorn.conf.py bench.floor:app` with FLOOR_DIR naming the folder that
holds one file per page (bench/run.py writes them and an index.json mapping each path to its
file). Each answer is the saved bytes with the headers the application's pages carry
(no-store, the content type), so page time / floor time says what the application adds
beyond the HTTP server, the network stack and the client.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FOLDER = Path(os.environ.get("FLOOR_DIR", "."))
INDEX = json.loads((FOLDER / "index.json").read_text()) if (FOLDER / "index.json").exists() else {}
PAGES = {path: (FOLDER / name).read_bytes() for path, name in INDEX.items()}


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    query = environ.get("QUERY_STRING", "")
    body = PAGES.get(f"{path}?{query}" if query else path)
    if body is None:
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return [b"not found"]
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]
