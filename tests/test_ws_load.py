"""bench/ws_load.py against the real app: browserless websocket sessions update Repair, images included."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import ws_load
from bench.app_latency import free_port, stop_server, wait_healthy
from bench.load import server_env, start_server
from bench.ws_pages import PAGES
from bench.ws_session import Session, array_state

PNG = b"\x89PNG\r\n\x1a\n"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    """The app served from this checkout on a free port, as bench/ws_load.py starts it."""
    port = free_port()
    server = start_server(port, server_env(), log_path=tmp_path_factory.mktemp("ws_load") / "server.log")
    try:
        wait_healthy(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(server)


def run_in_own_loop(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API, which the browser tests run in this process
    before these tests, leaves an event loop running in the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_sessions_update_repair_without_errors(server_url):
    args = ws_load.parse_args(["--sessions", "2", "--updates", "2", "--think", "0.2", "--ramp", "0",
                               "--seconds", "60", "--timeout", "30"])
    result = run_in_own_loop(ws_load.run_load(server_url, args, [], {}))
    assert result["errors"]["total"] == 0, result["errors"]
    assert result["first_load"]["n"] == 2
    assert result["updates"] == 4
    assert result["images_per_update"] >= 3  # original, damaged, mask and the repairs


def test_slider_change_reaches_the_server_and_images_are_fetched(server_url):
    async def two_updates():
        session = Session(server_url, "repair", PAGES["repair"].query(3), timeout=30)
        try:
            first = await session.open()
            damaged_before = damaged_url(first)
            updates, urls = [], []
            for p in (0.35, 0.65):
                updates.append(await session.change("repair_p", array_state("double_array_value", [p])))
                urls.append(session.query_string)  # the page writes its setup into the URL
            return session, first, damaged_before, updates, urls
        finally:
            await session.close()

    session, first, damaged_before, updates, urls = run_in_own_loop(two_updates())
    assert first.status == ForwardMsg.FINISHED_SUCCESSFULLY
    assert "repair_p" in {w.key for w in session.widgets.values()} and session.widget("repair_p").fragment_id
    seen = [damaged_before]
    for update, url, p in zip(updates, urls, ("0.35", "0.65"), strict=True):
        assert f"p={p}" in url.split("&")
        assert update.status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY  # only the fragment reran
        assert update.images and all(body.startswith(PNG) for body in update.images.values())
        seen.append(damaged_url(update))
    assert len(set(seen)) == 3  # a new damaged digit at each p


def damaged_url(update) -> str:
    """The url of the image captioned "damaged" in an update."""
    return next(img.url for images in update.find("imgs") for img in images.imgs if img.caption == "damaged")
