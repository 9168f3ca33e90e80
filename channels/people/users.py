"""Accounts as coordinators manage them: create (with an invitation), change role, disable
and enable, edit profile fields.

Each function checks everything first, then changes the account, writes the audit entry and
any mail in one transaction, and returns what changed so `server/` can act on open sockets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import storage
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from channels.input import check_bool, check_changes, check_name, check_object
from channels.languages import N_, role_word
from channels.notify.mentions import rerender_mentions_of
from channels.people.accounts import check_email, check_role
from channels.people.invitations import LinkSettings, do_send_invitation
from channels.policy import Actor, check_coordinator
from channels.programme.audit import record_action
from channels.words import Count, Words, joined
from storage import Store, Tx
from storage.records import Message, User

MAX_EXPERTISE = 200
MAX_BIO = 2000


def check_expertise(
    value: object, what: str = N_("Field of expertise"), limit: int = MAX_EXPERTISE
) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(N_("%(what)s must be text."), what=Words(what))
    value = value.strip()
    if len(value) > limit:
        raise TooLarge(
            N_("%(what)s is too long: at most %(limit)s characters."),
            what=Words(what),
            limit=Count(limit),
        )
    return value


async def list_users(store: Store, user: User, *, role: str | None = None) -> list[User]:
    check_coordinator(user)
    if role is not None:
        check_role(role)
    return await store.list_users(role)


async def load_user(store: Store, user: User, user_id: int) -> User:
    check_coordinator(user)
    found = await store.load_user(user_id)
    if found is None:
        raise NotFound(N_("That person does not exist."))
    return found


async def create_user(
    store: Store, user: User, payload: Any, *, links: LinkSettings, clock: Clock = SYSTEM_CLOCK
) -> User:
    """`payload`: {email, name, role, expertise?, bio?}.  The new person gets an invitation."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    email = check_email(payload.get("email"))
    name = check_name(payload.get("name"))
    role = check_role(payload.get("role"))
    expertise = check_expertise(payload.get("expertise"))
    bio = check_expertise(payload.get("bio"), N_("Bio"), MAX_BIO)
    now = clock.now()
    try:

        async def insert(tx: Tx) -> User:
            created = await tx.insert_user(
                email=email,
                name=name,
                role=role,
                password_hash=None,
                expertise=expertise,
                bio=bio,
                now=iso(now),
            )
            await do_send_invitation(tx, links, created, now)
            await record_action(
                tx,
                actor,
                "user.created",
                target_type="user",
                target_id=created.id,
                summary=Words(
                    N_("Created %(role)s %(name)s <%(email)s> and sent an invitation."),
                    role=role_word(role),
                    name=name,
                    email=email,
                ),
                now=iso(now),
            )
            return created

        created = await store.write(insert)
    except storage.IntegrityError:
        raise Conflict(N_("There is already an account for %(email)s."), email=email) from None
    return created


@dataclass(frozen=True)
class AccountChange:
    before: User
    after: User
    rerendered: list[Message] = field(default_factory=list)  # mentions of a new name

    @property
    def disabled_now(self) -> bool:
        return self.after.disabled and not self.before.disabled

    @property
    def role_changed(self) -> bool:
        return self.after.role != self.before.role


_PROFILE_FIELDS = ("email", "name", "expertise", "bio")
_FIELD_WORDS = {
    "email": N_("the e-mail address"),
    "name": N_("the name"),
    "expertise": N_("the field of expertise"),
    "bio": N_("the bio"),
}
_FIELDS = (*_PROFILE_FIELDS, "role", "disabled")


def check_email_settable(target: User) -> None:
    """Coordinators may set a person's address only until the person activates the account
    (chooses a password): after that the address is theirs, because a password reset trusts
    it, and whoever could change it could take over the account and read its pair channel.
    The person changes it themselves, from their profile (`email_changes`)."""
    if target.password_hash is not None:
        raise Forbidden(
            N_(
                "%(name)s has activated their account, so only they can change its e-mail address (from their profile, with their password and a link sent to the new address)."
            ),
            name=target.name,
        )


