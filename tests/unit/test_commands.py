"""The write side's dispatch table: every act type an authority can sign has its command.

The application looks a command up by the act's type (:data:`COMMANDS`); an act type without
one would be accepted by the parser and then fail. Commands are named as the acts are
(imperative verbs), so the table reads as the vocabulary does.
"""

from __future__ import annotations

import inspect

from greenreg.events.vocabulary import EVENT_OF_ACT
from greenreg.registry.commands import COMMANDS


def test_every_act_type_has_a_command_and_every_command_an_act_type() -> None:
    assert set(COMMANDS) == set(EVENT_OF_ACT)


def test_each_command_is_named_after_its_act_and_lives_in_a_module_by_area() -> None:
    for kind, command in COMMANDS.items():
        assert command.__name__ == kind
        assert command.__module__.startswith("greenreg.registry.commands.")
        assert list(inspect.signature(command).parameters) == ["act", "signer", "now", "ws"]
