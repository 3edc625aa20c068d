"""Check the built documentation site as a reader's browser sees it.

Usage, after ``python -m sphinx -b html docs docs/_build/html``::

    python docs/check_site.py docs/_build/html [--require-browser]

Read from the HTML files (standard library only):

1. No page loads anything from outside the site: every script, stylesheet,
   preloaded file, image, frame and embedded object, and every ``url()`` or
   ``@import`` of the site's own stylesheets, is a file inside the folder.
   Links to other sites (``<a href="https://...">``) are fine: they load
   nothing until followed.
2. Every internal link resolves: its file exists in the site and its
   ``#fragment``, if any, is an ``id`` on that page.
3. The front page shows its figure: ``index.html`` has an image of class
   ``front-figure`` whose file is a PNG of a sensible size.

Rendered by headless Chromium (``chromium-headless-shell`` or ``chromium``
from Debian, or the browser named by ``--browser`` or ``$CHROME``), every
page in turn, with name resolution switched off so nothing can leave the
machine:

4. Maths renders: a page with maths holds MathJax's output after loading, and
   no raw TeX delimiters (``\\(``, ``\\[``) are left in its text.
5. The browser asked for nothing outside the site while loading the page
   (Chromium's network log records no host and no URL of any request).

Without a browser, checks 4 and 5 are skipped with a notice, or fail with
``--require-browser`` (as in CI). Exits 1 and lists every problem when a
check fails.
"""

import argparse
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
# Link relations that make the browser fetch the file while loading the page.
LOADING_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "icon",
    "manifest",
}
# Attributes that make the browser fetch a file, by tag.
LOADING_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
}
# Text that the browser does not typeset as maths (and may hold a backslash).
UNTYPESET = {"script", "style", "pre", "code", "textarea", "kbd", "samp"}
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
# Milliseconds of (virtual) time the browser gives a page's scripts to finish.
RENDER_BUDGET_MS = 10_000
# Browsers rendering pages at the same time (each is several processes).
BROWSERS_AT_ONCE = 2


class _Page(HTMLParser):
    """What one HTML page loads, links to and names."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []  # href of <a> and of non-loading <link>
        self.loads = []  # (tag, url) the browser fetches with the page
        self.images = []  # (classes, src) of <img>
        self.has_maths = False
        self.text = []  # text outside script, style, pre, code, ...
        self._skipping = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        for name in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(name):
                self.ids.add(attrs[name])
        classes = attrs.get("class", "").split()
        if "math" in classes:
            self.has_maths = True
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        elif tag == "link" and "href" in attrs:
            rels = set(attrs.get("rel", "").lower().split())
            if rels & LOADING_RELS:
                self.loads.append((tag, attrs["href"]))
            else:
                self.links.append(attrs["href"])
        for attribute in LOADING_ATTRIBUTES.get(tag, ()):
            value = attrs.get(attribute)
            if not value:
                continue
            if attribute == "srcset":
                for candidate in value.split(","):
                    self.loads.append((tag, candidate.strip().split(" ")[0]))
            else:
                self.loads.append((tag, value))
        if tag == "img":
            self.images.append((classes, attrs.get("src", "")))
        if tag in UNTYPESET:
            self._skipping.append(tag)

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping:
            self.text.append(data)


def _parse(text):
    """A parsed page."""
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _is_external(url):
    """Whether ``url`` points outside the site (a scheme other than file, or a host)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "about", "blob", "javascript", "mailto", "tel"}:
        return False
    return bool(parts.scheme) or bool(parts.netloc)


