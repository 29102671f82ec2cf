"""The course's other editions: a PDF of the print page, and a zip that opens from file://.

    make editions                                  # build site/, then all of this, then tests
    .venv/bin/python scripts/editions.py all       # site/ must already be built
    .venv/bin/python scripts/editions.py pdf       # or one step: pdf, offline, link

Steps, each writing next to the normal build (``site/``) so the workflow publishes them
with the site:

1. ``build/print/``: the site again with mkdocs-print-site-plugin on (``PRINT_SITE=true``):
   one page, ``print_page/``, with every chapter in nav order, a cover and contents. The
   pages' outputs come from the records the normal build left, so this is a plain render.
2. ``site/practical-deep-learning.pdf``: that page printed by headless Chromium
   (Playwright's ``page.pdf``), served on 127.0.0.1 exactly as the browser tests serve the
   site, once MathJax has typeset every formula and every figure has loaded.
3. ``build/offline/``: the site again with Material's offline plugin on (``OFFLINE=true``:
   links end in ``index.html``, the search index is inlined in a script). Two fixes
   follow on every page (``make_file_friendly``): the plugin loads the iframe-worker shim
   that search needs from ``file://`` from a CDN, so it is vendored
   (``scripts/vendor/iframe-worker/``) and every page points at the copy; and instant
   navigation, which cannot work from ``file://``, is switched off in the page's theme
   configuration. Zipped, under one folder, to ``site/practical-deep-learning-offline.zip``.
4. ``site/editions.json`` says what was made (pages, bytes, date), and the home page's
   download block (``<div id="editions">`` in ``docs/index.md``) is filled from it, in
   ``site/index.html`` and in the offline copy. A build without editions keeps the
   block's own sentence and links to no file that is not there.
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import siteaudit  # noqa: E402

PDF_NAME = "practical-deep-learning.pdf"
ZIP_NAME = "practical-deep-learning-offline.zip"
ZIP_FOLDER = "practical-deep-learning"
INFO_NAME = "editions.json"
PRINT_PAGE = "print_page/"
#: The title of the engine's folded asserts (pagerun's render.py): only it shows on paper.
GUARD_TITLE = "Checked when this page was built"
SHIM_SOURCE = ROOT / "scripts" / "vendor" / "iframe-worker" / "shim.js"
SHIM_URL = "https://unpkg.com/iframe-worker/shim"
SHIM_TARGET = "assets/javascripts/iframe-worker-shim.js"
#: Material's theme configuration, read by its script on every page.
THEME_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
#: The home page's download block, as docs/index.md writes it.
BLOCK = re.compile(r'(<div class="editions-download" id="editions">)(.*?)(</div>)', re.S)
#: A fixed time stamp for every zip entry: the same files give the same zip.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)

#: Every formula typeset and every image decoded (or failed: the tests count them).
_READY = """() => {
  const page = document.querySelector('#print-site-page');
  if (!page) return false;
  const maths = Array.from(page.querySelectorAll('.arithmatex'));
  if (!maths.every(el => el.querySelector('mjx-container'))) return false;
  return Array.from(page.querySelectorAll('img')).every(img => img.complete);
}"""


def log(message: str) -> None:
    """Print one progress line."""
    print(f"editions: {message}", flush=True)


def build(dest: Path, **switches: str) -> float:
    """Build the site with some plugins switched on; return the seconds it took.

    Args:
        dest: The output folder (replaced).
        **switches: Environment variables for ``mkdocs.yml``'s ``!ENV`` options.

    Returns:
        Wall-clock seconds.

    Raises:
        SystemExit: When the strict build fails (its output is printed).
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **switches}
    began = time.perf_counter()
    done = subprocess.run(
        # Not --quiet: it silences the warnings that --strict counts, so nothing would fail.
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(dest)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - began
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"editions: mkdocs build {switches} failed")
    return took


