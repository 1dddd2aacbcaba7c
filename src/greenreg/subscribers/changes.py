"""Which events a watcher is told of: the status changes of a unit, by event type name.

=========================  ====================  ==============================================
event type                 change                what happened to the unit
=========================  ====================  ==============================================
``Designated``             ``designated``        put on a list
``Named``                  ``designated``        an eco-industrial park named (a designation)
``Warned``                 ``warned``            warned: its title is suspended until it
                                                 rectifies (it may not use it meanwhile)
``WarningLifted``          ``warning_lifted``    the suspension ended
``ComplaintDecided``       ``complaint_decided`` a complaint found founded (rectification
                                                 suspends the title) or unfounded
``Removed``                ``removed``           taken off a list; ``bans`` in the event say
                                                 what it may not apply for, until when
``ApplicationDisqualified`` ``banned``           an application disqualified for fraud, with
                                                 its bans
``CreationStopped``        ``creation_stopped``  an eco-park's creation stopped
``Renamed``                ``renamed``           its name changed
``Reorganised``            ``reorganised``       merged, split, acquired (one per unit)
``Corrected``              ``corrected``         an erratum to an earlier act
``...Attached``            ``identifier_attached`` a credit code or another identifier attached
                                                 to the unit, by whatever name that event has
=========================  ====================  ==============================================

Mapped by the event type's *name* (as the read models' history keeps it), not by class: an
event type added later whose name ends in ``Attached`` (the identifier acts) is notified with
no change here. Registrations, reports, complaints received, incidents and key events are not
status changes and are not notified.
"""

from __future__ import annotations

CHANGE_OF_EVENT: dict[str, str] = {
    "Designated": "designated",
    "Named": "designated",
    "Warned": "warned",
    "WarningLifted": "warning_lifted",
    "ComplaintDecided": "complaint_decided",
    "Removed": "removed",
    "ApplicationDisqualified": "banned",
    "CreationStopped": "creation_stopped",
    "Renamed": "renamed",
    "Reorganised": "reorganised",
    "Corrected": "corrected",
}
ATTACHED_SUFFIX = "Attached"


def change_of(event_type: str) -> str | None:
    """The change a watcher is told of for an event of this type, or ``None``."""
    found = CHANGE_OF_EVENT.get(event_type)
    if found is None and event_type.endswith(ATTACHED_SUFFIX):
        return "identifier_attached"
    return found
