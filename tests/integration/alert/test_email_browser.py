"""The HTML email as a person sees it, in headless Chromium: a right-to-left quote reads from the right."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
from pathlib import Path

import aiohttp

from services.alert.receivers import email
from tests.integration.alert.browser import Chromium, open_page
from tests.unit.alert.test_right_to_left import ARABIC, PROOF, with_quote


async def _look_at(browser: Chromium, page_file: Path, shot: Path) -> dict[str, float | str]:
    async with aiohttp.ClientSession() as session:
        page, _ = await open_page(session, browser)
        await page.send("Page.navigate", url=page_file.as_uri())
        await page.wait_for("document.readyState === 'complete' && !!document.querySelector('blockquote')")
        seen: dict[str, float | str] = await page.evaluate(
            """(() => {
                const quote = document.querySelector('blockquote');
                const proof = quote.querySelector('strong');
                const q = quote.getBoundingClientRect(), p = proof.getBoundingClientRect();
                return {direction: getComputedStyle(quote).direction, quoteRight: q.right,
                        quoteLeft: q.left, proofRight: p.right, proofLeft: p.left};
            })()"""
        )
        picture = await page.send("Page.captureScreenshot", format="png")
        shot.write_bytes(base64.b64decode(picture["data"]))
        await page.ws.close()
        return seen


def test_a_right_to_left_quote_reads_from_the_right_in_the_html_email(tmp_path: Path) -> None:
    page_file = tmp_path / "email.html"
    page_file.write_text(email.render_html(with_quote(ARABIC, PROOF, "ar")), encoding="utf-8")
    shot = tmp_path / "email-rtl.png"
    with Chromium(tmp_path / "profile") as browser:
        seen = asyncio.run(_look_at(browser, page_file, shot))
    keep = os.environ.get("NEWSMON_SCREENSHOTS")
    if keep:  # for looking at it: NEWSMON_SCREENSHOTS=/some/dir pytest ...
        shutil.copy(shot, Path(keep) / shot.name)
    assert seen["direction"] == "rtl"
    # the words before the proof come first, so to its right; the proof is not at the quote's left edge
    assert float(seen["proofRight"]) < float(seen["quoteRight"]) - 20
    assert float(seen["proofLeft"]) > float(seen["quoteLeft"]) + 20
    assert shot.stat().st_size > 1000
