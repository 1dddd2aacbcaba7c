"""The fast audit's checkpoint notes, shared out among its workers
(:meth:`greenreg.audit.partition.Partitions.open_checkpoints`): half at once, the rest given to
the worker with the least work so far, every note opened once and the answers in the notes'
order whichever worker opened them."""

from __future__ import annotations

from greenreg.audit.partition import NOTE_WEIGHT, NOTES, Partitions

NOTES_GIVEN = [(size, f"not a checkpoint {size}") for size in range(1, 12 * NOTES + 1)]
"""Twelve messages' worth of notes, each refused as malformed (no key needed to open them)."""


def test_the_notes_held_back_go_to_the_worker_with_less_work() -> None:
    with Partitions(2) as partitions:
        partitions.open_checkpoints(NOTES_GIVEN, [])
        assert partitions._notes_due == [3, 3]  # six messages at once, shared
        assert partitions._load == [3 * NOTES * NOTE_WEIGHT] * 2
        partitions._load[0] += 6 * NOTES * NOTE_WEIGHT  # worker 0 was given more entries
        partitions._balance()
        assert partitions._notes_due == [3, 8]  # worker 1 now lags by one message's work
        assert len(partitions._held) == 1
        opened = [note for message in partitions.opened() for note in message]
    assert [size for size, _, _ in opened] == [size for size, _ in NOTES_GIVEN]
    assert all(checkpoint is None and "malformed" in why for _, checkpoint, why in opened)


def test_every_note_is_given_out_before_the_workers_finish() -> None:
    with Partitions(3) as partitions:
        partitions.open_checkpoints(NOTES_GIVEN, [])
        partitions._finish()  # their answers come before the workers' last
        assert not partitions._held
        assert partitions._notes_due == [0, 0, 0]
        assert len(partitions._opened) == 12
        opened = [note for message in partitions.opened() for note in message]
    assert [size for size, _, _ in opened] == [size for size, _ in NOTES_GIVEN]
