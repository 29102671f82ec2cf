"""Drive headless Chromium over a built site and say what a reader would see go wrong.

Used by the browser tests (``tests/browser/``) and by ``benchmarks/page_weight.py``.
Every check is a plain function of what one visit to a page collected, so the
tests can run the same functions against a page broken on purpose and see them
fail.

One visit per page, each browser worker reusing one tab (``Visitor``): the page
opens at phone width (overflow), then desktop width (what it shows, axe in the
light scheme, then the colour rules in the dark scheme). The tab keeps its HTTP
cache, as a reader's browser does from page to page; the bytes counted for a
page are still what a first-time reader downloads for it (``Visitor``).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import html.parser
import http.server
import io
import json
import os
import posixpath
import re
import shutil
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Full-page screenshots of every page at both widths, for people to look at (gitignored),
#: taken only when ``$SCREENSHOTS`` is 1 (``screenshots_wanted``).
SCREENSHOTS = ROOT / "screenshots"
#: The page-weight report as JSON (gitignored).
WEIGHT_JSON = ROOT / "benchmarks" / "results" / "page_weight.json"

#: Debian's chromium; no browser is ever downloaded. Override with $CHROMIUM.
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

#: Every host name except the local server fails to resolve, so a stray CDN
#: link can never reach the network (the request is still recorded).
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

#: For the page visits (``visit_all``): no optimising JIT (TurboFan). Every page is a new
#: document, so each visit compiled axe's, MathJax's and Material's hot functions again
#: for code that then ran for a second (in paired runs over 11 pages, 9 % and 22 % less
#: CPU). The scripts do the same. Long-lived pages (the PDF's print page) keep the JIT.
VISIT_ARGS = ["--js-flags=--no-opt"]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

#: Bytes a first visit to one page may transfer.
BUDGET_BYTES = 3 * 1024 * 1024

#: Impacts that fail the accessibility check.
AXE_FAILING = ("serious", "critical")


#: The tallest screenshot taken, in CSS pixels (Chromium's capture limit is 16,384).
SHOT_HEIGHT = 16_000


def screenshots_wanted() -> bool:
    """Whether this run takes screenshots (``$SCREENSHOTS`` set to anything but 0)."""
    return os.environ.get("SCREENSHOTS", "0") not in ("", "0")


#: axe-core's script, served by ``SiteServer`` under this path (``SiteServer.axe_url``).
AXE_PREFIX = "/__siteaudit__/"
AXE_FILE = "axe.min.js"


def axe_folder() -> Path:
    """Return the folder of axe-core's script, inside the axe-playwright-python wheel (offline)."""
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).parent


# --------------------------------------------------------------------------- pages


def discover_pages(site: Path) -> list[str]:
    """Return every page of a built site as a URL path relative to its root.

    Walks ``**/index.html`` (``use_directory_urls``); the home page is ``""``.
    ``404.html`` is left out: it links assets by the absolute ``site_url``.

    Args:
        site: The build folder.

    Returns:
        Paths such as ``""``, ``"chapters/autograd/"``, sorted.
    """
    pages = []
    for index in site.rglob("index.html"):
        folder = index.parent.relative_to(site).as_posix()
        if folder.startswith("assets/"):
            continue
        pages.append("" if folder == "." else folder + "/")
    return sorted(pages, key=lambda url: (url.count("/"), url))


def sitemap_pages(site: Path, site_url: str | None = None) -> list[str]:
    """Return the pages listed in ``sitemap.xml``, as paths relative to the site root.

    Args:
        site: The build folder.
        site_url: The configured ``site_url``; guessed from the first entry when None.

    Returns:
        Paths such as ``"chapters/autograd/"``.
    """
    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", text)
    if not locs:
        return []
    if site_url is None:
        site_url = min(locs, key=len)
    return [loc[len(site_url) :] if loc.startswith(site_url) else loc for loc in locs]


def site_base(site: Path) -> str:
    """Return the path the site is published under, from ``sitemap.xml`` (``site_url``).

    The pages are served under the same path locally, so links that MkDocs or a
    plugin writes as absolute paths (``/practical-deep-learning/...``) resolve
    here exactly as they will on the published site.

    Args:
        site: The build folder.

    Returns:
        A path that starts and ends with ``/`` (``/`` when there is no sitemap).
    """
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return "/"
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap.read_text(encoding="utf-8"))
    if not locs:
        return "/"
    path = urllib.parse.urlsplit(min(locs, key=len)).path or "/"
    return path if path.endswith("/") else path + "/"


def site_file(site: Path, base: str, path: str) -> Path:
    """Return the build file a URL path (``/base/notebooks/x.ipynb``) is served from."""
    relative = path[len(base) :] if path.startswith(base) else path.lstrip("/")
    target = site / urllib.parse.unquote(relative)
    return target / "index.html" if target.is_dir() else target


def slug(url: str) -> str:
    """Return a file-name-safe name for a page path (``index`` for the home page)."""
    return url.strip("/").replace("/", "-") or "index"


# --------------------------------------------------------------------------- server


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".ipynb": "application/x-ipynb+json",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".json": "application/json",
    }

    def translate_path(self, path: str) -> str:
        clean = urllib.parse.unquote(path.split("?", 1)[0].split("#", 1)[0])
        for prefix, folder in self.server.overlay.items():
            if clean.startswith(prefix):
                return str(Path(folder) / clean[len(prefix) :])
        base = self.server.base
        if not clean.startswith(base):
            return str(Path(self.directory) / ".outside-the-site-base")  # a 404
        return super().translate_path("/" + path[len(base) :])

    def send_head(self):
        """Send text files gzipped when the browser accepts it, as GitHub Pages does."""
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        if path.name == SEARCH_INDEX and self.headers.get(STUB_SEARCH_HEADER) and path.is_file():
            stub = _search_stub(path)
            if self._gzip_accepted:
                return self._send_body(path, _gzip(stub), compressed=True)
            return self._send_body(path, stub, compressed=False)
        if self._gzip_accepted and path.suffix in GZIPPED and path.is_file():
            return self._send_body(path, _gzipped_file(path), compressed=True)
        return super().send_head()

    @property
    def _gzip_accepted(self) -> bool:
        return self.server.compress and "gzip" in self.headers.get("Accept-Encoding", "")

    def _send_body(self, path: Path, body: bytes, compressed: bool):
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if compressed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def end_headers(self):
        # GitHub Pages lets browsers keep every file for ten minutes: a reader's second
        # page loads the shared assets from the cache, as the browser tests' tabs do.
        if getattr(self, "_status", None) == 200:
            self.send_header("Cache-Control", CACHE_CONTROL)
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


#: What GitHub Pages compresses (fonts and images are compressed already).
GZIPPED = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map"}


#: What GitHub Pages sends with every file.
CACHE_CONTROL = "max-age=600"

#: Material's search index; every page's search worker downloads it and indexes it.
SEARCH_INDEX = "search_index.json"