def print_pdf(print_site: Path, pdf: Path, timeout_s: float = 300) -> dict[str, object]:
    """Print the print page of a build to a PDF with headless Chromium.

    Args:
        print_site: A build made with the print page (``PRINT_SITE=true``).
        pdf: The PDF to write.
        timeout_s: How long to wait for MathJax and the figures.

    Returns:
        What the page held when printed: figures, formulas, opened solutions.
    """
    from playwright.sync_api import sync_playwright

    if not (print_site / PRINT_PAGE / "index.html").is_file():
        raise SystemExit(f"editions: no {PRINT_PAGE} in {print_site}: build with PRINT_SITE=true")
    with siteaudit.SiteServer(print_site) as server, sync_playwright() as playwright:
        browser = siteaudit.launch(playwright)
        try:
            context = browser.new_context(
                viewport=siteaudit.DESKTOP, color_scheme="light", service_workers="block"
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server.url(PRINT_PAGE), wait_until="load", timeout=timeout_s * 1000)
            page.wait_for_function(_READY, timeout=timeout_s * 1000, polling=500)
            page.evaluate("() => document.fonts.ready.then(() => true)")
            # The page opens its collapsed blocks itself (the cover's script); say what it held.
            held = page.evaluate(
                """(GUARD) => {
                  const page = document.querySelector('#print-site-page');
                  return {
                    figures: page.querySelectorAll('img.pagerun-figure').length,
                    images: page.querySelectorAll('img').length,
                    formulas: page.querySelectorAll('mjx-container').length,
                    details: page.querySelectorAll('details').length,
                    folded: page.querySelectorAll('details.print-folded').length,
                    guards: Array.from(page.querySelectorAll('details > summary'))
                      .filter(el => el.textContent.trim().startsWith(GUARD)).length,
                  };
                }""",
                GUARD_TITLE,
            )
            pdf.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(pdf),
                format="A4",
                print_background=True,
                outline=True,  # bookmarks from the headings
                tagged=True,
                prefer_css_page_size=True,  # print.css sets A4 and the margins
            )
            context.close()
        finally:
            browser.close()
    if errors:
        log(f"the print page raised in the browser: {errors[:3]}")
    return held


def pdf_pages(pdf: Path) -> int:
    """Return a PDF's page count, from poppler's ``pdfinfo``.

    Args:
        pdf: The file.

    Returns:
        The number of pages.
    """
    if shutil.which("pdfinfo") is None:
        raise SystemExit("editions: pdfinfo not found: apt-get install poppler-utils")
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.M)
    if not match:
        raise SystemExit(f"editions: pdfinfo gave no page count for {pdf}")
    return int(match.group(1))


def make_file_friendly(offline: Path) -> int:
    """Fix what the offline plugin leaves that fails from ``file://`` with no network.

    Two things, on every page: the iframe-worker shim (search) is served from the build
    itself instead of a CDN; and instant navigation is switched off in the page's theme
    configuration, as Material's offline guide asks (it needs fetch, which browsers refuse
    on ``file://``; left on, Material 9.8 ends its ``document$`` stream before the page
    has loaded, so nothing that waits for it runs: MathJax typesets nothing).

    Args:
        offline: A build made with the offline plugin.

    Returns:
        How many pages were changed.
    """
    target = offline / SHIM_TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHIM_SOURCE, target)
    changed = 0
    for page in offline.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        relative = os.path.relpath(target, page.parent).replace(os.sep, "/")
        new = THEME_CONFIG.sub(_without_instant, text.replace(SHIM_URL, relative))
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def _without_instant(match: re.Match) -> str:
    config = json.loads(match.group(2))
    config["features"] = [
        feature
        for feature in config.get("features", [])
        if not feature.startswith("navigation.instant")
    ]
    return match.group(1) + json.dumps(config) + match.group(3)


def write_zip(folder: Path, archive: Path) -> None:
    """Zip a folder under one top folder (``practical-deep-learning/``), reproducibly.

    Args:
        folder: The offline build.
        archive: The zip to write.
    """
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            name = f"{ZIP_FOLDER}/{path.relative_to(folder).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, path.read_bytes(), compresslevel=9)
    partial.replace(archive)


def megabytes(size: int) -> str:
    """Say a size in MB (2**20 bytes), as the page-weight report does."""
    return f"{size / 2**20:.1f} MB"


