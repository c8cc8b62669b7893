"""Who may see what: the roles of signed-in people, from an allow-list of e-mail addresses or a group claim.

Three roles, each including the one before it:

* ``viewer``: signed in, sees the public view (aggregates, small counts hidden) like any visitor;
* ``staff``: the staff view (participant-level detail), the staff pages, saving and deleting proposals;
* ``admin``: staff, and the audit trail (the Admin page).

Someone signed in who is on no list gets no role: the public view, and a sentence saying why
(``outside_sentence``). The lists come from the ``[access]`` section of the app's secrets (see
``AccessPolicy.from_mapping``); e-mail addresses are compared without regard to case.

>>> policy = AccessPolicy.from_mapping({"staff": ["Ana@City.gov"], "group_claim": "groups",
...                                     "admin_groups": ["lead-admins"]})
>>> policy.role_for({"email": "ana@city.gov"})
'staff'
>>> policy.role_for({"email": "x@y.org", "groups": ["lead-admins"]})
'admin'
>>> policy.role_for({"email": "x@y.org"}) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ROLES = ("viewer", "staff", "admin")  # from least to most
STAFF_ROLES = frozenset({"staff", "admin"})
DEFAULT_GROUP_CLAIM = "groups"


def _lowered(values: Iterable | str | None) -> frozenset[str]:
    if values is None:
        return frozenset()
    if isinstance(values, str):
        values = [values]
    return frozenset(str(value).strip().lower() for value in values if str(value).strip())


def _as_strings(values: Iterable | str | None) -> frozenset[str]:
    if values is None:
        return frozenset()
    if isinstance(values, str):
        values = [values]
    return frozenset(str(value).strip() for value in values if str(value).strip())


@dataclass(frozen=True)
class AccessPolicy:
    """The allow-lists: e-mail addresses and group ids (or names) per role."""

    emails: Mapping[str, frozenset[str]]  # role -> lower-case addresses
    groups: Mapping[str, frozenset[str]]  # role -> group ids as the provider sends them
    group_claim: str = DEFAULT_GROUP_CLAIM

    @classmethod
    def from_mapping(cls, section: Mapping | None) -> AccessPolicy:
        """From ``[access]``: ``viewers``/``staff``/``admins`` (e-mail lists), ``viewer_groups``/
        ``staff_groups``/``admin_groups`` (group lists) and ``group_claim`` (default ``groups``)."""
        section = section or {}
        names = {"viewer": "viewers", "staff": "staff", "admin": "admins"}
        emails = {role: _lowered(section.get(key)) for role, key in names.items()}
        groups = {role: _as_strings(section.get(f"{role}_groups")) for role in ROLES}
        return cls(emails, groups, str(section.get("group_claim") or DEFAULT_GROUP_CLAIM))

    def is_empty(self) -> bool:
        return not any(self.emails.values()) and not any(self.groups.values())

    def role_for(self, claims: Mapping) -> str | None:
        """The highest role the identity's e-mail or groups give, or None when it is on no list.

        An e-mail counts only when the provider says it is verified (or does not say): an
        unverified address could be anyone's.
        """
        email = str(claims.get("email") or "").strip().lower()
        if claims.get("email_verified") is False:
            email = ""
        member_of = _as_strings(claims.get(self.group_claim))
        for role in reversed(ROLES):
            by_email = bool(email) and email in self.emails.get(role, frozenset())
            if by_email or member_of & self.groups.get(role, frozenset()):
                return role
        return None


def identity_of(claims: Mapping) -> str:
    """The name an audit row and a proposal's author carry: the e-mail, else the provider's subject id."""
    return str(claims.get("email") or claims.get("preferred_username") or claims.get("sub") or "unknown")


def outside_sentence(identity: str) -> str:
    """What someone signed in but on no list reads."""
    return (
        f"You are signed in as {identity}, but this address is not on the dashboard's list of city "
        "staff (nor in a group that is), so you see the public view, as every visitor does. "
        "Ask the program's administrator to add you."
    )


def viewer_sentence(identity: str) -> str:
    return (
        f"Signed in as {identity} (viewer): you see the public view; participant-level detail "
        "needs the staff role."
    )
