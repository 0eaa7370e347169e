"""Users: identities with role keys and a password hash (hashing happens at the edge)."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from orchestrator.hashchain import ChainedAggregate


def user_id(username: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:user:{username.casefold()}")


class User(ChainedAggregate):
    """A staff member, inspector, process owner or administrator."""

    @staticmethod
    def create_id(username: str, **_: object) -> UUID:
        return user_id(username)

    @event("Registered")
    def __init__(self, username: str, full_name: str, roles: list[str], password_hash: str,
                 demo: bool = False) -> None:
        self.username = username
        self.full_name = full_name
        self.roles = sorted(set(roles))
        self.password_hash = password_hash
        self.demo = demo
        self.active = True
        self.token_generation = 0

    @event("PasswordChanged")
    def change_password(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.token_generation += 1  # a new password ends every session

    @event("RolesChanged")
    def set_roles(self, roles: list[str], actor: str = "") -> None:
        self.roles = sorted(set(roles))

    @event("TokensRevoked")
    def revoke_tokens(self, actor: str = "") -> None:
        """Every bearer token and session issued so far stops working."""
        self.token_generation += 1

    @event("Disabled")
    def disable(self, actor: str = "") -> None:
        self.active = False
        self.token_generation += 1

    @event("Enabled")
    def enable(self, actor: str = "") -> None:
        self.active = True
