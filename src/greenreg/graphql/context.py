"""The context every resolver receives: the read side's queries and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.fastapi import BaseContext
from strawberry.types import Info

from greenreg.graphql.loaders import Loaders
from greenreg.projections.queries import Queries
from greenreg.projections.views import DataVersion


@dataclass
class Context(BaseContext):
    queries: Queries
    loaders: Loaders
    data_version: DataVersion | None = field(default=None)

    def __post_init__(self) -> None:
        super().__init__()


GreenregInfo = Info[Context, None]
"""What a resolver's ``info`` argument is."""
