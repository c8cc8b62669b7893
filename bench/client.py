"""A lightweight Streamlit viewer: one websocket to ``/_stcore/stream`` speaking the app's protobuf messages.

A browser tab does three things the benchmarks care about: it asks the server to run a page
(``BackMsg.rerun_script`` with the page and the current widget values), it receives the page as a
stream of ``ForwardMsg`` deltas, and it knows the run is over at ``script_finished``. This client
does exactly that and nothing else (no rendering, no JavaScript), so twenty of them fit on two
cores next to the server they measure. It also keeps the browser's message cache (large messages
are sent once per session, then referenced by hash), so the bytes it counts are what a browser
would receive.

    async with Viewer(url) as viewer:
        first = await viewer.run()                       # the default page
        rerun = await viewer.run(changes={"period": ("2019-01-01", "2019-12-31")})
        print(first.seconds, rerun.seconds, rerun.errors)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from dataclasses import dataclass, field
from datetime import date

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect


def run_coroutine(coroutine):
    """``asyncio.run(coroutine)``, also from a thread whose event loop is already running (Playwright's
    sync API keeps one in the test process's main thread): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


RUN_TIMEOUT_S = 120.0  # a run that takes longer counts as an error, and the viewer stops waiting
STREAM_PATH = "/_stcore/stream"
# The page-level error ui.chrome.run_page_safely shows instead of a traceback.
PAGE_FAILED_TEXT = "Something went wrong"
FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
# Widgets the viewer can set, and the WidgetState field that carries each one's value.
WIDGET_VALUE_FIELDS = {
    "selectbox": "string_value",
    "radio": "string_value",
    "date_input": "string_array_value",
    "multiselect": "string_array_value",
    "button_group": "string_array_value",
    "number_input": "double_value",
    "checkbox": "bool_value",
    "slider": "string_array_value",  # select_slider: the chosen options' labels
}


@dataclass
class Widget:
    """A widget the page drew: its id (which carries the user key), kind and choices."""

    id: str
    kind: str
    options: tuple[str, ...] = ()
    min: str | None = None  # date inputs
    max: str | None = None

    @property
    def key(self) -> str | None:
        """The ``key=`` the page gave it: Streamlit ends keyed widget ids with ``-<key>``."""
        head, _, tail = self.id.rpartition("-")
        return tail if head.startswith("$$ID") else None


@dataclass
class PageInfo:
    script_hash: str
    name: str
    url_pathname: str
    is_default: bool


@dataclass
class RunResult:
    """What one script run sent back."""

    page: str
    seconds: float
    bytes: int = 0
    messages: int = 0
    finished: bool = False
    errors: list[str] = field(default_factory=list)
    component_bytes: dict[str, int] = field(default_factory=dict)  # custom component name -> largest payload
    element_kinds: dict[str, int] = field(default_factory=dict)


class ViewerError(RuntimeError):
    pass


class Viewer:
    """One session against a running app. Not thread-safe; one coroutine drives it."""

    def __init__(self, base_url: str, run_timeout: float = RUN_TIMEOUT_S):
        self.url = (
            base_url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/") + STREAM_PATH
        )
        self.run_timeout = run_timeout
        self.pages: dict[str, PageInfo] = {}  # url_pathname -> page
        self.widgets: dict[str, Widget] = {}  # key -> widget seen in the latest run
        self.current_page: PageInfo | None = None
        self._values: dict[str, WidgetState] = {}  # widget id -> value sent with every rerun
        self._cache: dict[str, ForwardMsg] = {}  # message hash -> message, as the browser keeps it
        self._socket = None

    async def __aenter__(self) -> Viewer:
        # No Origin header: the server then skips its browser XSRF check, as for any non-browser client.
        self._socket = await connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=60)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    def page(self, url_pathname: str) -> PageInfo:
        """A page by its URL path (``""`` is the default page, ``"map"`` the Map page)."""
        if url_pathname in self.pages:
            return self.pages[url_pathname]
        known = ", ".join(repr(p) for p in self.pages) or "none yet (run the app once first)"
        raise ViewerError(f"no page at /{url_pathname}; pages: {known}")

    async def run(self, page: str | None = None, changes: dict[str, object] | None = None) -> RunResult:
        """Run ``page`` (a URL path; None = stay on the current page) with widget ``changes``
        ({widget key: new value}) applied on top of every value set before; wait for the end."""
        if self._socket is None:
            raise ViewerError("viewer is not connected")
        target = self.page(page) if page is not None else self.current_page
        if (
            target is not None
            and self.current_page is not None
            and target.script_hash != self.current_page.script_hash
        ):
            # A browser forgets a page's widget values when it leaves the page; only the shared ones stay.
            self._values = {wid: v for wid, v in self._values.items() if self._shared(wid)}
        for key, value in (changes or {}).items():
            self._set(key, value)
        message = BackMsg()
        state = message.rerun_script
        state.query_string = ""
        if target is not None:
            state.page_script_hash = target.script_hash
        state.widget_states.widgets.extend(self._values.values())
        state.cached_message_hashes.extend(self._cache)
        state.context_info.timezone = "America/New_York"
        state.context_info.locale = "en-US"
        result = RunResult(page=target.name if target else "(default)", seconds=0.0)
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        try:
            await asyncio.wait_for(self._receive_until_finished(result), self.run_timeout)
        except TimeoutError:
            result.errors.append(f"no script_finished within {self.run_timeout:.0f} s")
            # The rest of that run would arrive as the next run's messages: this session is done.
            await self.close()
        result.seconds = time.perf_counter() - started
        if self.current_page is not None:
            result.page = self.current_page.name
        return result

    def _shared(self, widget_id: str) -> bool:
        return any(w.id == widget_id and w.key in SHARED_WIDGET_KEYS for w in self.widgets.values())

    def _set(self, key: str, value: object) -> None:
        widget = self.widgets.get(key)
        if widget is None:
            seen = ", ".join(sorted(self.widgets)) or "none"
            raise ViewerError(f"no widget with key {key!r} on this page (keyed widgets seen: {seen})")
        state = WidgetState(id=widget.id)
        value_field = WIDGET_VALUE_FIELDS[widget.kind]
        if value_field == "string_array_value":
            items = value if isinstance(value, list | tuple) else [value]
            state.string_array_value.data.extend(_as_text(v) for v in items)
        elif value_field == "double_value":
            state.double_value = float(value)
        elif value_field == "bool_value":
            state.bool_value = bool(value)
        else:
            state.string_value = _as_text(value)
        self._values[widget.id] = state

    async def _receive_until_finished(self, result: RunResult) -> None:
        seen: dict[str, Widget] = {}
        while True:
            raw = await self._socket.recv()
            result.bytes += len(raw)
            result.messages += 1
            message = ForwardMsg()
            message.ParseFromString(raw)
            if message.HasField("ref_hash"):
                cached = self._cache.get(message.ref_hash)
                if cached is None:
                    result.errors.append(
                        f"server referenced a message this viewer never received ({message.ref_hash})"
                    )
                    continue
                message = cached
            elif message.metadata.cacheable and message.hash:
                self._cache[message.hash] = message
            kind = message.WhichOneof("type")
            if kind == "navigation":
                self._read_navigation(message.navigation)
            elif kind == "delta":
                self._read_delta(message, result, seen)
            elif kind == "page_not_found":
                result.errors.append(f"page not found: {message.page_not_found.page_name!r}")
            elif kind == "script_finished":
                if message.script_finished not in FINISHED_OK:
                    status = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
                    result.errors.append(f"script finished with {status}")
                result.finished = True
                if seen:
                    self.widgets = seen
                    live = {w.id for w in seen.values()}
                    self._values = {wid: v for wid, v in self._values.items() if wid in live}
                return

    def _read_navigation(self, navigation) -> None:
        self.pages = {}
        for app_page in navigation.app_pages:
            info = PageInfo(
                app_page.page_script_hash, app_page.page_name, app_page.url_pathname, app_page.is_default
            )
            self.pages[info.url_pathname] = info
            if info.is_default:
                self.pages.setdefault("", info)
        current = navigation.page_script_hash
        self.current_page = next(
            (p for p in self.pages.values() if p.script_hash == current), self.current_page
        )

    def _read_delta(self, message: ForwardMsg, result: RunResult, seen: dict[str, Widget]) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        result.element_kinds[kind] = result.element_kinds.get(kind, 0) + 1
        if kind == "exception":
            result.errors.append(
                f"exception on page: {element.exception.type}: {element.exception.message[:200]}"
            )
        elif (
            kind == "alert"
            and element.alert.format == element.alert.ERROR
            and PAGE_FAILED_TEXT in element.alert.body
        ):
            result.errors.append(f"page error shown: {element.alert.body[:200]}")
        elif kind == "component_instance":
            name = element.component_instance.component_name
            size = element.ByteSize()
            result.component_bytes[name] = max(size, result.component_bytes.get(name, 0))
        if kind in WIDGET_VALUE_FIELDS:
            widget = _widget(kind, getattr(element, kind))
            if widget.key:
                seen[widget.key] = widget


# Widgets drawn by app.py for every page; a browser keeps their values when the page changes.
SHARED_WIDGET_KEYS = frozenset({"period", "public_period_quarters"})


def _widget(kind: str, proto) -> Widget:
    options = tuple(getattr(proto, "options", ()))
    if kind == "button_group":
        options = tuple(option.content for option in proto.options)
    if kind == "date_input":
        return Widget(proto.id, kind, min=proto.min, max=proto.max)
    if kind == "slider":  # a select_slider lists its options' labels
        return Widget(proto.id, kind, options=tuple(proto.options))
    return Widget(proto.id, kind, options=options)


def _as_text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
