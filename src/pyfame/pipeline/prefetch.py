"""Run a producer or a consumer in a background thread, so decode, track and encode overlap.

PyAV's decoder and encoder and MediaPipe's graph release the GIL while they work, so a
thread each is enough to overlap them; see ``benchmarks/`` for the figures.

Examples
--------
>>> list(prefetch(iter(range(3)), depth=2))
[0, 1, 2]
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_DONE = object()


class _Raised:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(source: Iterator[T], depth: int = 4, name: str = "pyfame-prefetch") -> Iterator[T]:
    """Iterate ``source`` in a thread (called ``name``), keeping up to ``depth`` items ready."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        """Queue ``item`` unless the consumer has stopped; False once it has."""
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in source:
                if not offer(item):
                    return
            offer(_DONE)
        except BaseException as exc:  # handed to the consumer
            offer(_Raised(exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:  # a generator source: run its cleanup (nested stages) now
                close()

    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


class BackgroundConsumer(Generic[T]):
    """Feed items to ``consume`` in a thread; :meth:`close` waits and re-raises its error.

    Examples
    --------
    >>> seen = []
    >>> w = BackgroundConsumer(seen.append)
    >>> w.put(1); w.close(); seen
    [1]
    """

    def __init__(self, consume: Callable[[T], None], depth: int = 4) -> None:
        self._consume = consume
        self._q: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="pyfame-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            item = self._q.get()
            if item is _DONE:
                return
            if self._error is None:
                try:
                    self._consume(item)
                except BaseException as exc:
                    self._error = exc

    def put(self, item: T) -> None:
        """Queue one item (blocks when the queue is full); raises the consumer's error early."""
        if self._error is not None:
            raise self._error
        self._q.put(item)

    def close(self) -> None:
        """Wait for every queued item; re-raise the consumer's error if it had one."""
        self._q.put(_DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error
