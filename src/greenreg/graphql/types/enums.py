"""The GraphQL enums, mirroring the domain's values (a test keeps them in step)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="A designation programme.")
class Programme(Enum):
    GREEN_FACTORY = "green_factory"
    GREEN_PARK = "green_park"
    GREEN_SUPPLY_CHAIN = "green_supply_chain"
    ZJ_LOW_CARBON_PARK = "zj_low_carbon_park"
    ECO_PARK = "eco_park"


@strawberry.enum(description="The level of a list, from its issuing jurisdiction.")
class Level(Enum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"


@strawberry.enum(
    description="A designation's status: LISTED is in force (the title usable); WARNED (under a "
    "warning) and SUSPENDED (an eco-park under an exit warning) stay on the list but may not "
    "use the title until rectified; REMOVED is off the list; SUPERSEDED ceased in a "
    "reorganisation."
)
class Status(Enum):
    LISTED = "listed"
    WARNED = "warned"
    SUSPENDED = "suspended"
    REMOVED = "removed"
    SUPERSEDED = "superseded"


@strawberry.enum(
    description="The answer to 'was it certified on that day?' for one reference. Only "
    "CERTIFIED is certified (a usable title); WARNED and SUSPENDED: every title held that day "
    "was under a warning and may not be used."
)
class Outcome(Enum):
    CERTIFIED = "certified"
    WARNED = "warned"
    SUSPENDED = "suspended"
    REMOVED = "removed"
    BANNED = "banned"
    NOT_LISTED = "not_listed"
    NOT_FOUND = "not_found"
    INVALID_CODE = "invalid_code"


@strawberry.enum(description="What a search matched.")
class MatchKind(Enum):
    NAME = "name"
    FORMER_NAME = "former_name"
    CREDIT_CODE = "credit_code"


@strawberry.enum(description="A kind of unit.")
class UnitKind(Enum):
    PARK = "park"
    ENTERPRISE = "enterprise"
