"""The one write path of a post, without a server: messages and announcements alike say
whether they created anything, and a repeated client_id writes nothing at all."""

from __future__ import annotations

from channels.chat.messages import edit_message, post_message
from channels.people.mail import MailSettings
from channels.programme.announcements import post_announcement

from . import databases
from .support import email

MAIL = MailSettings(sender="Mentorspace <no-reply@example.org>", public_url="https://m.example")


async def test_a_post_says_whether_it_was_new(data_dir):
    store = await databases.open_store(data_dir)
    try:
        mentee = await store.load_user_by_email(email("mentee1"))
        lounge = (await store.load_channel_by_kind("mentee_lounge")).id
        payload = {"channel_id": lounge, "body": "hello", "client_id": "c1"}
        first = await post_message(store, mentee, payload)
        again = await post_message(store, mentee, payload)
        assert first.created and first.changes == [first.message]
        assert not again.created and again.changes == []
        assert again.message.id == first.message.id
        edited = await edit_message(store, mentee, {"message_id": first.message.id, "body": "hi"})
        assert not edited.created and edited.changes == [edited.message]
    finally:
        await store.close()


async def test_a_repeated_announcement_is_not_new_and_queues_and_audits_nothing(data_dir):
    store = await databases.open_store(data_dir)
    try:
        coordinator = await store.load_user_by_email(email("coordinator"))
        payload = {"body": "**News**", "client_id": "a1", "email": True}
        first, queued = await post_announcement(store, coordinator, payload, mail=MAIL)
        assert first.created and first.changes == [first.message] and queued > 0
        assert "<strong>News</strong>" in first.message.html
        audited, mails = len(await store.list_audit()), await store.count_mail()

        again, queued_again = await post_announcement(store, coordinator, payload, mail=MAIL)
        assert not again.created and again.changes == [] and queued_again == 0
        assert again.message.id == first.message.id
        assert len(await store.list_audit()) == audited
        assert await store.count_mail() == mails
    finally:
        await store.close()
