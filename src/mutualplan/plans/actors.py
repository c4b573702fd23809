"""Who is acting: a seller user, a buyer through a share link, or the system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mutualplan.core.vocab import ActorKind

if TYPE_CHECKING:
    from mutualplan.plans.models import ShareLink


def seller_display_name(user: Any) -> str:
    """How a seller is named wherever the other side may read it (activity, rows, comments,
    presence, the buyer's contact): their full name, else the part of their email before the
    @. Never the whole address: it is internal unless the seller chooses to show one."""
    full = str(user.get_full_name() or "").strip()
    if full:
        return full
    login = str(user.email or user.username or "")
    return login.split("@", 1)[0] or "Seller"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str = ""
    email: str = ""
    user: Any = None
    share_link: ShareLink | None = None

    @classmethod
    def seller(cls, user: Any) -> Actor:
        return cls(ActorKind.SELLER, name=seller_display_name(user), email=user.email, user=user)

    @classmethod
    def buyer(cls, name: str, email: str, share_link: ShareLink) -> Actor:
        return cls(ActorKind.BUYER, name=name, email=email, share_link=share_link)

    @property
    def is_buyer(self) -> bool:
        return self.kind == ActorKind.BUYER


SYSTEM = Actor(ActorKind.SYSTEM, name="mutualplan")