#: A request with this header gets a one-page search index instead of the real one
#: (``Visitor``; see ``search_stub``).
STUB_SEARCH_HEADER = "X-Siteaudit-Stub-Search"


def _gzip(raw: bytes) -> bytes:
    return gzip.compress(raw, compresslevel=6, mtime=0)


@functools.lru_cache(maxsize=512)
def _gzipped_bytes(path: Path, mtime: float) -> bytes:
    return _gzip(path.read_bytes())


def _gzipped_file(path: Path) -> bytes:
    return _gzipped_bytes(path, path.stat().st_mtime)


def served_size(path: Path) -> int:
    """Return the bytes of a file's body as the server sends it (gzipped where it compresses)."""
    return len(_gzipped_file(path)) if path.suffix in GZIPPED else path.stat().st_size


def _search_stub(path: Path) -> bytes:
    return search_stub(path.read_text(encoding="utf-8")).encode("utf-8")


@functools.lru_cache(maxsize=4)
def search_stub(index: str) -> str:
    """Return a search index with the real one's settings and only its first document.

    Material's search worker downloads the whole site's index and builds a lunr
    index from it on every page load: about half a CPU second a page, the same
    work on every page. The page visits get this stub instead (its bytes are
    counted as the real file's); the search tests use the real index.

    Args:
        index: The text of ``search_index.json``.

    Returns:
        The stub's JSON text.
    """
    data = json.loads(index)
    return json.dumps({**data, "docs": data["docs"][:1]})


class SiteServer:
    """A local HTTP server for a build folder, on 127.0.0.1 and a free port.

    Args:
        root: The folder to serve.
        base: The path to serve it under; by default the ``site_url`` path the
            sitemap gives, as on the published site.
        overlay: URL prefixes served from other folders instead (used to add a
            page broken on purpose beside the real ones).
        compress: Gzip text files as GitHub Pages does, so the bytes counted
            are the bytes a reader downloads.
    """

    def __init__(
        self,
        root: Path,
        base: str | None = None,
        overlay: dict[str, Path] | None = None,
        compress: bool = True,
    ) -> None:
        handler = functools.partial(_Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base = site_base(root) if base is None else base
        self.httpd.base = self.base
        self.httpd.overlay = dict(overlay or {})
        self.httpd.compress = compress
        self.root = root
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """The site's home page: ``http://127.0.0.1:<port>/<base>/``."""
        return self.origin + self.base

    def url(self, path: str = "") -> str:
        """Return the absolute URL of a path relative to the site root."""
        return self.base_url + path.lstrip("/")

    @property
    def axe_url(self) -> str:
        """The URL of axe-core's script, served beside the site (outside its base path).

        Loaded from a URL rather than evaluated from a string, the browser keeps it
        in its HTTP cache and its compiled code in V8's code cache from page to page.
        """
        self.httpd.overlay.setdefault(AXE_PREFIX, axe_folder())
        return self.origin + AXE_PREFIX + AXE_FILE

    def add_overlay(self, path: str, folder: Path) -> None:
        """Serve a page path (e.g. ``chapters/broken/``) from ``folder``."""
        self.httpd.overlay[self.base + path.lstrip("/")] = folder

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextlib.contextmanager
def chromium_for_tests():
    """Yield Debian's headless Chromium for a test session; a missing browser fails the test.

    The browser and editions suites' ``browser`` fixtures both come from here.
    """
    import pytest
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = launch(playwright)
        except FileNotFoundError as error:
            pytest.fail(str(error), pytrace=False)
        try:
            yield launched
        finally:
            launched.close()


def launch(playwright, extra_args: list[str] | None = None):
    """Launch Debian's headless Chromium through Playwright.

    Args:
        playwright: The object ``sync_playwright().start()`` returns.
        extra_args: Command-line switches on top of ``LAUNCH_ARGS``.

    Returns:
        The browser.
    """
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(
            f"no Chromium at {CHROMIUM}: `apt-get install chromium` or set $CHROMIUM "
            "(Playwright's own browser downloads are not used)"
        )
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=LAUNCH_ARGS + list(extra_args or [])
    )


# --------------------------------------------------------------------------- one visit

#: Text left as TeX source in a rendered page: each such text's first 80 characters.
#: Chapters mark their maths with ``.arithmatex`` (``\(...\)``, ``\[...\]``); a notebook's
#: markdown cells (``.jp-MarkdownOutput``) keep Jupyter's ``$...$`` and ``$$...$$``, which
#: MathJax typesets in place, so there a pair of single dollars is raw TeX too.
_RAW_TEX = r"""root => {
  const skip = 'pre, code, script, style, textarea, mjx-container, .MathJax, '
    + '.jp-CodeCell .jp-InputArea';
  const tex = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{/;
  const inline = /\$[^$\s]([^$]*[^$\s])?\$/;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (parent && parent.closest(skip)) continue;
    if (tex.test(node.nodeValue)
        || (parent && parent.closest('.jp-MarkdownOutput') && inline.test(node.nodeValue))) {
      raw.push(node.nodeValue.trim().slice(0, 80));
    }
  }
  return raw;
}"""

#: Waits until MathJax has typeset every maths element and every notebook formula (or
#: there is none).
_MATHS_DONE = f"""() => {{
  const maths = document.querySelectorAll('.md-content .arithmatex');
  if (!Array.from(maths).every(el => el.querySelector('mjx-container'))) return false;
  const notebook = document.querySelectorAll('.md-content .jp-MarkdownOutput');
  return !notebook.length || !Array.from(notebook).some(el => ({_RAW_TEX})(el).length);
}}"""

