"""One Streamlit 1.67 user without a browser: the websocket protocol the frontend speaks, for bench/ws_load.py.

A session does what the browser does on a deep link and after each interaction:

1. GET /_stcore/health and keep its cookies (`_streamlit_xsrf`, a proxy's sticky `SERVERID`, ...); they go
   back on the websocket upgrade and on every media GET.
2. Open ws://HOST/_stcore/stream with subprotocols ["streamlit", xsrf token] and the page's own Origin, and
   send a BackMsg.rerun_script (a ClientState) naming the page (`page_name`) with its query string. The
   navigation message then gives the page's `page_script_hash`, which every later rerun sends
   (new_session.page_script_hash is the router's: sending it runs Home).
3. Read ForwardMsgs until `script_finished` (FINISHED_SUCCESSFULLY, or FINISHED_FRAGMENT_RUN_SUCCESSFULLY
   for a fragment; FINISHED_EARLY_FOR_RERUN means another run follows), then GET every image URL the run's
   deltas named, each on a fresh connection (uvicorn drops idle keep-alive ones after 5 s). Only then is the
   update done.

Widget values are kept as the frontend's WidgetStateManager keeps them: one serialized WidgetState per
widget id, taken from each widget delta (its `value` when the server set one, else its `default` the first
time), pruned to the widgets the last run drew, and sent as a full set with every rerun. A change to a
widget drawn inside an `st.fragment` (its delta carries `fragment_id`) is sent as a fragment rerun
(ClientState.fragment_id); a button's trigger value goes with one rerun only. Messages the server only
refers to by hash (`ref_hash`) are answered from a cache of the cacheable ones, whose hashes every rerun
reports in `cached_message_hashes`, as the browser's ForwardMsgCache does.

Not a script: see bench/ws_load.py.
"""

import asyncio
import base64
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
MEDIA_PARALLEL = 6  # connections a browser opens to one host at once
MAX_MESSAGE_BYTES = 64 * 2**20


def array_state(name: str, values) -> WidgetState:
    """A WidgetState (without id) holding `values` in the repeated field `name` (e.g. double_array_value)."""
    state = WidgetState()
    getattr(state, name).data.extend(values)
    return state


def scalar_state(name: str, value) -> WidgetState:
    """A WidgetState (without id) holding `value` in field `name` (e.g. int_value, trigger_value)."""
    state = WidgetState()
    setattr(state, name, value)
    return state


# What the frontend stores for a widget when its delta arrives: element type -> (the proto -> WidgetState or
# None). The value the server set (`set_value`) wins; otherwise the widget's default, unless a value is kept.
# Buttons are triggers (sent once, never kept); charts and dataframes have a value only once selected.
WIDGET_VALUES = {
    "slider": lambda w: array_state("double_array_value", w.value if w.set_value else w.default),
    "number_input": lambda w: scalar_state("int_value", int(w.value if w.set_value else w.default))
    if w.data_type == NumberInput.INT else scalar_state("double_value", w.value if w.set_value else w.default),
    "selectbox": lambda w: scalar_state("string_value", w.raw_value) if w.set_value
    else scalar_state("string_value", w.options[w.default]) if w.HasField("default") and w.options else None,
    "button_group": lambda w: array_state("string_array_value",
                                     w.raw_values if w.set_value else [w.options[i].content for i in w.default]),
    "checkbox": lambda w: scalar_state("bool_value", w.value if w.set_value else w.default),
    "radio": lambda w: scalar_state("string_value", w.raw_value) if w.set_value
    else scalar_state("string_value", w.options[w.default]) if w.HasField("default") and w.options else None,
    "text_input": lambda w: scalar_state("string_value", w.value if w.set_value else w.default),
    "text_area": lambda w: scalar_state("string_value", w.value if w.set_value else w.default),
}


class UpdateError(Exception):
    """An update that failed: `reason` is the short kind counted in the report."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


@dataclass
class Widget:
    """A widget the last runs drew: its id, element type, user key, fragment and its proto."""
    id: str
    kind: str
    fragment_id: str
    proto: object

    @property
    def key(self) -> str:
        """The user key: ids look like `$$ID-<hash>-<key>`."""
        return self.id.split("-", 2)[2] if self.id.startswith("$$ID-") else ""


@dataclass
class Update:
    """What one rerun brought: its latency (send -> script_finished -> images fetched), the new elements,
    its images (url -> bytes) and how many of them took a GET (data: URLs come inline), the exceptions shown,
    and the finishing status."""
    ms: float = 0.0
    elements: list = field(default_factory=list)  # (element type, proto, fragment_id) in arrival order
    images: dict = field(default_factory=dict)
    fetched: int = 0
    exceptions: list = field(default_factory=list)
    status: int | None = None

    def find(self, kind: str) -> list:
        """The protos of this update's elements of one type (e.g. "slider", "imgs", "markdown")."""
        return [proto for k, proto, _ in self.elements if k == kind]


