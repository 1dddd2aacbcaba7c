"""The quotas' in-process counts (``memory://``): ``limits``' fixed window, without threads."""

from __future__ import annotations

from greenreg.api.window_counts import SWEEP_SECONDS, WindowCounts


class Clock:
    def __init__(self) -> None:
        self.now = 1_767_225_600.0

    def __call__(self) -> float:
        return self.now


def test_a_window_opens_at_the_first_request_and_counts_until_it_ends() -> None:
    clock = Clock()
    counts = WindowCounts(clock)
    # Three requests in a 60-second window opened by the first.
    assert [counts.incr("core/ip:1", 60) for _ in range(3)] == [1, 2, 3]
    assert counts.get_expiry("core/ip:1") == clock.now + 60
    # Another caller, another resource: counted apart.
    assert counts.incr("core/ip:2", 60) == 1
    assert counts.incr("graphql/ip:1", 60) == 1
    # Just before the end the window still counts; at its end a new one opens.
    clock.now += 59.9
    assert counts.incr("core/ip:1", 60) == 4
    clock.now += 0.1
    assert counts.incr("core/ip:1", 60) == 1
    assert counts.get_expiry("core/ip:1") == clock.now + 60
    # A key never counted has no window: it ends now.
    assert counts.get_expiry("core/ip:3") == clock.now


def test_windows_nobody_came_back_for_are_swept() -> None:
    clock = Clock()
    counts = WindowCounts(clock)
    for caller in range(100):
        counts.incr(f"core/ip:{caller}", 1)
    assert len(counts) == 100
    # A minute later, the next new window sweeps the ended ones away.
    clock.now += SWEEP_SECONDS
    counts.incr("core/ip:new", 60)
    assert len(counts) == 1
