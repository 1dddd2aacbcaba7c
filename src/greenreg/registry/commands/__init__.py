"""The commands: one plain function per act type, in modules by area.

A command takes the act (signature already checked), the authority that signed it, the time of
recording and the :class:`~greenreg.registry.workspace.Workspace` to find aggregates in. It asks
the aggregates and the rulebook to check the act (their ``check_*`` guards), records the events
on the aggregates, and returns a :class:`~greenreg.registry.decision.Decision`; it saves
nothing. The application looks the command up in :data:`COMMANDS` by the act's type.

====================  =======================================================================
module                commands
====================  =======================================================================
``authorities``       found_registry, register_authority, add_key, revoke_key, adopt_rules,
                      declare_log_key
``units``             register_unit, rename, reorganise, correct
``identifiers``       attach_identifier
``designations``      designate, remove, disqualify, file_report
``warnings``          warn, lift_warning
``eco_parks``         approve_creation, extend_creation, stop_creation, name_park
``incidents``         record_incident
``evaluators``        register_evaluator, sanction_evaluator
``complaints``        record_complaint, decide_complaint
====================  =======================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from greenreg.events.acts import Act
from greenreg.registry.authority import Authority
from greenreg.registry.commands import (
    authorities,
    complaints,
    designations,
    eco_parks,
    evaluators,
    identifiers,
    incidents,
    units,
    warnings,
)
from greenreg.registry.decision import Decision
from greenreg.registry.workspace import Workspace

Command = Callable[[Act, Authority, datetime, Workspace], Decision]

COMMANDS: dict[str, Command] = {
    "found_registry": authorities.found_registry,
    "register_authority": authorities.register_authority,
    "add_key": authorities.add_key,
    "revoke_key": authorities.revoke_key,
    "adopt_rules": authorities.adopt_rules,
    "declare_log_key": authorities.declare_log_key,
    "register_unit": units.register_unit,
    "rename": units.rename,
    "reorganise": units.reorganise,
    "correct": units.correct,
    "attach_identifier": identifiers.attach_identifier,
    "designate": designations.designate,
    "remove": designations.remove,
    "disqualify": designations.disqualify,
    "file_report": designations.file_report,
    "warn": warnings.warn,
    "lift_warning": warnings.lift_warning,
    "approve_creation": eco_parks.approve_creation,
    "extend_creation": eco_parks.extend_creation,
    "stop_creation": eco_parks.stop_creation,
    "name_park": eco_parks.name_park,
    "register_evaluator": evaluators.register_evaluator,
    "sanction_evaluator": evaluators.sanction_evaluator,
    "record_complaint": complaints.record_complaint,
    "decide_complaint": complaints.decide_complaint,
    "record_incident": incidents.record_incident,
}
"""The command for each act type (the keys of :data:`~greenreg.events.vocabulary.EVENT_OF_ACT`)."""

__all__ = ["COMMANDS", "Command"]
