"""A person as others see them: name, role, field of expertise, bio and photo.

Everyone signed in may read anyone's profile in the programme, as in a team's directory: it is
what people wrote about themselves to be read.  Who is paired with whom is not on it except for
those who know already (the pair itself, and coordinators, who made the pair), and an e-mail
address only for the person and coordinators."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid, NotFound, TooLarge
from channels.files.thumbnails import make_portrait
from channels.files.uploads import MIB
from channels.languages import N_
from storage import Store
from storage.records import User

MAX_PHOTO_BYTES = 10 * MIB
NO_PERSON = N_("There is no such person in the programme.")
NOT_A_PHOTO = N_("That file is not a photo we can read. Please choose a JPEG, PNG or WebP image.")
NO_PHOTO_CHOSEN = N_("Choose a photo first.")
PHOTO_TOO_LARGE = N_("That photo is larger than 10 MB. Please choose a smaller one.")


@dataclass(frozen=True)
class Profile:
    person: User
    photo: str | None  # the photo's version (when it changed), None: the initials instead
    relation: str  # the person to the reader: "Your mentor", "Your mentee", or ""
    email: str | None  # for the person themself and coordinators only


async def load_profile(store: Store, reader: User, person_id: int) -> Profile:
    person = await store.load_user(person_id)
    if person is None:
        raise NotFound(NO_PERSON)
    relation = ""
    for pair in await store.list_pairs_of(reader.id):
        if pair.ended_at is None and person.id in (pair.mentor_id, pair.mentee_id):
            relation = "Your mentor" if person.id == pair.mentor_id else "Your mentee"
    sees_email = reader.id == person.id or reader.role == "coordinator"
    return Profile(
        person,
        photo=(await store.load_photo_versions([person.id])).get(person.id),
        relation=relation if relation and person.id != reader.id else "",
        email=person.email if sees_email else None,
    )


async def load_photo(store: Store, person_id: int) -> tuple[bytes, str]:
    """Anyone's photo, for any reader (see above); NotFound without one."""
    found = await store.load_photo(person_id)
    if found is None:
        raise NotFound(N_("This person has no photo."))
    return found


async def read_photo(chunks: AsyncIterator[bytes]) -> bytes:
    """An upload's bytes, refused as soon as it passes MAX_PHOTO_BYTES."""
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > MAX_PHOTO_BYTES:
            raise TooLarge(PHOTO_TOO_LARGE)
    return bytes(data)


async def set_photo(
    store: Store, user: User, data: bytes | None, *, clock: Clock = SYSTEM_CLOCK
) -> str:
    """Make the person's photo from an upload; its new version.  Anything that is not an image
    is refused and the photo there stays as it was."""
    if not data:
        raise Invalid(NO_PHOTO_CHOSEN)
    if len(data) > MAX_PHOTO_BYTES:
        raise TooLarge(PHOTO_TOO_LARGE)
    portrait = await make_portrait(data)
    if portrait is None:
        raise Invalid(NOT_A_PHOTO)
    now = iso(clock.now())
    await store.write(lambda tx: tx.save_photo(user.id, portrait, now))
    return now


async def remove_photo(store: Store, user: User) -> None:
    """Back to the initials.  Removing a photo that is not there changes nothing."""
    await store.write(lambda tx: tx.delete_photo(user.id))


def photo_url(user_id: int, version: str | None) -> str | None:
    """Where a person's photo is, changing with each new photo (so it may be cached long)."""
    if version is None:
        return None
    return f"/people/{user_id}/photo?v={quote(version, safe='')}"


def profile_json(profile: Profile) -> dict[str, Any]:
    person = profile.person
    shown: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        "role": person.role,
        "expertise": person.expertise,
        "bio": person.bio,
        "disabled": person.disabled,
        "photo_url": photo_url(person.id, profile.photo),
        "relation": profile.relation or None,
    }
    if profile.email is not None:
        shown["email"] = profile.email
    return shown
