"""Open the sample funder report in a real browser (headless Chromium from the system).

Checks what a reader would notice: every image loads, the console stays free of errors, every
contents link lands on a heading, and the page fits a phone screen without sideways scrolling.
Screenshots are kept under ``reports/test-artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from tests.conftest import ROOT, SAMPLE

from evalkit.publish import report

ARTIFACTS = ROOT / "reports" / "test-artifacts"
CHROMIUM = report.chromium_path()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (.ci/run installs it)")


class DevTools:
    """The smallest Chrome DevTools Protocol client that this test needs."""

    def __init__(self, websocket_url: str):
        import websocket

        self.socket = websocket.create_connection(websocket_url, timeout=30)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(method)
            self.events.append(json.loads(self.socket.recv()))

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        return result["result"].get("value")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "sample"
    report.render_report(SAMPLE, out_dir=out, audience="funder", show_progress=False)
    profile = Path(tempfile.mkdtemp(prefix="evalkit-chromium-"))
    browser = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or browser.poll() is not None:
                pytest.fail("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            target = next(t for t in json.load(response) if t["type"] == "page")
        tools = DevTools(target["webSocketDebuggerUrl"])
        for domain in ("Page", "Runtime", "Log"):
            tools.call(f"{domain}.enable")
        tools.call("Page.navigate", url=(out / "report.html").resolve().as_uri())
        tools.wait_for("Page.loadEventFired")
        yield tools
        tools.socket.close()
    finally:
        browser.terminate()
        browser.wait(timeout=30)


def _screenshot(tools: DevTools, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
    path = ARTIFACTS / name
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def test_every_image_loads(page):
    counts = page.evaluate("""(async () => {
        const images = [...document.images];
        await Promise.all(images.map(i => i.decode().catch(() => null)));
        return [images.length, images.filter(i => i.complete && i.naturalWidth > 0).length];
    })()""")
    assert counts[0] >= 10 and counts[1] == counts[0]


def test_no_console_errors(page):
    errors = [e for e in page.events
              if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled"
                  and e["params"]["type"] in ("error", "assert"))
              or (e.get("method") == "Log.entryAdded"
                  and e["params"]["entry"]["level"] == "error")]
    assert errors == []


def test_contents_links_resolve(page):
    missing = page.evaluate("""[...document.querySelectorAll('nav.contents a')]
        .map(a => a.getAttribute('href').slice(1))
        .filter(id => !document.getElementById(id))""")
    count = page.evaluate("document.querySelectorAll('nav.contents a').length")
    assert count >= 5 and missing == []


def test_fits_a_phone_and_keeps_screenshots(page):
    _screenshot(page, "report-desktop.png")
    page.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1,
              mobile=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    path = _screenshot(page, "report-phone.png")
    assert path.stat().st_size > 10_000
    assert overflow <= 1
