"""A real browser against `streamlit run app.py`: ask, get a cited answer, open a source, screenshot."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(built_index, tmp_path):
    port = free_port()
    env = {**os.environ, "NETLM_INDEX_DIR": str(built_index.paths.index), "NETLM_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stderr.read().decode()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium not installed (.ci/run installs it)")
def test_ask_in_browser_and_open_a_source(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        t0 = time.perf_counter()
        page.goto(server)
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(timeout=120_000)
        box.fill("62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: is liver transplantation an option?")
        box.press("Enter")
        page.get_by_text("[1]").first.wait_for(timeout=120_000)
        first_answer_s = time.perf_counter() - t0
        page.get_by_text("Sources (").first.click()
        page.get_by_text("Open in Sources").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "chat_answer.png"), full_page=True)
        t1 = time.perf_counter()
        box.fill("And for TACE?")
        box.press("Enter")
        page.get_by_text("Searched as:").first.wait_for(timeout=60_000)
        warm_turn_s = time.perf_counter() - t1
        page.get_by_text("Open in Sources").first.click()
        page.get_by_text("Cited passage").first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "sources_page.png"), full_page=True)
        browser.close()
    (ARTIFACTS / "browser_timings.txt").write_text(
        f"page load to first cited answer: {first_answer_s:.1f} s\nfollow-up turn: {warm_turn_s:.1f} s\n")
    assert first_answer_s < 300
