"""A browser-less Streamlit session: the app's own websocket protocol, as the frontend speaks it.

Written against Streamlit 1.67 (starlette/uvicorn server), read from its source:

* `ws://host:port/_stcore/stream` (streamlit/web/server/starlette/starlette_websocket.py), binary
  protobuf frames. The Sec-WebSocket-Protocol header carries `streamlit` (then, from a browser,
  the XSRF token and a session id to resume); without an Origin header there is no XSRF check,
  so a plain client sends only `streamlit`.
* The client starts every run: a `BackMsg.rerun_script` (ClientState) with the query string, the
  page (`page_name` = the URL path on the first run, then the `page_script_hash` of the page
  shown, which an app with `st.navigation` reports in its `navigation` message), the widget values (WidgetStates) and the hashes of the cached messages it holds.
* The server answers a run with `new_session` (carrying the run's id and, for a fragment run, its
  fragment ids), `delta`s (each element at its `metadata.delta_path`), and `script_finished`.
  A message the client said it holds comes back as `ref_hash` (runtime/forward_msg_cache.py).
  `auto_rerun` asks the client to rerun a fragment every `interval` seconds (the frontend does
  that with a timer, `st.fragment(run_every=...)`); `page_info_changed` is the new address
  query string after `st.query_params` was written.
* A selectbox's value travels as `string_value`, the option's formatted label
  (streamlit/elements/widgets/selectbox.py, SelectboxSerde). The element carries `default` (the
  `index` argument) and, when the server set the value (session state), `set_value`/`raw_value`.

`StreamlitSession` keeps the page as the frontend would (elements by path, pruned to what the
last full run drew), answers `auto_rerun` with fragment reruns like the frontend's timer, and
records what a user would see as an error: an exception element, an error alert, a compile
error, or the connection dropping.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Self

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STREAM_PATH = "/_stcore/stream"
_CACHE_ENTRIES = 500  # cached messages kept (the frontend ages them out by runs)


class SessionClosed(ConnectionError):
    """The websocket closed while the session was still in use."""


class RunNotFinished(RuntimeError):
    """The run drew the page but the server never finished it: its `script_finished` (and the
    messages queued just before it) never came, the next run started instead.

    Seen with Streamlit 1.67 under load: a fragment auto-rerun that arrives just after a full run
    ended, before the server's event loop handled that run's last events, starts a new
    ScriptRunner, and AppSession then drops the old runner's remaining events ("Ignoring event
    from non-current ScriptRunner" in its debug log). A browser is left with a page whose last
    elements may be from the run before.
    """

    def __init__(self, run: Run) -> None:
        super().__init__(f"run {run.run_id[:8]} drew the page but never finished")
        self.run = run


@dataclass
class Run:
    """One script run as the client saw it: from `new_session` to `script_finished`."""

    run_id: str
    fragment_ids: tuple[str, ...]
    started: float  # time.monotonic() when its new_session arrived
    finished: float | None = None
    status: int | None = None  # ForwardMsg.ScriptFinishedStatus; None: never finished
    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def full(self) -> bool:
        """A run of the whole page (not of a fragment)."""
        return not self.fragment_ids

    @property
    def succeeded(self) -> bool:
        return self.status == ForwardMsg.FINISHED_SUCCESSFULLY


def element_errors(element: Element) -> list[str]:
    """What the frontend would show as an error box for this element."""
    kind = element.WhichOneof("type")
    if kind == "exception":
        e = element.exception
        return [f"exception: {e.type}: {e.message}"[:300]]
    if kind == "alert" and element.alert.format == Alert.ERROR:
        return [f"error: {element.alert.body}"[:300]]
    return []


def element_text(element: Element) -> str | None:
    """The text of a text-like element (markdown, caption, heading, text, metric value)."""
    kind = element.WhichOneof("type")
    if kind in ("markdown", "heading", "text", "metric"):
        return getattr(element, kind).body
    return None


class StreamlitSession:
    """One user of a Streamlit app, over its websocket; use as `async with`.

    `page` is the URL path of the page to open ("" for the default page), `query_string` the
    address's query string without "?".
    """

    def __init__(self, base_url: str, page: str = "", query_string: str = "", *,
                 auto_rerun: bool = True, open_timeout: float = 60.0) -> None:
        self.url = base_url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/") + STREAM_PATH
        self.page_name = page
        self.query_string = query_string
        self.page_script_hash = ""
        self.auto_rerun = auto_rerun
        self.open_timeout = open_timeout
        self.page: dict[tuple[int, ...], Element] = {}  # what the browser would show now
        self.runs: list[Run] = []
        self.errors: list[str] = []  # every error element or compile error seen, in order
        self.closed: str | None = None  # why the connection ended, if it did
        self.values: dict[str, str] = {}  # selectbox values by widget id (string_value)
        self.fragment_runs = 0  # fragment runs finished (the auto-rerun timer's)
        # The last runs and requests, for an error message that says what happened.
        self.trace: deque[tuple[int, str]] = deque(maxlen=400)
        self._seq = 0
        self._t0 = time.monotonic()
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._timers: dict[str, asyncio.Task] = {}
        self._cache: OrderedDict[str, ForwardMsg] = OrderedDict()
        self._changed = asyncio.Condition()
        self._current: Run | None = None
        self._closing = False

    # ------------------------------------------------------------------ connection

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.typing import Subprotocol

        # No keepalive pings from this side (a browser sends none either): a server busy for
        # longer than the ping timeout must show up as slow runs, not as a dropped connection.
        self._ws = await connect(self.url, subprotocols=[Subprotocol("streamlit")], max_size=None,
                                 ping_interval=None, open_timeout=self.open_timeout,
                                 compression=None)
        self._reader = asyncio.create_task(self._read(), name=f"stclient-read {self.url}")

    async def close(self) -> None:
        self._closing = True
        for task in self._timers.values():
            task.cancel()
        self._timers.clear()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with suppress(Exception):  # closing anyway
                await self._reader

    @property
    def running(self) -> bool:
        """A run of the whole page has started and not finished: the page is partly redrawn."""
        return self._current is not None and self._current.full

    # ------------------------------------------------------------------ runs

    async def open_page(self, timeout: float) -> Run:
        """The first run of the page (what a browser does once the socket is open)."""
        return await self.rerun(timeout=timeout)

    async def rerun(self, widgets: dict[str, str] | None = None, *, timeout: float,
                    accept=None) -> Run:
        """Set selectbox values (`{widget id: option label}`) and rerun the page; return the first
        full run that started after the request, finished successfully and satisfies `accept`
        (default: any). Raises TimeoutError, RunNotFinished, or SessionClosed when the connection
        dropped."""
        self.values.update(widgets or {})
        sent = time.monotonic()
        await self._send_rerun()
        return await self.wait_for_run(sent, timeout=timeout, accept=accept)

    async def wait_for_run(self, after: float, *, timeout: float, accept=None) -> Run:
        """The first successful full run that started at or after `after` and satisfies `accept`.
        Raises RunNotFinished when such a run drew the page but the server never finished it."""
        deadline = time.monotonic() + timeout

        def found() -> Run | None:
            for run in self.runs:
                if run.full and run.started >= after and (accept is None or accept(run)):
                    if run.status is None:
                        raise RunNotFinished(run)
                    if run.succeeded:
                        return run
            return None

        async with self._changed:
            while (run := found()) is None:
                if self.closed is not None:
                    raise SessionClosed(self.closed)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no finished run within {timeout:.0f} s")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    pass
        # Earlier runs are of no further use; keep the list short.
        self.runs = [r for r in self.runs if r.started >= run.started]
        return run

    async def _send_rerun(self, fragment_id: str = "") -> None:
        if self.closed is not None:
            raise SessionClosed(self.closed)
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        if not self.page_script_hash:
            state.page_name = self.page_name
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        # Like the frontend: the values of the widgets on the page now.
        on_page = {e.selectbox.id for e in self.page.values() if e.WhichOneof("type") == "selectbox"}
        for wid, value in self.values.items():
            if wid in on_page:
                w = state.widget_states.widgets.add()
                w.id = wid
                w.string_value = value
        state.cached_message_hashes.extend(self._cache)
        self._note(f"send rerun fragment {fragment_id[:8]}" if fragment_id else
                   f"send rerun {[w.string_value for w in state.widget_states.widgets]}")
        await self._ws.send(msg.SerializeToString())

    def _note(self, event: str) -> None:
        self._seq += 1
        self.trace.append((self._seq, f"{time.monotonic() - self._t0:.1f} {event}"))

    def mark(self) -> int:
        """A point in the trace, for `events_since`."""
        return self._seq

    def events_since(self, mark: int, most: int = 30) -> str:
        """What was sent and run since `mark`, runs of fragment events folded into a count."""
        out: list[str] = []
        folded = 0
        for seq, event in self.trace:
            if seq <= mark:
                continue
            if "fragment" in event:
                folded += 1
                continue
            if folded:
                out.append(f"({folded} fragment events)")
                folded = 0
            out.append(event)
        if folded:
            out.append(f"({folded} fragment events)")
        return " / ".join(out[:most] + (["..."] if len(out) > most else []))

    # ------------------------------------------------------------------ what the page shows

    def elements(self, kind: str, run: Run | None = None) -> list[Element]:
        source = run.elements if run is not None else self.page
        return [e for _, e in sorted(source.items()) if e.WhichOneof("type") == kind]

    def texts(self, run: Run | None = None) -> list[str]:
        source = run.elements if run is not None else self.page
        return [t for _, e in sorted(source.items()) if (t := element_text(e)) is not None]

    def selectbox(self, label: str, run: Run | None = None):
        """(widget id, option labels, the label shown) of the selectbox with this label, or None."""
        for e in self.elements("selectbox", run):
            box = e.selectbox
            if box.label == label:
                shown = self.values.get(box.id)
                if shown is None and 0 <= box.default < len(box.options):
                    shown = box.options[box.default]
                return box.id, list(box.options), shown
        return None

    # ------------------------------------------------------------------ the reader

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                await self._handle(msg)
        except ConnectionClosed as exc:
            if not self._closing:
                self.closed = f"connection closed: {exc}"
        except Exception as exc:  # noqa: BLE001 - a broken reader ends the session, visibly
            self.closed = f"client error: {type(exc).__name__}: {exc}"
        else:
            if not self._closing:
                self.closed = "connection closed by the server"
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self.errors.append(f"server referred to a message not cached here: {msg.ref_hash}")
                return
            full = ForwardMsg()
            full.CopyFrom(cached)
            full.metadata.CopyFrom(msg.metadata)
            msg, kind = full, full.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = msg
            while len(self._cache) > _CACHE_ENTRIES:
                self._cache.popitem(last=False)

        if kind == "new_session":
            if self._current is not None:  # the previous run never got its script_finished
                self._note(f"run {self._current.run_id[:8]} never finished")
                self.runs.append(self._current)
            run = msg.metadata.run
            self._current = Run(run.script_run_id, tuple(run.fragment_ids), time.monotonic())
            self._note(f"run {self._current.run_id[:8]} started{' (fragment)' if run.fragment_ids else ''}")
            if self._current.full:
                # The frontend drops its auto-rerun timers on a new full run; the run that
                # follows registers them again.
                for task in self._timers.values():
                    task.cancel()
                self._timers.clear()
        elif kind == "delta":
            delta = msg.delta
            if delta.WhichOneof("type") == "new_element":
                path = tuple(msg.metadata.delta_path)
                element = delta.new_element
                self.page[path] = element
                errors = element_errors(element)
                if self._current is not None:
                    self._current.elements[path] = element
                    self._current.errors.extend(errors)
                self.errors.extend(errors)
                if element.WhichOneof("type") == "selectbox" and element.selectbox.set_value:
                    self.values[element.selectbox.id] = element.selectbox.raw_value
        elif kind == "script_finished":
            run = self._current
            if run is not None:
                run.finished, run.status = time.monotonic(), msg.script_finished
                self._note(f"run {run.run_id[:8]} finished {ForwardMsg.ScriptFinishedStatus.Name(run.status)}")
                self.fragment_runs += not run.full
                if run.full and run.succeeded:
                    # Like the frontend: what this run did not draw is gone.
                    self.page = {p: e for p, e in self.page.items() if p in run.elements}
                self.runs.append(run)
                self._current = None
                async with self._changed:
                    self._changed.notify_all()
        elif kind == "navigation":
            # The page shown (an app with st.navigation names it only here: new_session names the
            # script the run started with, the main script, also for a fragment run).
            self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "auto_rerun" and self.auto_rerun:
            fid, interval = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
            if fid not in self._timers and interval > 0:
                self._timers[fid] = asyncio.create_task(self._every(fid, interval))
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                task = self._timers.pop(fid, None)
                if task is not None:
                    task.cancel()
        elif kind == "session_event":
            event = msg.session_event
            if event.WhichOneof("type") == "script_compilation_exception":
                e = event.script_compilation_exception
                self.errors.append(f"compile error: {e.type}: {e.message}"[:300])

    async def _every(self, fragment_id: str, interval: float) -> None:
        """The frontend's auto-rerun timer for one fragment."""
        while self.closed is None and not self._closing:
            await asyncio.sleep(interval)
            try:
                await self._send_rerun(fragment_id)
            except Exception:  # noqa: BLE001 - the reader reports a dropped connection
                return
