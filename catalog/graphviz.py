"""Run Graphviz's ``dot`` to lay out a graph as SVG, safely and within limits.

``dot`` is an outside program: it is started without a shell, with a fixed argv, the graph on
stdin, a deadline after which it is killed, and a cap on how much SVG is read back. Anything
that goes wrong (missing program, timeout, crash, oversized output) raises ``GraphvizError``
with a sentence fit to show people, so callers can fall back to a text rendering.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading

from .config import catalog_settings

DEFAULT_DOT = "dot"
DEFAULT_TIMEOUT_SECONDS = 5.0
MAX_SVG_BYTES = 2 * 1024 * 1024

# Graphviz's own <title> elements name the synthetic node ids (``n3``, ``n3->n4``): noise for people.
_GRAPHVIZ_TITLES = re.compile(r"<title>[^<]*</title>\n?")
_COMMENTS = re.compile(r"<!--.*?-->\n?", re.DOTALL)
_HREFS = re.compile(r'xlink:href="([^"]*)"')


class GraphvizError(Exception):
    """Graphviz could not draw the graph; the message says why, for people to read."""


def dot_executable() -> str:
    """The absolute path of ``dot`` (setting ``CATALOG["GRAPHVIZ_DOT"]``), or ``GraphvizError``."""
    configured = str(catalog_settings().get("GRAPHVIZ_DOT") or DEFAULT_DOT)
    found = shutil.which(configured)
    if not found:
        raise GraphvizError(f"Graphviz's dot program was not found ({configured}); install the graphviz package.")
    return found


def render_svg(dot_source: str) -> str:
    """Lay out ``dot_source`` and return the SVG element alone, ready to inline in a page.

    The XML prolog, doctype and comments are dropped, and so are Graphviz's ``<title>`` elements.
    Every link must stay on this site (start with ``/``): anything else means the input escaped
    its quoting, and the drawing is refused rather than shown.
    """
    timeout = float(catalog_settings().get("GRAPHVIZ_TIMEOUT") or DEFAULT_TIMEOUT_SECONDS)
    output = _run_dot(dot_executable(), dot_source, timeout)
    text = output.decode("utf-8", errors="replace")
    start = text.find("<svg")
    if start == -1:
        raise GraphvizError("Graphviz produced no SVG.")
    svg = _COMMENTS.sub("", _GRAPHVIZ_TITLES.sub("", text[start:])).strip()
    if any(not href.startswith("/") for href in _HREFS.findall(svg)):
        raise GraphvizError("Graphviz's drawing linked outside the portal and was not shown.")
    return svg


def _run_dot(executable: str, dot_source: str, timeout: float) -> bytes:
    # The graph goes in through a temporary file as stdin, so nothing has to feed a pipe while
    # the output is read; a timer kills dot at the deadline, which also ends the read.
    with tempfile.TemporaryFile() as source:
        source.write(dot_source.encode("utf-8"))
        source.seek(0)
        try:
            process = subprocess.Popen(
                [executable, "-Tsvg"], stdin=source, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        except OSError as error:
            raise GraphvizError(f"Graphviz's dot program could not start: {error.strerror or error}.") from None
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, stop)
        timer.start()
        try:
            output = process.stdout.read(MAX_SVG_BYTES + 1)
            if len(output) > MAX_SVG_BYTES:
                process.kill()
            process.stdout.close()
            status = process.wait()
        finally:
            timer.cancel()
    if len(output) > MAX_SVG_BYTES:
        raise GraphvizError(f"The drawing is larger than {MAX_SVG_BYTES // 1024} KiB and was not shown.")
    if timed_out.is_set():
        raise GraphvizError(f"Graphviz took longer than {timeout:g} seconds and was stopped.")
    if status != 0:
        raise GraphvizError(f"Graphviz's dot program failed (exit status {status}).")
    return output
