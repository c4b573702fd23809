"""Who is acting: a seller user, a buyer through a share link, or the system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mutualplan.core.vocab import ActorKind

if TYPE_CHECKING:
    from mutualplan.plans.models import ShareLink


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str = ""
    email: str = ""
    user: Any = None
    share_link: ShareLink | None = None

    @classmethod
    def seller(cls, user: Any) -> Actor:
        name = user.get_full_name() or user.email or user.username
        return cls(ActorKind.SELLER, name=name, email=user.email, user=user)

    @classmethod
    def buyer(cls, name: str, email: str, share_link: ShareLink) -> Actor:
        return cls(ActorKind.BUYER, name=name, email=email, share_link=share_link)

    @property
    def is_buyer(self) -> bool:
        return self.kind == ActorKind.BUYER


SYSTEM = Actor(ActorKind.SYSTEM, name="mutualplan")
