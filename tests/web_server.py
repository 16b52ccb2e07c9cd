"""A real readouts web server on a free localhost port, over a database built from examples/.

Shared by tests/test_web_api.py and tests/test_web_browser.py: the database is ingested with the
real pipeline (``iter_inputs`` + ``pipeline.run`` + ``Store.add_batch`` + ``Store.refresh_links``), plus two hostile
readouts (a .txt and an .html) whose text carries markup that must be shown as inert text.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=\"document.title='pwned'\">"

HOSTILE_TXT = f"""Lin Haoran Meets with Foreign Minister Arvo Tammsaare of Estonia {SCRIPT}
2024-09-03

On September 3, 2024, Foreign Minister Lin Haoran met with Estonian Foreign Minister Arvo Tammsaare in Beijing.

Lin Haoran said that China is ready to work with Estonia on digital trade {SCRIPT} and green development.

Arvo Tammsaare said that Estonia values its relations with China {IMG} and hopes to expand exports.
"""

HOSTILE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Lin Haoran Holds a Video Call with Latvian Foreign Minister Ilze Kalnina</title></head>
<body><article>
<h1>Lin Haoran Holds a Video Call with Latvian Foreign Minister Ilze Kalnina</h1>
<p>On October 9, 2024, Foreign Minister Lin Haoran held a video call with Latvian Foreign Minister Ilze Kalnina.</p>
<p>Lin Haoran said that China and Latvia should deepen cooperation on logistics &lt;script&gt;alert(1)&lt;/script&gt; and transport.</p>
<p>Ilze Kalnina said that Latvia hopes to increase trade &lt;img src=x onerror="document.title='pwned'"&gt; with China.</p>
</article></body></html>
"""


# A record whose stored URL is a script: the pages must not make it a link (http(s) only).
HOSTILE_URLS = [
    {"id": "902_hostile_url", "url": "javascript:alert(1)",
     "text": "Foreign Minister Tomas Varga of Hungary met with Foreign Minister Ana Lopes of Portugal\n\n"
             "4 March 2024\n\nForeign Minister Tomas Varga of Hungary met with Foreign Minister Ana Lopes of "
             "Portugal in Lisbon on 4 March 2024. The two ministers discussed trade and energy.\n"},
    {"id": "903_hostile_data_url", "url": "data:text/html,<script>alert(1)</script>",
     "text": "Foreign Minister Tomas Varga of Hungary held a phone call with Foreign Minister Ana Lopes of "
             "Portugal\n\n9 April 2024\n\nForeign Minister Tomas Varga of Hungary held a phone call with Foreign "
             "Minister Ana Lopes of Portugal on 9 April 2024. They discussed the European Union budget.\n"},
]


def build_database(tmp: Path) -> Path:
    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result, run
    from readouts.store import Store

    extra = tmp / "hostile"
    extra.mkdir()
    (extra / "900_hostile_text.txt").write_text(HOSTILE_TXT, encoding="utf-8")
    (extra / "901_hostile_html.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (extra / "902_hostile_urls.jsonl").write_text("".join(json.dumps(r) + "\n" for r in HOSTILE_URLS),
                                                  encoding="utf-8")
    db = tmp / "web.db"
    results = [r for r in run(iter_inputs([str(EXAMPLES), str(extra)])) if isinstance(r, Result)]
    with Store(db) as store:
        store.add_batch(results)
        store.refresh_links()  # actors and events, as 'readouts ingest' does
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn serving ``create_app(db)`` in a background thread."""

    def __init__(self, db: Path, shared_cache: Path | None = None) -> None:
        import uvicorn

        from readouts.web.app import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(db, shared_cache), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@contextmanager
def serving(tmp: Path) -> Iterator[Server]:
    """A server over a database built in ``tmp``; ``server.db`` is the database's path."""
    db = build_database(tmp)
    with Server(db) as srv:
        srv.db = db  # type: ignore[attr-defined]
        yield srv
