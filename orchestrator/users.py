"""Users: identities with role keys and a password hash (hashing happens at the edge)."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from orchestrator.hashchain import ChainedAggregate


def user_id(username: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:user:{username.casefold()}")


class User(ChainedAggregate):
    """A staff member, inspector, process owner or administrator."""

    # the profile (ProfileUpdated); users registered before it have none
    nip = ""
    jabatan = ""
    email = ""
    whatsapp = ""

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

    @event("ProfileUpdated")
    def update_profile(self, full_name: str, nip: str, jabatan: str, email: str,
                       whatsapp: str, actor: str = "") -> None:
        """Name, NIP, position and the addresses notifications go to (empty: none)."""
        self.full_name, self.nip, self.jabatan = full_name, nip, jabatan
        self.email, self.whatsapp = email, whatsapp

    @event("NotificationsRead")
    def read_notifications(self, ids: list[str], everything: bool = False) -> None:
        """Notifications marked read (``everything``: all the user had until now); the
        notifications projection applies it, nothing here changes."""

    @event("Enabled")
    def enable(self, actor: str = "") -> None:
        self.active = True
