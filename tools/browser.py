"""Open a report in the system's headless Chromium: for the browser tests and for looking at it.

``python tools/browser.py REPORT_FOLDER [OUT_DIR]`` writes screenshots at 1280 px and 390 px wide
(the page cut into screen-high slices) and the printed PDF's first pages as PNG (needs pdftoppm),
so a person can read the report as a funder would before it goes out.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

#: Flags for a headless Chromium that makes no network connection of its own.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions"]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class DevTools:
    """The smallest Chrome DevTools Protocol client the tests and tools need."""

    def __init__(self, websocket_url: str):
        import websocket

        self.socket = websocket.create_connection(websocket_url, timeout=60)
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

    def open(self, url: str, width: int = 1280, height: int = 900) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=width < 600)
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def screenshot(self, path: Path, *, clip: dict | None = None) -> Path:
        params = {"format": "png", "captureBeyondViewport": clip is not None}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        shot = self.call("Page.captureScreenshot", **params)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def page_height(self) -> int:
        return int(self.evaluate("document.documentElement.scrollHeight"))


@contextlib.contextmanager
def browser() -> Iterator[DevTools]:
    """A headless Chromium with DevTools attached to one blank page."""
    binary = chromium()
    if binary is None:
        raise RuntimeError("Chromium is not installed (Debian: apt-get install chromium)")
    profile = Path(tempfile.mkdtemp(prefix="evalkit-chromium-"))
    process = subprocess.Popen([binary, *FLAGS, "--remote-debugging-port=0",
                                f"--user-data-dir={profile}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            target = next(t for t in json.load(response) if t["type"] == "page")
        tools = DevTools(target["webSocketDebuggerUrl"])
        for domain in ("Page", "Runtime", "Log"):
            tools.call(f"{domain}.enable")
        try:
            yield tools
        finally:
            tools.socket.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


def screenshots(report: Path, out: Path, *, slices: int = 4) -> list[Path]:
    """Screenshots of ``report/report.html`` at 1280 and 390 px, in screen-high slices."""
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    url = (report / "report.html").resolve().as_uri()
    with browser() as tools:
        for width, height in ((1280, 1400), (390, 1600)):
            tools.open(url, width, height)
            total = tools.page_height()
            for i in range(min(slices, -(-total // height))):
                clip = {"x": 0, "y": i * height, "width": width,
                        "height": min(height, total - i * height)}
                shots.append(tools.screenshot(out / f"page-{width}-{i + 1}.png", clip=clip))
    return shots


def pdf_pages(pdf: Path, out: Path, pages: int = 3) -> list[Path]:
    """The first ``pages`` pages of a PDF as PNG images (pdftoppm from poppler-utils)."""
    if shutil.which("pdftoppm") is None:
        return []
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", str(pages), str(pdf),
                    str(out / "pdf")], check=True)
    return sorted(out.glob("pdf-*.png"))


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else folder / "screenshots"
    made = screenshots(folder, target)
    if (folder / "report.pdf").exists():
        made += pdf_pages(folder / "report.pdf", target)
    print("\n".join(str(p) for p in made))
