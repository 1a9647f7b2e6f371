"""Headless Chromium driven over the Chrome DevTools protocol (a WebSocket, through aiohttp, which newsmon
already depends on): open a page, type into it, click, read what it shows, see every request it made.

Chromium is /usr/bin/chromium (or NEWSMON_CHROMIUM). Without it the browser tests skip, unless
NEWSMON_REQUIRE_CHROMIUM=1 (as CI sets), when they fail.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest


def chromium() -> str:
    """The Chromium binary; skips (or fails, where it is required) when there is none."""
    found = os.environ.get("NEWSMON_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("NEWSMON_REQUIRE_CHROMIUM") == "1":
        pytest.fail("Chromium is required (NEWSMON_REQUIRE_CHROMIUM=1) but none was found")
    pytest.skip("no Chromium (set NEWSMON_CHROMIUM to its path)")


class Chromium:
    """A headless Chromium process with its DevTools endpoint on a port of its choosing."""

    def __init__(self, profile: Path) -> None:
        self._profile = profile
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def __enter__(self) -> Chromium:
        args = [
            chromium(),
            "--headless=new",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--remote-debugging-port=0",
            f"--user-data-dir={self._profile}",
            "about:blank",
        ]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to run as root (containers)
        self._process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise AssertionError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        self.port = int(port_file.read_text().split()[0])
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)


@dataclass
class Page:
    """One tab: `send` a DevTools command and get its result; `requests` lists every URL it fetched."""

    ws: aiohttp.ClientWebSocketResponse
    requests: list[tuple[str, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        command = next(self._ids)
        await self.ws.send_json({"id": command, "method": method, "params": params})
        while True:
            message = json.loads((await self.ws.receive(timeout=30)).data)
            if message.get("method") == "Network.requestWillBeSent":
                request = message["params"]["request"]
                self.requests.append((request["method"], request["url"]))
            if message.get("id") == command:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    async def evaluate(self, expression: str) -> Any:
        reply = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return reply["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 20) -> Any:
        """The first truthy value of a JavaScript expression."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    async def type_into(self, selector: str, text: str) -> None:
        """Focus the field and type, as a person would (key events, not a value set by script)."""
        await self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        await self.send("Input.insertText", text=text)


async def open_page(session: aiohttp.ClientSession, browser: Chromium) -> tuple[Page, str]:
    """A new tab with the network watched; returns it and its target id."""
    async with session.put(f"http://127.0.0.1:{browser.port}/json/new?about:blank") as reply:
        target = await reply.json(content_type=None)
    ws = await session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
    page = Page(ws)
    await page.send("Page.enable")
    await page.send("Network.enable")
    return page, str(target["id"])
