"""A real browser against `streamlit run app.py`: ask, get a cited answer, open a source, follow up, check a
vignette's criteria table, open the Sources page; screenshots and timings go to tests/artifacts/ (gitignored)."""
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
# research/deps.md §6: the system Chromium through Playwright; never `playwright install`.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIGNETTE = "62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: is liver transplantation an option?"


SCROLL_TO = """e => { let n = e.parentElement;
  while (n && !(n.scrollHeight > n.clientHeight + 5 && /(auto|scroll)/.test(getComputedStyle(n).overflowY))) n = n.parentElement;
  if (n) n.scrollTop = e.getBoundingClientRect().top - n.getBoundingClientRect().top + n.scrollTop - 90; }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(built_index, tmp_path):
    """`streamlit run` on a free port; yields (url, time the command was started)."""
    port = free_port()
    env = {**os.environ, "NETLM_INDEX_DIR": str(built_index.paths.index), "NETLM_DATA_DIR": str(tmp_path / "data"),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    log = open(tmp_path / "streamlit.log", "wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not become healthy in 120 s")
        if proc.poll() is not None:
            pytest.fail("streamlit exited: " + (tmp_path / "streamlit.log").read_text()[-2000:])
        yield url, t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def shot(page, name: str, message_index: int | None = None) -> Path:
    """Viewport screenshot (Streamlit scrolls inside its own container, so full_page adds nothing); optionally
    with one chat message scrolled to the top first. Waits for expander animations to settle."""
    page.wait_for_timeout(900)
    if message_index is not None:
        # The chat scrolls inside <main> and sticks to the bottom; set that container's scrollTop directly.
        page.get_by_test_id("stChatMessage").nth(message_index).evaluate(SCROLL_TO)
        page.wait_for_timeout(500)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def submit(page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"Debian chromium not installed at {CHROMIUM} "
                    "(apt-get install -y chromium); the browser test drives it through Playwright")
def test_ask_in_browser_open_a_source_and_check_a_vignette(server):
    from playwright.sync_api import sync_playwright

    url, started = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.goto(url)
            page.get_by_test_id("stChatInputTextArea").wait_for(timeout=180_000)
            submit(page, "What are the Milan criteria for liver transplantation?")
            answer = page.get_by_test_id("stChatMessage").nth(1)
            answer.get_by_text("[1]").first.wait_for(timeout=180_000)
            cold_s = time.perf_counter() - started
            answer.get_by_text("Sources (").first.click()
            answer.get_by_text("Open in Sources").first.wait_for(timeout=30_000)
            assert answer.locator("strong").count() >= 2          # [1] markers and the highlighted sentence
            shot(page, "chat_answer.png", 0)

            t1 = time.perf_counter()
            submit(page, VIGNETTE)
            page.get_by_test_id("stChatMessage").nth(3).get_by_text("Criteria check").wait_for(timeout=60_000)
            page.get_by_test_id("stChatMessage").nth(3).get_by_text("CONTRAINDICATED").first.wait_for()
            warm_s = time.perf_counter() - t1
            shot(page, "chat_vignette.png", 2)

            t2 = time.perf_counter()
            submit(page, "And for TACE?")
            page.get_by_text("Searched as:").first.wait_for(timeout=60_000)
            follow_s = time.perf_counter() - t2
            shot(page, "chat_follow_up.png", 4)

            answer.get_by_text("Open in Sources").first.click()
            page.get_by_role("heading", name="Cited passage").wait_for(timeout=60_000)
            shot(page, "sources_page.png")

            # A new session, so the question is not read as a follow-up to the vignette above.
            fresh = browser.new_page(viewport={"width": 1400, "height": 1300})
            fresh.goto(url)
            fresh.get_by_test_id("stChatInputTextArea").wait_for(timeout=60_000)
            submit(fresh, "For LT, is the Ki-67 ceiling 5% or 10%? La Salvia vs Gangi.")
            reply = fresh.get_by_test_id("stChatMessage").nth(1)
            reply.get_by_text("Criteria the reviews state for this question").wait_for(timeout=60_000)
            reply.get_by_text("The reviews set different limits:").wait_for()
            shot(fresh, "chat_asked_criteria.png", 1)
        finally:
            browser.close()
    (ARTIFACTS / "browser_timings.txt").write_text(
        f"command to first cited answer (cold: server start, model and index load): {cold_s:.1f} s\n"
        f"vignette turn (warm): {warm_s:.1f} s\nfollow-up turn (warm): {follow_s:.1f} s\n", encoding="utf-8")
    # No assertion on the timings: they are recorded for the README, and each wait above already fails on a hang.