def site_url() -> str:
    """The published site's address, from ``mkdocs.yml``."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    match = re.search(r"^site_url:\s*(\S+)", text, re.M)
    url = match.group(1) if match else ""
    return url if url.endswith("/") else url + "/"


def download_block(info: dict[str, dict], offline: bool = False) -> str:
    """The home page's download links, written from ``editions.json``.

    Args:
        info: The editions made (``pdf`` and ``offline``, each with name, bytes, date).
        offline: For the offline edition's own home page: the PDF is linked on the
            published site, and the zip is the copy being read.

    Returns:
        HTML for inside ``<div id="editions">``.
    """
    parts = []
    pdf = info.get("pdf")
    if pdf:
        href = (site_url() if offline else "") + pdf["name"]
        parts.append(
            f'<p><a href="{html.escape(href)}" download>Download the course as PDF</a>'
            f" ({pdf['pages']} pages, {megabytes(pdf['bytes'])}, built {pdf['date']}):"
            " every chapter with its outputs and figures, exercise solutions included.</p>"
        )
    zipped = info.get("offline")
    if zipped and offline:
        parts.append(
            f"<p>You are reading the offline edition (built {zipped['date']}): it needs no"
            " connection and no server, search included.</p>"
        )
    elif zipped:
        parts.append(
            f'<p><a href="{html.escape(zipped["name"])}" download>Download the offline site</a>'
            f" (zip, {megabytes(zipped['bytes'])}, built {zipped['date']}): unzip it and open"
            f" <code>{ZIP_FOLDER}/index.html</code> in a browser; it needs no connection and"
            " no server, search included.</p>"
        )
    return "\n".join(parts)


def fill_home(home: Path, block: str) -> None:
    """Put the download links into a built home page.

    Args:
        home: The built ``index.html``.
        block: HTML from :func:`download_block`.

    Raises:
        SystemExit: When the page has no download block (docs/index.md changed).
    """
    text = home.read_text(encoding="utf-8")
    new, count = BLOCK.subn(lambda m: m.group(1) + block + m.group(3), text, count=1)
    if count != 1:
        raise SystemExit(f'editions: no <div class="editions-download" id="editions"> in {home}')
    home.write_text(new, encoding="utf-8")


def read_info(site: Path) -> dict[str, dict]:
    """Return ``editions.json`` of a build, or an empty record."""
    path = site / INFO_NAME
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_info(site: Path, info: dict[str, dict]) -> None:
    """Write ``editions.json`` next to the editions."""
    (site / INFO_NAME).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def today() -> str:
    """Today's date (UTC), as the build date of an edition."""
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def step_pdf(args: argparse.Namespace) -> None:
    """Build the print page, print it, record the PDF in ``editions.json``."""
    took = build(args.print_site, PRINT_SITE="true")
    log(f"print build ({args.print_site}) in {took:.1f} s")
    pdf = args.site / PDF_NAME
    began = time.perf_counter()
    held = print_pdf(args.print_site, pdf)
    pages = pdf_pages(pdf)
    log(
        f"{pdf}: {pages} pages, {megabytes(pdf.stat().st_size)}, printed in"
        f" {time.perf_counter() - began:.1f} s ({held['figures']} figures,"
        f" {held['formulas']} formulas, {held['details'] - held['folded']} of"
        f" {held['details']} collapsed blocks opened, {held['folded']} folded asserts not)"
    )
    info = read_info(args.site)
    info["pdf"] = {
        "name": PDF_NAME,
        "pages": pages,
        "bytes": pdf.stat().st_size,
        "date": today(),
        "figures": held["figures"],
        "opened": held["details"] - held["folded"],
        "folded": held["folded"],
        "build_seconds": round(took, 1),
    }
    write_info(args.site, info)


def step_offline(args: argparse.Namespace) -> None:
    """Build the offline edition, vendor its one CDN script, zip it."""
    took = build(args.offline_site, OFFLINE="true")
    log(f"offline build ({args.offline_site}) in {took:.1f} s")
    log(f"{make_file_friendly(args.offline_site)} pages made to work from file://")
    info = read_info(args.site)
    info["offline"] = {"name": ZIP_NAME, "bytes": 0, "date": today()}
    # The offline home page says what it is and links the PDF on the published site.
    fill_home(args.offline_site / "index.html", download_block(info, offline=True))
    archive = args.site / ZIP_NAME
    write_zip(args.offline_site, archive)
    info["offline"]["bytes"] = archive.stat().st_size
    info["offline"]["build_seconds"] = round(took, 1)
    write_info(args.site, info)
    log(f"{archive}: {megabytes(archive.stat().st_size)}")


def step_link(args: argparse.Namespace) -> None:
    """Fill the home page's download block from ``editions.json``."""
    info = read_info(args.site)
    for key in ("pdf", "offline"):
        if key in info and not (args.site / info[key]["name"]).is_file():
            raise SystemExit(f"editions: {INFO_NAME} names {info[key]['name']}, not in {args.site}")
    fill_home(args.site / "index.html", download_block(info))
    log(f"home page links: {', '.join(info) or 'none'}")


def main(argv: list[str] | None = None) -> int:
    """Run one step or all of them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("step", choices=["all", "pdf", "offline", "link"])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the normal build")
    parser.add_argument("--print-site", type=Path, default=ROOT / "build" / "print")
    parser.add_argument("--offline-site", type=Path, default=ROOT / "build" / "offline")
    args = parser.parse_args(argv)
    args.site = args.site.resolve()
    if not (args.site / "index.html").is_file():
        parser.error(f"no built site in {args.site}: run `make build` first")
    if args.step in ("all", "pdf"):
        step_pdf(args)
    if args.step in ("all", "offline"):
        step_offline(args)
    step_link(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