#: Everything the checks need from the rendered page, in one round trip.
_COLLECT = r"""async () => {
  const article = document.querySelector('.md-content') || document.body;
  // Text outside code, scripts and typeset maths: raw TeX there was never rendered.
  const raw = (RAW_TEX)(article);
  const arithmatex = article.querySelectorAll('.arithmatex');
  const untypeset = Array.from(arithmatex).filter(el => !el.querySelector('mjx-container'));
  // Python fences and the outputs the build put right after each (pagerun).
  const isOutput = el => el && (el.matches('.pagerun-output, .pagerun-figure, .pagerun-html')
    || !!el.querySelector(':scope > img.pagerun-figure'));
  // Raw HTML inside an indented block comes out wrapped in <p>, which the
  // parser splits into empty paragraphs around the block: step over those.
  const isEmpty = el => el && el.matches('p') && !el.textContent.trim() && !el.children.length;
  const following = el => {
    let next = el.nextElementSibling;
    while (isEmpty(next)) next = next.nextElementSibling;
    return next;
  };
  const fences = Array.from(article.querySelectorAll('div.language-python.highlight'))
    .filter(el => !el.closest('.pagerun-output, .doc, .jp-Cell'))
    .map(el => {
      let text = 0, figures = 0, html = 0, next = following(el);
      while (isOutput(next)) {
        if (next.matches('.pagerun-output')) text += 1;
        if (next.matches('.pagerun-figure')) figures += 1;
        else figures += next.querySelectorAll(':scope > img.pagerun-figure').length;
        if (next.matches('.pagerun-html')) html += 1;
        next = following(next);
      }
      const code = el.querySelector('code');
      return {text, figures, html, code: code ? code.textContent : ''};
    });
  const errors = [];
  const outputs = article.querySelectorAll(
    '.pagerun-output, .jp-OutputArea-output, .jp-RenderedText');
  outputs.forEach(el => {
    const text = el.innerText || '';
    if (/Traceback \(most recent call last\)/.test(text)
        || el.matches('[data-mime-type="application/vnd.jupyter.stderr"]') && /Error\b/.test(text))
      errors.push(text.trim().split('\n').slice(-1)[0].slice(0, 120));
  });
  const images = await Promise.all(Array.from(article.querySelectorAll('img')).map(async img => {
    if (!img.complete) {
      await new Promise(done => { img.onload = img.onerror = done; setTimeout(done, 3000); });
    }
    return {
      src: (img.getAttribute('src') || '').slice(0, 80),
      alt: img.getAttribute('alt'),
      width: img.naturalWidth,
      figure: !!img.closest('.pagerun-figure, .jp-OutputArea-output'),
    };
  }));
  const blocks = Array.from(article.querySelectorAll('pre > code'))
    .filter(code => !code.closest('.jp-Cell, .pagerun-output'));
  const copyable = blocks.filter(code => {
    const pre = code.parentElement;
    return pre.querySelector('button.md-code__button[data-md-type="copy"]')
      || pre.parentElement.querySelector('button.md-code__button[data-md-type="copy"]');
  });
  const download = document.querySelector('p.pagerun-buttons a[download]');
  return {
    title: document.title,
    height: document.documentElement.scrollHeight,
    rawTex: raw,
    arithmatex: arithmatex.length,
    notebookMarkdown: article.querySelectorAll('.jp-MarkdownOutput').length,
    untypeset: untypeset.map(el => el.textContent.trim().slice(0, 60)),
    mjx: document.querySelectorAll('mjx-container').length,
    stamp: !!document.querySelector('p.pagerun-stamp'),
    fences,
    errors,
    images,
    codeBlocks: blocks.length,
    copyButtons: copyable.length,
    download: download ? new URL(download.getAttribute('href'), location.href).pathname : null,
    downloads: Array.from(document.querySelectorAll('.md-content a[download]'))
      .map(a => new URL(a.getAttribute('href'), location.href).pathname),
  };
}"""
_COLLECT = _COLLECT.replace("(RAW_TEX)", f"({_RAW_TEX})")

#: Horizontal overflow of the page body, and the elements sticking out furthest.
_OVERFLOW = """() => {
  const doc = document.documentElement, width = doc.clientWidth;
  const scroll = Math.max(doc.scrollWidth, document.body.scrollWidth);
  const culprits = [];
  if (scroll > width) {
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 1 && box.width > 0) {
        let scroller = el.parentElement, inside = false;
        while (scroller && scroller !== document.body) {
          const style = getComputedStyle(scroller);
          if (/(auto|scroll|hidden|clip)/.test(style.overflowX)) { inside = true; break; }
          scroller = scroller.parentElement;
        }
        if (!inside) {
          const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
            + (el.classList.length ? '.' + Array.from(el.classList).join('.') : '');
          culprits.push(name + ' right=' + Math.round(box.right));
        }
      }
      if (culprits.length >= 5) break;
    }
  }
  return {clientWidth: width, scrollWidth: scroll, culprits};
}"""

#: Runs after the phone-width checks and the screenshots: syntax highlighting wraps every
#: token of every code block in a span (thousands a chapter), and axe's
#: colour-contrast rule costs about a millisecond per element. A token's
#: contrast depends only on its colours and font, not on where it is, so the
#: first span of each (token class, colour, background, font, highlighted
#: line) is kept and the rest become plain text: every distinct token style is still checked,
#: in a tenth of the time.
#: Only spans that are rendered count as the one kept: a token first met in a
#: folded solution (not rendered, so axe skips it) is kept where it is seen.
_THIN_CODE = """() => {
  // Read every style first, then change the DOM: interleaving the two makes
  // the browser recompute styles for each span.
  const seen = new Set(), extra = [];
  for (const span of document.querySelectorAll('pre span')) {
    if (span.firstElementChild) continue;
    // Code that is not rendered (a folded source listing or solution) is never
    // checked for contrast: its spans only slow every rule down.
    if (!span.getClientRects().length) { extra.push(span); continue; }
    const style = getComputedStyle(span), pre = span.closest('pre');
    const key = [span.className, style.color, style.backgroundColor, style.fontSize,
      style.fontWeight, style.fontStyle, getComputedStyle(pre).backgroundColor,
      !!span.closest('.hll')].join('|');
    if (seen.has(key)) extra.push(span); else seen.add(key);
  }
  for (const span of extra) span.replaceWith(...span.childNodes);
  return extra.length;
}"""

#: No transitions or animations from here on: axe must see the colours a reader sees
#: once the page has settled, not a fade in progress (the header's search box fades
#: for a moment after the switch to desktop width; a fast visit caught it mid-way).
#: A transition cut short ends at its final value.
_STILL = """() => new Promise(done => {
  const still = document.createElement('style');
  still.textContent =
    '*, *::before, *::after { transition: none !important; animation: none !important; }';
  document.head.append(still);
  requestAnimationFrame(() => requestAnimationFrame(() => done()));
})"""

#: The same page in Material's dark scheme (what the palette toggle does).
_DARK = """() => new Promise(done => {
  document.body.setAttribute('data-md-color-scheme', 'slate');
  requestAnimationFrame(() => requestAnimationFrame(() => done()));
})"""

#: Only the rules whose outcome depends on colours, for the dark scheme.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

#: Check colour contrast on one element per style, every element when "0" (slower, exact
#: by construction; ``test_sampled_contrast_finds_what_a_full_scan_finds`` compares the two).
SAMPLE_CONTRAST = os.environ.get("SAMPLE_CONTRAST", "1") != "0"

