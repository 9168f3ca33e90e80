"""Communities of practice: coordinators create, rename and archive them; everyone sees the
open ones and joins or leaves as they like."""

from __future__ import annotations

from typing import Any

from channels.chat import directory
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid, NotFound, TooLarge
from channels.input import check_bool, check_changes, check_name, check_object
from channels.languages import N_
from channels.policy import check_coordinator
from channels.programme.audit import record_action
from channels.words import Words
from storage import Store, Tx
from storage.records import Channel, CommunityListing, User

MAX_TOPIC = 500


def check_topic(topic: object) -> str:
    if topic is None:
        return ""
    if not isinstance(topic, str):
        raise Invalid(N_("The topic must be text."))
    if len(topic) > MAX_TOPIC:
        raise TooLarge(
            N_("The topic is too long: at most %(max_topic)s characters."), max_topic=MAX_TOPIC
        )
    return " ".join(topic.split())


async def list_communities(store: Store, user: User) -> list[CommunityListing]:
    """Open communities for everyone; coordinators also see the archived ones."""
    return await store.list_communities(
        user.id, include_archived=user.role == "coordinator" and not user.disabled
    )


async def load_community(store: Store, channel_id: int) -> Channel:
    channel = await store.load_channel(channel_id)
    if channel is None or channel.kind != "community":
        raise NotFound(N_("That community does not exist."))
    return channel


async def create_community(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Channel:
    """`payload`: {name, topic?}."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    name = check_name(payload.get("name"), N_("Community name"))
    topic = check_topic(payload.get("topic"))
    now = iso(clock.now())

    async def insert(tx: Tx) -> Channel:
        channel = await tx.insert_channel(kind="community", name=name, topic=topic, now=now)
        await record_action(
            tx,
            actor,
            "community.created",
            target_type="channel",
            target_id=channel.id,
            summary=Words(N_("Created the community %(name)s."), name=name),
            now=now,
        )
        return channel

    channel = await store.write(insert)
    return channel


async def update_community(
    store: Store, user: User, channel_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Channel:
    """`payload`: any of {name, topic, archived}."""
    actor = check_coordinator(user)
    payload = check_changes(payload, ["name", "topic", "archived"])
    channel = await load_community(store, channel_id)
    name = check_name(payload["name"], N_("Community name")) if "name" in payload else channel.name
    topic = check_topic(payload["topic"]) if "topic" in payload else channel.topic
    archived = check_bool(payload, "archived") if "archived" in payload else channel.archived
    now = iso(clock.now())

    async def update(tx: Tx) -> None:
        if (name, topic) != (channel.name, channel.topic):
            await tx.update_channel_name(channel.id, name=name, topic=topic)
            renamed = Words(
                N_("Renamed the community %(old)s to %(name)s."), old=channel.name, name=name
            )
            await record_action(
                tx,
                actor,
                "community.renamed",
                target_type="channel",
                target_id=channel.id,
                summary=renamed
                if name != channel.name
                else Words(N_("Changed the topic of %(name)s."), name=name),
                now=now,
            )
        if archived != channel.archived:
            await tx.set_channel_archived(channel.id, archived)
            await record_action(
                tx,
                actor,
                "community.archived" if archived else "community.reopened",
                target_type="channel",
                target_id=channel.id,
                now=now,
                summary=Words(
                    N_("Archived the community %(name)s.")
                    if archived
                    else N_("Reopened the community %(name)s."),
                    name=name,
                ),
            )

    await store.write(update)
    updated = await store.load_channel(channel.id)
    assert updated is not None
    return updated


async def join_community(
    store: Store, user: User, channel_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> Channel:
    return await directory.join_community(store, user, channel_id, clock=clock)


async def leave_community(store: Store, user: User, channel_id: int) -> Channel:
    channel = await load_community(store, channel_id)
    await directory.leave_community(store, user, channel_id)
    return channel
