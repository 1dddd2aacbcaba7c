"""Fixed-window request counts kept in this process: the quotas' ``memory://`` storage.

:mod:`greenreg.api.quotas` counts each request in its caller's window through a storage of the
``limits`` package (``redis://...`` and the others count across processes). For the default,
in-process ``memory://``, it uses :class:`WindowCounts` instead of ``limits``' own memory
storage, which starts a thread every 10 ms while requests arrive, to expire its keys: at a
thousand requests a second that is a hundred threads a second, measured at about 20 µs of CPU
per request. Here a window expires when its caller comes back after it, and windows no caller
came back for are swept once a minute.

The semantics are ``limits``' fixed window: a caller's window opens at its first request and
lasts the rate's period; each request adds one; the count restarts in the next window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

SWEEP_SECONDS = 60.0


class WindowCounts:
    """Requests per key (a resource and a caller) in its current window."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        """``clock`` gives the time in epoch seconds."""
        self._clock = clock
        self._windows: dict[str, list[float]] = {}  # key -> [end of the window, count]
        self._lock = threading.Lock()
        self._next_sweep = clock() + SWEEP_SECONDS

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Count ``amount`` requests for ``key`` in its window of ``expiry`` seconds; the count
        so far in that window."""
        now = self._clock()
        with self._lock:
            window = self._windows.get(key)
            if window is None or window[0] <= now:
                if now >= self._next_sweep:
                    self._sweep(now)
                window = self._windows[key] = [now + expiry, 0]
            window[1] += amount
            return int(window[1])

    def __len__(self) -> int:
        """How many windows are kept."""
        return len(self._windows)

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (epoch seconds); now if it has none."""
        window = self._windows.get(key)
        return window[0] if window is not None else self._clock()

    def _sweep(self, now: float) -> None:
        for key in [key for key, window in self._windows.items() if window[0] <= now]:
            del self._windows[key]
        self._next_sweep = now + SWEEP_SECONDS