#: Installed once per page, after axe's own script. Changes how fast axe runs, not what
#: it reports:
#:
#: 1. Colour parsing is memoised. axe parses every computed colour string with
#:    colorjs.io for every element of every background stack (the same few dozen
#:    strings, hundreds of thousands of times a page); a parse is a pure function
#:    of its text, so a cache returns the same channels. About 40 % of the
#:    colour-contrast rule's time, results identical (compared over whole pages).
#: 2. The colour-contrast rule is given a gate, used when sampling (see
#:    ``_AXE_RUN``): it lets through one element per style, the first that
#:    axe's own matcher accepts (the matcher is not even asked about the rest,
#:    nor about elements without text of their own, which it always rejects).
#: 3. No outerHTML copied into each result (``noHtml``): the checks read selectors.
_AXE_PREPARE = """() => {
  if (window.__siteaudit) return true;
  const Color = axe.commons.color.Color;
  const parse = Color.prototype.parseString;
  const parsed = new Map();
  Color.prototype.parseString = function (text) {
    const known = parsed.get(text);
    if (known) {
      [this.r, this.g, this.b, this.alpha] = known;
      return this;
    }
    parse.call(this, text);  // throws on what it cannot parse: nothing cached
    parsed.set(text, [this.r, this.g, this.b, this.alpha]);
    return this;
  };
  const rule = axe._audit.rules.find(r => r.id === 'color-contrast');
  if (!rule) return false;
  const matches = rule.matches;
  const state = {gate: null};
  rule.matches = function (node, virtualNode, context) {
    const matched = () => matches.call(this, node, virtualNode, context);
    return state.gate ? state.gate(node, virtualNode, matched) : matched();
  };
  // Each result would carry its element's outerHTML (a whole table or code block):
  // the checks read only the selectors.
  axe.configure({noHtml: true});
  window.__siteaudit = state;
  return true;
}"""

#: One axe run (every rule, or ``rules``) over the whole page. Takes what earlier
#: pages taught about contrast styles (``known``: style key -> "pass" or "hard");
#: returns the violations, and what this page taught (``learnt``).
#:
#: With ``sample``, the colour-contrast rule checks one element per *style* (see
#: below for the few more it tries): a member of each group of elements that
#: agree on everything axe's verdict is computed from, namely the text's colour, font size
#: and weight, text shadow, fill and stroke, and the background colour, image,
#: opacity, filter and blend mode of the element and of every ancestor. axe
#: computes the contrast ratio from exactly these (the background as the blend
#: of the stack behind the text, the threshold from size and weight), so every
#: element of a group gets the same ratio and the same verdict. Two things
#: depend on position instead, and are kept exact:
#:
#: - an element whose text a positioned box with a background (header, tooltip,
#:   code-block button bar) overlaps, or could lie behind, is its own group,
#:   always checked;
#: - axe may be unable to decide an element (``incomplete``: scrolled out of
#:   sight in the sidebar, under the sidebar's sticky title, a pseudo-element).
#:   The group's verdict is then that of a member axe can decide. The run tries
#:   the first two elements of each group that are in sight and the first one
#:   scrolled out of sight in a scrolling box; only where axe decides none of
#:   them are the group's other elements checked, in a second run. A style whose
#:   tries were all undecided on one page ("hard") has every element tried at
#:   once on the next pages of the tab (``Visitor.styles``).
#:
#:   A second run costs a whole new axe setup (its model of the page and its
#:   grid of every box: a quarter of a second on a long page). With one try per
#:   group, the first nav link of the sidebar, scrolled out of sight on every
#:   page below the first few, sent those pages to a second run in both schemes;
#:   with these tries, a tab makes a second run only for a style new to it.
#:
#: A style whose decided tries passed is not checked again on the tab's next pages
#: ("pass"): its verdict is computed from its key alone, which is the same on
#: every page of the site (the header, the sidebar, body text, each code token).
#: A style that failed is checked on every page it is on, so that each failing page
#: is named. Elements on their own ("alone") are checked on every page.
#:
#: So every distinct foreground/background/font combination a reader sees is
#: checked, in both schemes; a chapter has a few hundred text elements but only
#: a few dozen styles. A violation reports the elements checked and how many
#: more share their style.
_AXE_RUN = """async ([rules, sample, detail, known]) => {
  const state = window.__siteaudit;
  const learnt = {};
  const tries = 2;  // elements checked per style in the first run (see above)
  // With detail, each violation lists a number for every element it judges failing
  // (for a sampled style: all of its elements), the same number on every run of the page.
  const ids = state.ids || (state.ids = new Map());
  const id = el => ids.get(el) ?? (ids.set(el, ids.size), ids.size - 1);
  const TEXT = ['color', 'font-size', 'font-weight', 'text-shadow', '-webkit-text-fill-color',
    '-webkit-text-stroke-width', '-webkit-text-stroke-color', 'opacity', 'filter',
    'mix-blend-mode'];
  const BACK = ['background-color', 'background-image', 'opacity', 'filter', 'mix-blend-mode'];
  const PLAIN = 'rgba(0, 0, 0, 0)|none|1|none|normal';
  const chains = new Map();
  // The backgrounds behind an element: its own and every ancestor's that paints something.
  const chain = el => {
    if (!el || el.nodeType !== 1) return '';
    let known = chains.get(el);
    if (known === undefined) {
      const style = getComputedStyle(el);
      const own = BACK.map(p => style.getPropertyValue(p)).join('|');
      known = chain(el.parentElement) + (own === PLAIN ? '' : '>' + own);
      chains.set(el, known);
    }
    return known;
  };
  let boxes = null, alone = 0;
  // Positioned boxes that paint a background can cover, or sit behind, any text
  // (a box that is invisible or fully transparent paints nothing).
  const positioned = () => {
    const found = [];
    for (const el of document.querySelectorAll('body *')) {
      const style = getComputedStyle(el);
      if (style.position === 'static' || style.position === 'relative') continue;
      // A box inside a closed <details> has a size but is never painted.
      if (!el.checkVisibility()) continue;
      const paints = (style.backgroundColor !== 'rgba(0, 0, 0, 0)'
        || style.backgroundImage !== 'none') && style.opacity !== '0'
        && style.visibility === 'visible';
      if (!paints) continue;
      for (const box of el.getClientRects()) if (box.width && box.height) found.push([el, box]);
    }
    return found;
  };
  // Where axe looks for the background: the line boxes of the element's own text,
  // or its own box when a line sticks out of it.
  const textBoxes = (el, lines) => {
    const own = el.getBoundingClientRect();
    const outside = lines.some(box => {
      const x = box.left + box.width / 2, y = box.top + box.height / 2;
      return x < own.left || x > own.right || y < own.top || y > own.bottom;
    });
    return outside ? [...lines, ...el.getClientRects()] : lines;
  };
  const styleKey = (el, lines) => {
    boxes = boxes || positioned();
    // Compare the rectangles first: asking the DOM whether a box contains the element
    // is the dearer test, and most boxes are nowhere near it.
    if (boxes.length && textBoxes(el, lines).some(box => boxes.some(([other, area]) =>
        box.left < area.right && box.right > area.left && box.top < area.bottom
        && box.bottom > area.top && !other.contains(el)))) {
      return 'alone ' + alone++;
    }
    const style = getComputedStyle(el);
    return TEXT.map(p => style.getPropertyValue(p)).join('|') + chain(el);
  };
  // axe's matcher accepts a form field, or an element with text of its own (a child
  // text node, in axe's flattened tree, that is not blank) that is rendered (has line
  // boxes); it rejects the rest, so it is not asked about them.
  const FIELDS = ['input', 'select', 'textarea', 'option'];
  const range = document.createRange();
  const ownLines = virtualNode => {
    const lines = [];
    for (const child of virtualNode.children) {
      const node = child.actualNode;
      if (node.nodeType !== 3 || !node.nodeValue.trim()) continue;
      range.selectNodeContents(node);
      lines.push(...range.getClientRects());
    }
    return lines;
  };
  // The visible box of an ancestor that clips what overflows it (a scrolling sidebar,
  // a code block), or null.
  const clips = new Map();
  const clipBox = el => {
    let box = clips.get(el);
    if (box === undefined) {
      const style = getComputedStyle(el);
      const clipping = style.overflowX !== 'visible' || style.overflowY !== 'visible';
      box = clipping ? el.getBoundingClientRect() : null;
      clips.set(el, box);
    }
    return box;
  };
  // Text that is scrolled out of sight in a scrolling box: axe cannot decide it.
  const clipped = (el, lines) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const box = clipBox(up);
      if (box && lines.some(line => line.left < box.left || line.right > box.right
          || line.top < box.top || line.bottom > box.bottom)) return true;
    }
    return false;
  };
  known = known || {};
  const groups = new Map(), groupOf = new Map();
  state.gate = !sample ? null : (el, virtualNode, matched) => {
    if (FIELDS.includes(virtualNode.props.nodeName)) return matched();
    const lines = ownLines(virtualNode);
    if (!lines.length) return false;
    const key = styleKey(el, lines);
    let group = groups.get(key);
    if (!group) groups.set(key, group = {key, checked: [], waiting: [], hidden: 0, members: []});
    group.members.push(el);
    groupOf.set(el, group);
    // A style that passed on an earlier page passes here: its verdict is computed from
    // the key alone. Otherwise the tries: the first two elements in sight and the first
    // one scrolled out of sight (axe can seldom decide those); or, for a style known
    // to be hard, every element.
    const verdict = known[key];
    if (verdict === 'pass') return false;
    if (verdict !== 'hard') {
      const hidden = clipped(el, lines);
      const tried = hidden ? group.hidden : group.checked.length - group.hidden;
      if (tried >= (hidden ? 1 : tries)) {
        group.waiting.push(el);
        return false;
      }
      if (!matched()) return false;
      group.hidden += hidden;
    } else if (!matched()) return false;
    group.checked.push(el);
    return true;
  };
  const found = new Map();
  // The elements a failing checked element stands for: itself, and, for the first of
  // its group to fail, every member of the group that was not checked.
  const standsFor = (el, counting) => {
    const group = counting && groupOf.get(el);
    if (!group || group.failed) return [el];
    group.failed = true;
    return [el, ...group.members.filter(member => !group.checked.includes(member))];
  };
  const note = (violations, counting) => {
    for (const v of violations) {
      const seen = found.get(v.id) || {id: v.id, impact: v.impact, help: v.help, nodes: [],
        count: 0, alike: 0, elements: []};
      for (const node of v.nodes) {
        if (seen.nodes.length < 5) seen.nodes.push(node.target.join(' '));
        seen.count += 1;
        const alike = standsFor(node.element, counting && v.id === 'color-contrast');
        seen.alike += alike.length - 1;
        if (detail) seen.elements.push(...alike.map(id));
      }
      found.set(v.id, seen);
    }
  };
  try {
    const options = {resultTypes: ['violations', 'incomplete'], elementRef: true};
    if (rules) options.runOnly = {type: 'rule', values: rules};
    const results = await axe.run(document, options);
    note(results.violations, true);
    if (sample) {
      const undecided = new Set(), failing = new Set();
      for (const [list, into] of [[results.incomplete, undecided], [results.violations, failing]]) {
        for (const v of list) {
          if (v.id === 'color-contrast') for (const node of v.nodes) into.add(node.element);
        }
      }
      const again = new Set();
      for (const group of groups.values()) {
        const decided = group.checked.filter(el => !undecided.has(el));
        const lasting = group.checked.length && !group.key.startsWith('alone');
        if (decided.length) {
          if (lasting && !decided.some(el => failing.has(el))) learnt[group.key] = 'pass';
          continue;
        }
        if (lasting) learnt[group.key] = 'hard';
        for (const el of group.waiting) again.add(el);
      }
      if (again.size) {
        state.gate = (el, virtualNode, matched) => again.has(el) && matched();
        const more = await axe.run({include: [...again]}, {resultTypes: ['violations'],
          elementRef: true, runOnly: {type: 'rule', values: ['color-contrast']}});
        note(more.violations, false);
      }
    }
  } finally {
    state.gate = null;
  }
  state.groups = groups;  // for debugging: the styles of the last run
  return {violations: [...found.values()], learnt};
}"""