async def update_user(
    store: Store,
    user: User,
    user_id: int,
    payload: Any,
    *,
    links: LinkSettings,
    clock: Clock = SYSTEM_CLOCK,
) -> AccountChange:
    """`payload`: any of {role, disabled, email, name, expertise, bio}.  A new e-mail address
    only for an account not yet activated: its earlier links stop working and a new invitation
    goes to the new address."""
    actor = check_coordinator(user)
    payload = check_changes(payload, _FIELDS)
    target = await load_user(store, user, user_id)
    email = check_email(payload["email"]) if "email" in payload else target.email
    name = check_name(payload["name"]) if "name" in payload else target.name
    expertise = (
        check_expertise(payload["expertise"]) if "expertise" in payload else target.expertise
    )
    bio = check_expertise(payload["bio"], N_("Bio"), MAX_BIO) if "bio" in payload else target.bio
    role = check_role(payload["role"]) if "role" in payload else target.role
    disabled = check_bool(payload, "disabled") if "disabled" in payload else target.disabled
    new_email = email != target.email
    if new_email:
        check_email_settable(target)
    await _check_role_and_state(store, actor, target, role, disabled)

    moment = clock.now()
    now = iso(moment)
    changes: list[tuple[str, str, dict[str, object]]] = []  # action, summary, its words
    if (email, name, expertise, bio) != (target.email, target.name, target.expertise, target.bio):
        changed = [
            f
            for f, old, new in zip(
                _PROFILE_FIELDS,
                (target.email, target.name, target.expertise, target.bio),
                (email, name, expertise, bio),
                strict=True,
            )
            if old != new
        ]
        fields = joined([Words(_FIELD_WORDS[f]) for f in changed], ", ")
        changes.append(
            ("user.profile_changed", N_("Changed %(fields)s of %(who)s."), {"fields": fields})
        )
    if role != target.role:
        changes.append(
            (
                "user.role_changed",
                N_("Changed the role from %(old)s to %(new)s of %(who)s."),
                {"old": role_word(target.role), "new": role_word(role)},
            )
        )
    if disabled != target.disabled:
        changes.append(
            ("user.disabled", N_("Disabled %(who)s."), {})
            if disabled
            else ("user.enabled", N_("Enabled %(who)s."), {})
        )
    try:

        async def update(tx: Tx) -> tuple[User | None, list[int]]:
            if new_email:
                # The person's links, then the person, locked in the order accepting an
                # invitation takes them (its link, then its account), so the two never wait
                # for each other: a password chosen a moment ago is seen here (or that link
                # is spent and refused), never set on an address changed under it.
                await tx.retire_account_tokens(target.id, now)
                await tx.lock_user(target.id)
                current = await tx.load_user(target.id)
                assert current is not None
                check_email_settable(current)  # the invitation may have been accepted since
            after = await tx.update_account(
                target.id, email=email, name=name, expertise=expertise, bio=bio
            )
            rerendered = []
            if name != target.name:
                rerendered = await rerender_mentions_of(tx, target.id)
            if role != target.role:
                await tx.set_user_role(target.id, role)
            if disabled != target.disabled:
                await tx.set_user_disabled(target.id, disabled)
                if disabled:
                    await tx.delete_user_sessions(target.id)
                    await tx.retire_account_tokens(target.id, now)
            if new_email and not disabled:
                await do_send_invitation(tx, links, after, moment)
            for action, what, said in changes:
                await record_action(
                    tx,
                    actor,
                    action,
                    target_type="user",
                    target_id=target.id,
                    summary=Words(what, **said, who=f"{name} <{email}>"),
                    now=now,
                )
            return await tx.load_user(target.id), rerendered

        after, rerendered = await store.write(update)
    except storage.IntegrityError:
        raise Conflict(N_("There is already an account for %(email)s."), email=email) from None
    assert after is not None
    return AccountChange(target, after, await store.load_messages(rerendered))


async def _check_role_and_state(
    store: Store, actor: Actor, target: User, role: str, disabled: bool
) -> None:
    if target.id == actor.id and (disabled or role != "coordinator"):
        raise Invalid(N_("You cannot disable yourself or take away your own coordinator role."))
    losing_coordinator = (
        target.role == "coordinator" and not target.disabled and (disabled or role != "coordinator")
    )
    if losing_coordinator and await store.count_enabled_coordinators() <= 1:
        raise Invalid(N_("The programme needs at least one enabled coordinator."))
    if role != target.role and await store.count_active_pairs_of(target.id):
        raise Conflict(
            N_("%(name)s is in an active pair. End the pair before changing their role."),
            name=target.name,
        )