def _local_target(site, page_path, url):
    """The file a relative ``url`` on ``page_path`` points to, and its fragment."""
    parts = urlsplit(url)
    if not parts.path:
        return page_path, parts.fragment
    target = (page_path.parent / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def _pages(site):
    """The site's HTML pages (not the theme's template fragments in _static)."""
    return sorted(
        path
        for path in site.rglob("*.html")
        if not path.relative_to(site).parts[0].startswith("_")
    )


def check_loads(site, parsed):
    """Problems of check 1: a page or stylesheet loading from outside the site."""
    problems = []
    for path, page in parsed.items():
        name = path.relative_to(site)
        for tag, url in page.loads:
            if _is_external(url):
                problems.append(f"{name}: <{tag}> loads {url} from outside the site")
                continue
            target, _ = _local_target(site, path, url)
            if not target.is_file():
                problems.append(
                    f"{name}: <{tag}> loads {url}, which is not in the site"
                )
            elif site.resolve() not in target.parents:
                problems.append(
                    f"{name}: <{tag}> loads {url}, outside the site's folder"
                )
    for sheet in sorted(site.rglob("*.css")):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        for match in CSS_URL.finditer(text):
            url = match.group(1) or match.group(2)
            if _is_external(url):
                problems.append(
                    f"{sheet.relative_to(site)}: loads {url} from outside the site"
                )
    return problems


def check_links(site, parsed):
    """Problems of check 2: internal links to missing files or fragments."""
    problems = []
    ids_of = {path.resolve(): page.ids for path, page in parsed.items()}
    for path, page in parsed.items():
        name = path.relative_to(site)
        for url in sorted(set(page.links)):
            if _is_external(url) or url in {"", "#"}:
                continue
            target, fragment = _local_target(site, path, url)
            if not target.exists():
                problems.append(f"{name}: link {url} points to a missing file")
            elif fragment and target.suffix == ".html":
                ids = ids_of.get(target)
                if ids is None:
                    ids = _parse(target.read_text(encoding="utf-8")).ids
                    ids_of[target] = ids
                if unquote(fragment) not in ids:
                    problems.append(f"{name}: link {url} points to a missing anchor")
    return problems


def _png_size(path):
    """(width, height) of a PNG file, or None if it is not one."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def check_front_figure(site, parsed):
    """Problems of check 3: the front page's figure missing or broken."""
    index = site / "index.html"
    page = parsed.get(index)
    if page is None:
        return ["index.html is missing"]
    sources = [src for classes, src in page.images if "front-figure" in classes]
    if not sources:
        return ["index.html has no image of class front-figure (the benchmark figure)"]
    problems = []
    for src in sources:
        target, _ = _local_target(site, index, src)
        size = _png_size(target) if target.is_file() else None
        if size is None:
            problems.append(
                f"index.html: the front figure {src} is not a PNG file in the site"
            )
        elif size[0] < 600 or size[1] < 300:
            problems.append(
                f"index.html: the front figure {src} is only {size[0]}x{size[1]}"
            )
    return problems


def find_browser(name=None):
    """Path of a headless-capable Chromium, or None."""
    for candidate in [name, os.environ.get("CHROME"), *BROWSERS]:
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def _requested_hosts(net_log):
    """Hosts and URLs of requests in a Chromium network log (JSON)."""
    try:
        events = json.loads(net_log.read_text(encoding="utf-8"))["events"]
    except (OSError, ValueError, KeyError):
        # Chromium may leave the closing brackets off when it exits quickly.
        text = net_log.read_text(encoding="utf-8", errors="replace")
        return sorted(set(re.findall(r'"(?:url|host)":"([^"]+)"', text)))
    found = set()
    for event in events:
        params = event.get("params") or {}
        for key in ("url", "host", "original_url"):
            if key in params:
                found.add(str(params[key]))
    return sorted(found)


def render(browser, page_path, work):
    """The DOM of ``page_path`` after its scripts ran, and what it requested."""
    net_log = work / "net-log.json"
    net_log.unlink(missing_ok=True)
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={work / 'profile'}",
        # Resolve no host at all: any request for one fails at once, and
        # shows in the network log.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--log-net-log={net_log}",
        f"--virtual-time-budget={RENDER_BUDGET_MS}",
        "--dump-dom",
        page_path.resolve().as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(
            f"{browser} could not render {page_path} (exit {result.returncode}): "
            f"{result.stderr.strip()[-500:]}"
        )
    requested = _requested_hosts(net_log) if net_log.exists() else []
    # The resolver rule's own placeholder host is not a request.
    requested = [url for url in requested if "~notfound" not in url.lower()]
    return result.stdout, requested


def _check_rendered(site, path, page, browser, work):
    """Problems of checks 4 and 5 on one page, and whether its maths rendered."""
    name = path.relative_to(site)
    dom, requested = render(browser, path, work)
    problems = [f"{name}: the browser requested {url}" for url in requested]
    if not page.has_maths:
        return problems, False
    raw = RAW_TEX.findall(" ".join(_parse(dom).text))
    if "<mjx-container" not in dom:
        problems.append(f"{name}: has maths, but MathJax rendered none of it")
    elif raw:
        problems.append(
            f"{name}: {len(raw)} raw TeX delimiter(s) left after MathJax ran"
        )
    return problems, not problems


def check_in_browser(site, parsed, browser, n_browsers=BROWSERS_AT_ONCE):
    """Problems of checks 4 and 5, from every page rendered in ``browser``.

    Returns the problems and the number of pages whose maths rendered.
    ``n_browsers`` pages are rendered at a time, each browser with a
    profile folder of its own.
    """
    with tempfile.TemporaryDirectory(prefix="check-site-") as folder:
        works = [Path(folder) / str(k) for k in range(n_browsers)]
        for work in works:
            work.mkdir()
        free = queue.SimpleQueue()
        for work in works:
            free.put(work)

        def check(item):
            work = free.get()
            try:
                return _check_rendered(site, *item, browser, work)
            finally:
                free.put(work)

        with ThreadPoolExecutor(n_browsers) as pool:
            outcomes = list(pool.map(check, parsed.items()))
    problems = [problem for found, _ in outcomes for problem in found]
    return problems, sum(rendered for _, rendered in outcomes)


def main(argv=None):
    """Run the checks; print a summary; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="docs/_build/html", type=Path)
    parser.add_argument("--browser", help="Chromium executable (default: search PATH)")
    parser.add_argument(
        "--require-browser",
        action="store_true",
        help="fail instead of skipping the rendering checks when no browser is found",
    )
    options = parser.parse_args(argv)
    site = options.site
    if not (site / "index.html").is_file():
        print(f"check_site: {site} holds no index.html; build the site first.")
        return 1
    start = time.perf_counter()
    parsed = {path: _parse(path.read_text(encoding="utf-8")) for path in _pages(site)}
    problems = (
        check_loads(site, parsed)
        + check_links(site, parsed)
        + check_front_figure(site, parsed)
    )
    n_links = sum(len(page.links) for page in parsed.values())
    summary = f"{len(parsed)} pages, {n_links} links"
    browser = find_browser(options.browser)
    if browser is None:
        message = (
            "no Chromium found (Debian: apt-get install chromium-headless-shell); "
            "maths rendering and the browser's requests not checked"
        )
        if options.require_browser:
            problems.append(message)
        else:
            print(f"check_site: {message}.")
    else:
        browser_problems, rendered = check_in_browser(site, parsed, browser)
        problems += browser_problems
        summary += f", {len(parsed)} rendered in {Path(browser).name}"
        summary += f" ({rendered} with maths typeset)"
    seconds = time.perf_counter() - start
    for problem in problems:
        print(f"check_site: {problem}")
    status = "failed" if problems else "passed"
    print(
        f"check_site: {status}: {summary}, {len(problems)} problem(s), {seconds:.1f} s."
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