def prepare_axe(page, axe_url: str) -> None:
    """Settle the open page, thin its code blocks and load axe into it (``_AXE_RUN`` next).

    Args:
        page: A Playwright page showing the page to check.
        axe_url: Where axe-core's script is served (``SiteServer.axe_url``).
    """
    page.evaluate(_STILL)
    page.evaluate(_THIN_CODE)
    page.add_script_tag(url=axe_url)
    if not page.evaluate(_AXE_PREPARE):
        raise RuntimeError("axe-core has no color-contrast rule: update _AXE_PREPARE")


@dataclass
class Visit:
    """What one visit to a page collected.

    Attributes:
        url: The page's path relative to the site root.
        console_errors: ``console.error`` messages and uncaught exceptions.
        requests: Every URL the page requested (``data:`` left out).
        failed: Requests that failed or answered with an error status.
        dom: What ``_COLLECT`` read from the rendered page.
        phone: What ``_OVERFLOW`` read at phone width.
        axe: Accessibility violations (every impact); those found in the dark
            scheme (colour rules only) are marked "(dark)".
        transferred: Bytes a first-time reader receives per URL (headers
            included), gzipped where the server compresses (``Visitor``).
        decoded: The same bytes after decompression.
        seconds: How long the visit took.
        timings: Seconds per step of the visit.
        screenshots: Files written.
    """

    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dom: dict = field(default_factory=dict)
    phone: dict = field(default_factory=dict)
    axe: list[dict] = field(default_factory=list)
    transferred: dict[str, int] = field(default_factory=dict)
    decoded: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    screenshots: list[Path] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        """Bytes the first visit transferred."""
        return sum(self.transferred.values())

    @property
    def decoded_bytes(self) -> int:
        """Bytes the first visit received, decompressed."""
        return sum(self.decoded.values())