async def http_get(url: str, cookies: dict, timeout: float) -> tuple[int, list[str], bytes]:
    """GET `url` on a fresh connection (HTTP/1.0: no keep-alive, no chunking): (status, Set-Cookie values, body)."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\nUser-Agent: ae-lab-ws-load\r\n" + \
        (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n"
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        try:
            writer.write(request.encode())
            raw = await reader.read()
        finally:
            writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    headers = [line.split(":", 1) for line in lines[1:] if ":" in line]
    return status, [v.strip() for k, v in headers if k.strip().lower() == "set-cookie"], body


def keep_cookies(cookies: dict, set_cookies: list[str]) -> None:
    """Add the cookies of Set-Cookie header values to `cookies` (name -> value)."""
    for header in set_cookies:
        parsed = SimpleCookie()
        parsed.load(header)
        cookies.update({name: morsel.value for name, morsel in parsed.items()})


class Session:
    """One user of the app at `base` (http://host:port), on the page with url path `page`."""

    def __init__(self, base: str, page: str, query_string: str = "", timeout: float = 30):
        self.base, self.page, self.query_string, self.timeout = base.rstrip("/"), page, query_string, timeout
        self.cookies: dict[str, str] = {}
        self.states: dict[str, WidgetState] = {}  # widget id -> the value the frontend would send
        self.widgets: dict[str, Widget] = {}  # widget id -> the widget as last drawn
        self.page_script_hash = ""
        self.ws = None
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (cacheable message, run it was last used)
        self.runs, self.max_cached_age = 0, 2  # runs so far; how many runs a cached message outlives unused

    async def open(self) -> Update:
        """Health check, websocket, first run of the page (with its images). Again after a failure, it is
        a reload: same cookies and URL, the widgets and the message cache start over."""
        self.states, self.widgets, self.cache, self.runs, self.page_script_hash = {}, {}, {}, 0, ""
        try:
            status, set_cookies, _ = await http_get(self.base + "/_stcore/health", self.cookies, self.timeout)
        except (OSError, TimeoutError) as err:
            raise UpdateError("connect", f"/_stcore/health: {type(err).__name__}: {err}") from err
        if status != 200:
            raise UpdateError("connect", f"/_stcore/health answered {status}")
        keep_cookies(self.cookies, set_cookies)
        url = "ws" + self.base[len("http"):] + "/_stcore/stream"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        try:
            self.ws = await websockets.connect(
                url, subprotocols=["streamlit", self.cookies.get("_streamlit_xsrf", "")], origin=self.base,
                additional_headers=headers, max_size=MAX_MESSAGE_BYTES, proxy=None, open_timeout=self.timeout)
        except (OSError, TimeoutError, websockets.InvalidHandshake) as err:
            raise UpdateError("connect", f"websocket: {type(err).__name__}: {err}") from err
        keep_cookies(self.cookies, self.ws.response.headers.get_all("Set-Cookie"))  # e.g. a proxy's, if new
        return await self._rerun(page_name=self.page)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    def widget(self, key: str) -> Widget:
        """The widget with user key `key` as last drawn (UpdateError "widget" if the page has none)."""
        for widget in self.widgets.values():
            if widget.key == key:
                return widget
        raise UpdateError("widget", f"no widget {key!r} on {self.page}: {sorted(w.key for w in self.widgets.values())}")

    def value(self, key: str) -> WidgetState | None:
        """The value the frontend holds for widget `key`, or None."""
        return self.states.get(self.widget(key).id)

    async def change(self, key: str, state: WidgetState) -> Update:
        """Set widget `key` to `state` (a WidgetState without id) and rerun, as a fragment rerun if the
        widget lives in a fragment. A trigger value is sent with this rerun only."""
        widget = self.widget(key)
        state.id = widget.id
        trigger = state.WhichOneof("value") in ("trigger_value", "json_trigger_value", "string_trigger_value")
        if not trigger:
            self.states[widget.id] = state
        return await self._rerun(fragment_id=widget.fragment_id, trigger=state if trigger else None)

    async def _rerun(self, page_name: str = "", fragment_id: str = "", trigger: WidgetState | None = None) -> Update:
        """Send one rerun_script and wait for the update to be on screen; raises UpdateError."""
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string, client.page_name, client.page_script_hash = \
            self.query_string, page_name, self.page_script_hash
        client.fragment_id = fragment_id
        client.widget_states.widgets.extend(self.states.values())
        if trigger is not None:
            client.widget_states.widgets.append(trigger)
        client.cached_message_hashes.extend(self.cache)
        client.context_info.timezone, client.context_info.timezone_offset = "UTC", 0
        client.context_info.locale, client.context_info.url = "en-US", f"{self.base}/{self.page}"
        update, began = Update(), time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                await self.ws.send(msg.SerializeToString())
                seen = await self._read_run(update)
                self._forget_stale(seen, fragment_id)
                await self._fetch_images(update)
        except TimeoutError as err:
            raise UpdateError("timeout", f"no finished update within {self.timeout:g} s") from err
        except websockets.ConnectionClosed as err:
            raise UpdateError("disconnect", str(err)) from err
        update.ms = round(1000 * (time.perf_counter() - began), 1)
        if update.exceptions:
            raise UpdateError("exception", " | ".join(update.exceptions))
        return update

    async def _read_run(self, update: Update) -> set[str]:
        """Read ForwardMsgs until this run has finished; returns the widget ids it drew."""
        seen = set()
        while True:
            msg = self._resolve(ForwardMsg.FromString(await self.ws.recv()))
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._on_element(msg.delta.new_element, msg.delta.fragment_id, update, seen)
            elif kind == "new_session":
                self.max_cached_age = msg.new_session.config.max_cached_message_age or self.max_cached_age
            elif kind == "navigation":
                self.page_script_hash = msg.navigation.page_script_hash
                pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                if pages.get(self.page) != self.page_script_hash:
                    raise UpdateError("page not found", f"{self.page!r} is not among {sorted(pages)}")
            elif kind == "page_not_found":
                raise UpdateError("page not found", msg.page_not_found.page_name)
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # another run follows (st.rerun, or a rerun request that arrived meanwhile)
                update.status = msg.script_finished
                self._age_cache()
                if msg.script_finished not in DONE:
                    raise UpdateError("script", ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))
                return seen

    def _resolve(self, msg: ForwardMsg) -> ForwardMsg:
        """A message itself, or the cached one a `ref_hash` refers to; caches cacheable messages."""
        if msg.WhichOneof("type") == "ref_hash":
            if msg.ref_hash not in self.cache:
                raise UpdateError("protocol", f"ref_hash {msg.ref_hash} was never cached")
            cached = self.cache[msg.ref_hash][0]
            self.cache[msg.ref_hash] = (cached, self.runs)
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(msg.metadata)  # the delta path is the reference's
            return resolved
        if msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = (msg, self.runs)
        return msg

    def _age_cache(self) -> None:
        """After a run: forget messages not used for more than max_cached_message_age runs."""
        self.runs += 1
        self.cache = {h: (m, run) for h, (m, run) in self.cache.items() if self.runs - run <= self.max_cached_age}

    def _on_element(self, element, fragment_id: str, update: Update, seen: set[str]) -> None:
        """Record a new element: its widget (and value), its images, its exception."""
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        update.elements.append((kind, proto, fragment_id))
        if kind == "imgs":
            update.images.update({img.url: b"" for img in proto.imgs if img.url})
        elif kind == "exception":
            update.exceptions.append(f"{proto.type}: {proto.message}")
        widget_id = getattr(proto, "id", "") if proto.DESCRIPTOR.fields_by_name.get("id") else ""
        if widget_id:
            seen.add(widget_id)
            self.widgets[widget_id] = Widget(widget_id, kind, fragment_id, proto)
            state = WIDGET_VALUES[kind](proto) if kind in WIDGET_VALUES else None
            if state is not None and (widget_id not in self.states or getattr(proto, "set_value", False)):
                state.id = widget_id
                self.states[widget_id] = state

    def _forget_stale(self, seen: set[str], fragment_id: str) -> None:
        """Drop the widgets the run did not draw again: all of them after a full run, the fragment's after a
        fragment run (the frontend's removeInactive)."""
        stale = [w.id for w in self.widgets.values()
                 if w.id not in seen and (not fragment_id or w.fragment_id == fragment_id)]
        for widget_id in stale:
            self.widgets.pop(widget_id)
            self.states.pop(widget_id, None)

    async def _fetch_images(self, update: Update) -> None:
        """GET every image of the update, a few at a time, each on a fresh connection; decode data: URLs."""
        gate = asyncio.Semaphore(MEDIA_PARALLEL)

        async def fetch(url: str) -> None:
            if url.startswith("data:"):
                head, _, data = url.partition(",")
                update.images[url] = base64.b64decode(data) if head.endswith(";base64") else unquote_to_bytes(data)
                return
            update.fetched += 1
            target = urljoin(self.base + "/", url)
            if urlsplit(target).netloc != urlsplit(self.base).netloc:
                raise UpdateError("media", f"{url} is not on {self.base}")
            async with gate:
                try:
                    status, set_cookies, body = await http_get(target, self.cookies, self.timeout)
                except OSError as err:
                    raise UpdateError("media", f"GET {url}: {type(err).__name__}: {err}") from err
            keep_cookies(self.cookies, set_cookies)
            if not 200 <= status < 300 or not body:
                raise UpdateError(f"media {status}", f"GET {url}: {status}, {len(body)} bytes")
            update.images[url] = body

        await asyncio.gather(*(fetch(url) for url in update.images))