class Visitor:
    """One browser tab that visits pages in turn and collects what every check needs.

    The tab, its context and its renderer process are reused from page to page
    (a fresh context per page cost a new renderer process each time). Service
    workers are blocked, storage is cleared after each page, and the tab goes
    through ``about:blank`` between pages so that nothing one page does is
    counted for the next.

    The HTTP cache stays on, as in a reader's browser: the stylesheets, scripts
    and fonts every page shares are fetched once per tab, and V8 reuses their
    compiled code. A page's bytes are nonetheless those of a first visit: each
    URL it requests counts the bytes of that URL's first fetch (``first_fetch``),
    whichever page made it.

    The search index is the one file not fetched as a reader would: the tab gets
    a one-page stub (``search_stub``), counted as the real file's bytes, since
    indexing the whole site again on every page cost about half a CPU second a
    page. The search tests run on the real index.

    Args:
        browser: A Playwright browser.
        server: The running server.
        axe: Run axe-core (``SiteServer.axe_url``) in both schemes.
        screenshots: A folder for full-page screenshots at both widths, or None.
        color_scheme: The reader's preferred scheme (Material follows it).
    """

    def __init__(
        self,
        browser,
        server: SiteServer,
        *,
        axe: bool = False,
        screenshots: Path | None = None,
        color_scheme: str = "light",
    ) -> None:
        self.server = server
        self.axe_url = server.axe_url if axe else None
        self.screenshots = screenshots
        self.record: Visit | None = None
        #: Bytes of each URL's first fetch in this tab: (sent, decoded).
        self.first_fetch: dict[str, tuple[int, int]] = {}
        #: What earlier pages taught about contrast styles (``_AXE_RUN``): "pass" (not
        #: checked again) or "hard" (every element tried at once, saving a second run).
        self.styles: dict[str, str] = {}
        self.context = browser.new_context(
            viewport=PHONE,
            color_scheme=color_scheme,
            service_workers="block",
            extra_http_headers={STUB_SEARCH_HEADER: "1"},
        )
        self.page = page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self._note("console_errors", f"uncaught: {exc}"))
        page.on("request", self._request)
        page.on("requestfailed", lambda req: self._note("failed", f"{req.url} ({req.failure})"))
        page.on(
            "response",
            lambda res: res.status >= 400 and self._note("failed", f"{res.url} ({res.status})"),
        )
        self._count_bytes()

    def _note(self, name: str, text: str) -> None:
        if self.record is not None:
            getattr(self.record, name).append(text)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self._note("console_errors", _console(msg))

    def _request(self, req) -> None:
        if self.record is not None and not req.url.startswith(self.server.origin + AXE_PREFIX):
            _note_request(self.record, req.url)

    def _count_bytes(self) -> None:
        """Record the bytes of each URL's first fetch through the DevTools protocol.

        A later fetch of the same URL comes from the cache (nothing sent); a
        page's weight is computed from the first fetches in ``_weigh``.
        """
        cdp = self.context.new_cdp_session(self.page)
        urls: dict[str, str] = {}
        decoded: dict[str, int] = {}

        def sent(event):
            urls[event["requestId"]] = event["request"]["url"]

        def received(event):
            request = event["requestId"]
            decoded[request] = decoded.get(request, 0) + int(event["dataLength"])

        def done(event):
            url = urls.pop(event["requestId"], "?")
            size = int(event["encodedDataLength"]), decoded.pop(event["requestId"], 0)
            if url not in self.first_fetch and size[0] > 0 and not url.startswith("data:"):
                self.first_fetch[url] = size

        def failed(event):
            urls.pop(event["requestId"], None)
            decoded.pop(event["requestId"], None)

        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.dataReceived", received)
        cdp.on("Network.loadingFinished", done)
        cdp.on("Network.loadingFailed", failed)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self._cdp = cdp

    def _weigh(self, record: Visit) -> None:
        """Set a visit's bytes: every URL it requested, at the size of its first fetch."""
        for url in dict.fromkeys(record.requests):
            if url not in self.first_fetch:
                continue
            sent, decoded = self.first_fetch[url]
            path = urllib.parse.urlsplit(url).path
            if path.endswith("/" + SEARCH_INDEX) and url.startswith(self.server.origin):
                # The tab was sent the stub: count the real index a reader downloads.
                real = site_file(self.server.root, self.server.base, path)
                sent, decoded = served_size(real), real.stat().st_size
            record.transferred[url] = sent
            record.decoded[url] = decoded

    def visit(self, url: str) -> Visit:
        """Visit one page: phone width first, then desktop; checks, axe in both schemes.

        Args:
            url: The page's path relative to the site root.

        Returns:
            The visit's record.
        """
        page = self.page
        record = Visit(url)
        began = last = time.perf_counter()

        def lap(step: str) -> None:
            nonlocal last
            now = time.perf_counter()
            record.timings[step] = round(record.timings.get(step, 0.0) + now - last, 3)
            last = now

        page.set_viewport_size(PHONE)
        self.record = record
        try:
            page.goto(self.server.url(url), wait_until="load")
            lap("load")
            try:
                page.wait_for_function(_MATHS_DONE, timeout=8000)
            except Exception:  # noqa: BLE001 - the maths check reports what is left
                pass
            lap("maths")
            # A reader's phone opens the page at its own width: overflow is measured there.
            record.phone = page.evaluate(_OVERFLOW)
            lap("phone")
            if self.screenshots is not None:
                self._shot(record, PHONE)
                lap("shots")
            page.set_viewport_size(DESKTOP)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            record.dom = page.evaluate(_COLLECT)
            lap("collect")
            if self.screenshots is not None:
                self._shot(record, DESKTOP)
                lap("shots")
            if self.axe_url is not None:
                prepare_axe(page, self.axe_url)
                record.axe = self._axe(None)
                lap("axe")
                # Dark scheme, colour rules, whole page.
                page.evaluate(_DARK)
                record.axe += [
                    {**violation, "id": f"{violation['id']} (dark)"}
                    for violation in self._axe(COLOUR_RULES)
                ]
                lap("axe dark")
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        finally:
            self.record = None
            page.goto("about:blank")
        self._weigh(record)
        record.seconds = time.perf_counter() - began
        return record

    def _axe(self, rules: list[str] | None) -> list[dict]:
        """Run axe (``_AXE_RUN``) on the open page; return its violations."""
        found = self.page.evaluate(_AXE_RUN, [rules, SAMPLE_CONTRAST, False, self.styles])
        self.styles.update(found["learnt"])
        return found["violations"]

    def _shot(self, record: Visit, size: dict) -> None:
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{slug(record.url)}-{size['width']}.jpg"
        # A JPEG is at most 65,535 pixels high and Chromium captures at most
        # SHOT_HEIGHT: past that it writes an empty file (the exercise reference at
        # phone width did). Longer pages are photographed from the top.
        height = self.page.evaluate("() => document.documentElement.scrollHeight")
        clip = None
        if height > SHOT_HEIGHT:
            clip = {"x": 0, "y": 0, "width": size["width"], "height": SHOT_HEIGHT}
        self.page.screenshot(path=path, full_page=True, clip=clip, type="jpeg", quality=75)
        record.screenshots.append(path)

    def close(self) -> None:
        """Close the tab and its context."""
        self.context.close()


def visit(
    browser,
    server: SiteServer,
    url: str,
    *,
    axe: bool = False,
    screenshots: Path | None = None,
    color_scheme: str = "light",
) -> Visit:
    """Open one page in a fresh context and collect what every check needs.

    Args:
        browser: A Playwright browser.
        server: The running server.
        url: The page's path relative to the site root.
        axe: Run axe-core in both schemes.
        screenshots: A folder for full-page screenshots at both widths, or None.
        color_scheme: The reader's preferred scheme (Material follows it).

    Returns:
        The visit's record.
    """
    visitor = Visitor(browser, server, axe=axe, screenshots=screenshots, color_scheme=color_scheme)
    try:
        return visitor.visit(url)
    finally:
        visitor.close()


def visit_all(
    server: SiteServer,
    pages: list[str],
    *,
    workers: int | None = None,
    **options,
) -> dict[str, Visit]:
    """Visit every page, several at a time, each worker with its own Chromium and tab.

    Playwright's sync API belongs to one thread, so each worker thread starts
    its own Playwright and browser. The largest pages go first, to keep the
    workers evenly busy.

    Args:
        server: The running server.
        pages: Page paths.
        workers: How many pages at once; ``$BROWSER_WORKERS``, else the number of
            CPUs up to 4.
        **options: Passed to ``Visitor``.

    Returns:
        The visits, by page path, in the order of ``pages``.
    """
    from playwright.sync_api import sync_playwright

    if workers is None:
        workers = int(os.environ.get("BROWSER_WORKERS") or min(4, os.cpu_count() or 1))
    size = {url: _page_size(server.root, url) for url in pages}
    queue = sorted(pages, key=lambda url: -size[url])
    lock = threading.Lock()
    results: dict[str, Visit] = {}
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright, VISIT_ARGS)
                try:
                    visitor = Visitor(browser, server, **options)
                    while True:
                        with lock:
                            if not queue or errors:
                                return
                            url = queue.pop(0)
                        results[url] = visitor.visit(url)
                finally:
                    browser.close()
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(max(1, min(workers, len(pages))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return {url: results[url] for url in pages}


def _page_size(root: Path, url: str) -> int:
    index = root / url / "index.html"
    return index.stat().st_size if index.is_file() else 0


def _console(msg) -> str:
    where = msg.location or {}
    origin = where.get("url", "")
    return f"{msg.text} [{origin}:{where.get('lineNumber', '')}]" if origin else msg.text


def _note_request(record: Visit, url: str) -> None:
    if not url.startswith(("data:", "blob:", "about:")):
        record.requests.append(url)


# --------------------------------------------------------------------------- checks
# Each returns a list of problems (empty when the page passes).


def console_problems(record: Visit) -> list[str]:
    """Console errors and uncaught exceptions."""
    return list(record.console_errors)


def request_problems(record: Visit, origin: str) -> list[str]:
    """Requests to any host but the local server, and local requests that failed."""
    problems = [f"other host: {url}" for url in record.requests if not url.startswith(origin)]
    problems += [f"failed: {failure}" for failure in record.failed if failure.startswith(origin)]
    return problems


def maths_problems(record: Visit) -> list[str]:
    """Maths left untypeset, or raw TeX delimiters in the rendered text."""
    dom = record.dom
    problems = [f"not typeset: {text!r}" for text in dom["untypeset"]]
    if dom["arithmatex"] and not dom["mjx"]:
        problems.append(f"{dom['arithmatex']} .arithmatex elements but no mjx-container")
    problems += [f"raw TeX in text: {text!r}" for text in dom["rawTex"]]
    return problems


def fence_output_problems(record: Visit, notebook: dict | None) -> list[str]:
    """Executed fences whose outputs are missing, checked against the page's notebook.

    The build writes the page and its notebook from the same run, so each
    python fence on the page has a notebook code cell with the same code,
    carrying what the fence printed, returned and drew. Each fence must show
    them: an output block for text, a table for an HTML value, and as many
    figures as the run made.

    Args:
        record: The visit.
        notebook: The notebook the page's download button gives (parsed
            JSON), or None for a page without one (nothing to compare).

    Returns:
        Problems, naming the fence by its number on the page and first line.
    """
    if notebook is None:
        return []
    problems = []
    if not record.dom["stamp"]:
        problems.append("no p.pagerun-stamp: the build did not insert this page's outputs")
    cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    position = 0
    for number, fence in enumerate(record.dom["fences"], start=1):
        code = _normalise(fence["code"])
        first = next((line for line in fence["code"].splitlines() if line.strip()), "")
        label = f"fence {number} ({first.strip()[:50]!r})"
        match = next((i for i in range(position, len(cells)) if _cell_code(cells[i]) == code), None)
        if match is None:
            problems.append(f"{label}: no notebook cell has its code (notebook from another run?)")
            continue
        position = match + 1
        outputs = cells[match].get("outputs", [])
        texts = sum(
            out["output_type"] == "stream"
            or (out["output_type"] == "execute_result" and "text/html" not in out["data"])
            for out in outputs
        )
        htmls = sum(
            out["output_type"] == "execute_result" and "text/html" in out["data"] for out in outputs
        )
        images = sum(
            out["output_type"] == "display_data" and "image/png" in out["data"] for out in outputs
        )
        if texts and not fence["text"]:
            problems.append(f"{label}: printed output missing under it")
        if htmls and not fence["html"]:
            problems.append(f"{label}: HTML value missing under it")
        if images != fence["figures"]:
            problems.append(f"{label}: {fence['figures']} figure(s) shown, the run made {images}")
    return problems


def _normalise(code: str) -> list[str]:
    return [line.rstrip() for line in code.splitlines() if line.strip()]


def _cell_code(cell: dict) -> list[str]:
    """A notebook cell's code as the page shows it, without the notebook's own wrapping.

    The notebook writer guards cells that cannot run here (``if RUN_THIS_CELL:``)
    and wraps cells that raise on purpose or check a starter in ``try:``/``except``
    so "Run all" goes on; the page shows the bare code.
    """
    source = cell["source"]
    lines = _normalise("".join(source) if isinstance(source, list) else source)
    if lines and lines[0].startswith("# Not run when this notebook was made"):
        if "if RUN_THIS_CELL:" in lines:
            start = lines.index("if RUN_THIS_CELL:") + 1
            end = len(lines) - 1 - lines[::-1].index("else:")
            return [line[4:] for line in lines[start:end]]
        return lines[1:]
    if lines and lines[0].startswith("try:  # this cell raises"):
        end = max(i for i, line in enumerate(lines) if line.startswith("except "))
        return [line[4:] for line in lines[1:end]]
    return lines


def fence_error_problems(record: Visit) -> list[str]:
    """Outputs that show a traceback or an error stream."""
    return [f"error shown: {text}" for text in record.dom["errors"]]


def figure_problems(record: Visit) -> list[str]:
    """Images that did not load, and figures without alt text."""
    problems = []
    for image in record.dom["images"]:
        if not image["width"]:
            problems.append(f"image did not load: {image['src']!r}")
        if image["alt"] is None or (image["figure"] and not image["alt"].strip()):
            problems.append(f"image without alt text: {image['src']!r}")
    return problems


def copy_button_problems(record: Visit) -> list[str]:
    """Code blocks without Material's copy button."""
    dom = record.dom
    if dom["copyButtons"] < dom["codeBlocks"]:
        return [
            f"{dom['codeBlocks'] - dom['copyButtons']} of {dom['codeBlocks']} code blocks"
            " have no copy button"
        ]
    return []


def overflow_problems(record: Visit) -> list[str]:
    """Horizontal scrolling of the page body at phone width."""
    phone = record.phone
    if phone["scrollWidth"] > phone["clientWidth"]:
        return [
            f"body scrolls sideways at {PHONE['width']} px: scrollWidth {phone['scrollWidth']}"
            f" > {phone['clientWidth']}; sticking out: {', '.join(phone['culprits']) or '?'}"
        ]
    return []


def axe_problems(record: Visit) -> list[str]:
    """Serious and critical accessibility violations."""
    return [
        f"{v['impact']} {v['id']} ({v['help']}) on {v['count']} node(s)"
        + (f" and {v['alike']} more of the same style" if v.get("alike") else "")
        + f": {'; '.join(v['nodes'])}"
        for v in record.axe
        if v["impact"] in AXE_FAILING
    ]


def weight_problems(record: Visit, budget: int = BUDGET_BYTES) -> list[str]:
    """A first visit transferring more than the budget."""
    if record.total_bytes > budget:
        return [f"{record.total_bytes / 1e6:.2f} MB transferred, budget {budget / 1e6:.2f} MB"]
    return []


def largest_assets(record: Visit, count: int = 3) -> list[tuple[int, str]]:
    """Return the page's largest transfers as (bytes, path) pairs."""
    items = sorted(((size, url) for url, size in record.transferred.items()), reverse=True)
    return [(size, urllib.parse.urlsplit(url).path) for size, url in items[:count]]


def weight_table(records: list[Visit], budget: int = BUDGET_BYTES) -> str:
    """Format the page-weight report: bytes per page and its largest assets."""
    lines = [
        f"{'page':<38} {'sent KB':>8} {'raw KB':>8} {'files':>5}  largest assets (KB sent)",
    ]
    for record in records:
        assets = ", ".join(
            f"{posixpath.basename(path.rstrip('/')) or 'index'} {size / 1024:.0f}"
            for size, path in largest_assets(record)
        )
        flag = "  OVER BUDGET" if record.total_bytes > budget else ""
        lines.append(
            f"{'/' + record.url:<38} {record.total_bytes / 1024:>8.0f} "
            f"{record.decoded_bytes / 1024:>8.0f} {len(record.transferred):>5}  {assets}{flag}"
        )
    total = sum(record.total_bytes for record in records)
    heaviest = max(records, key=lambda record: record.total_bytes, default=None)
    lines.append(
        f"{len(records)} pages, {total / 1024:.0f} KB sent in all; heaviest "
        f"/{heaviest.url if heaviest else ''} {heaviest.total_bytes / 1024 if heaviest else 0:.0f}"
        f" KB; budget {budget / 1024:.0f} KB a page (gzip as on GitHub Pages; raw = decompressed)"
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------- links


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.ids.add(values[name])
        for name in ("href", "src"):
            if tag in ("a", "link", "script", "img", "source", "iframe") and values.get(name):
                self.links.append(values[name])


def link_problems(site: Path, pages: list[str] | None = None, base: str | None = None) -> list[str]:
    """Internal links (href and src) that point at no file of the build, or no anchor.

    Args:
        site: The build folder.
        pages: Page paths to read; every ``*.html`` file when None.
        base: The path the site is published under (absolute links must start
            with it); read from the sitemap when None.

    Returns:
        Problems as ``page: link``.
    """
    files = (
        sorted(site.rglob("*.html"))
        if pages is None
        else [site / (url + "index.html") for url in pages]
    )
    base = site_base(site) if base is None else base
    parsed: dict[Path, _Links] = {}

    def parse(path: Path) -> _Links:
        if path not in parsed:
            parser = _Links()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            parsed[path] = parser
        return parsed[path]

    problems = []
    for file in files:
        if file.name == "404.html":
            continue
        for link in parse(file).links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("data:", "mailto:", "#")):
                if link.startswith("#") and link[1:] and not _has_anchor(parse(file), link[1:]):
                    problems.append(f"{file.relative_to(site)}: {link} (no such anchor)")
                continue
            path = urllib.parse.unquote(parts.path)
            if path.startswith("/"):
                if not path.startswith(base):
                    problems.append(f"{file.relative_to(site)}: {link} (outside {base})")
                    continue
                target = site / path[len(base) :]
            else:
                target = (file.parent / path).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{file.relative_to(site)}: {link} (no such file)")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and not _has_anchor(parse(target), urllib.parse.unquote(parts.fragment))
            ):
                problems.append(f"{file.relative_to(site)}: {link} (no such anchor)")
    return list(dict.fromkeys(problems))  # a link in both sidebars is one problem


def _has_anchor(parsed: _Links, anchor: str) -> bool:
    # Material's own targets (#__skip style) and line anchors are made by scripts.
    return anchor in parsed.ids or anchor.startswith("__")


def failures_message(visits: dict[str, Visit], check, *args) -> str:
    """Run one check over every visit; return a message naming each failing page, or "".

    Args:
        visits: The visits, by page path.
        check: One of the ``*_problems`` functions.
        *args: Passed to the check after the visit.

    Returns:
        The message, or an empty string when every page passes.
    """
    failures = {url: check(record, *args) for url, record in visits.items()}
    failures = {url: problems for url, problems in failures.items() if problems}
    if not failures:
        return ""
    lines = [f"{len(failures)} of {len(visits)} pages fail {check.__name__}:"]
    for url, problems in failures.items():
        lines.append(f"  /{url}")
        lines += [f"      {problem}" for problem in problems[:10]]
        if len(problems) > 10:
            lines.append(f"      ... and {len(problems) - 10} more")
    return "\n".join(lines)


def save_report(records: list[Visit], path: Path) -> None:
    """Write the visits' weights as JSON (for comparing runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        record.url or "/": {
            "bytes": record.total_bytes,
            "decoded_bytes": record.decoded_bytes,
            "requests": len(record.transferred),
            "seconds": round(record.seconds, 2),
            "timings": record.timings,
            "largest": largest_assets(record, 5),
        }
        for record in records
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
