"""The whole access matrix: every role, channel kind and action, member or not, archived or not.

The expectations are written out here by hand, in the words of the design, not derived from
the policy table they check."""

from __future__ import annotations

import itertools

import pytest

from channels.chat.messages import check_emoji
from channels.errors import Invalid
from channels.policy import KINDS, ROLES, Action, allows
from storage.records import Channel, User

TALK = {Action.READ, Action.POST, Action.REPLY, Action.EDIT_OWN, Action.DELETE_OWN, Action.REACT}


def expected(kind: str, role: str, member: bool, action: Action) -> bool:
    if kind == "pair":  # the two people of the pair, nobody else; no moderators
        return member and action in TALK
    if kind == "mentor_lounge":
        return (role in ("mentor", "coordinator") and action in TALK) or (
            role == "coordinator" and action is Action.MODERATE
        )
    if kind == "mentee_lounge":
        return (role in ("mentee", "coordinator") and action in TALK) or (
            role == "coordinator" and action is Action.MODERATE
        )
    if kind == "announcements":  # everyone reads and replies; coordinators post and moderate
        if action in (Action.POST, Action.MODERATE):
            return role == "coordinator"
        return True
    if kind == "community":  # members talk; coordinators run them
        return (member and action in TALK) or role == "coordinator"
    if kind == "coordinator_line":  # its participant and every coordinator talk; no moderators
        return (member or role == "coordinator") and action in TALK
    raise AssertionError(kind)


def _user(role: str, disabled: bool = False) -> User:
    return User(1, "a@b.org", "A", role, None, "", "", disabled, "")


def _channel(kind: str, archived: bool = False) -> Channel:
    return Channel(1, kind, "c", "", 0, archived, "")


CASES = list(itertools.product(KINDS, ROLES, [False, True], list(Action)))


@pytest.mark.parametrize(("kind", "role", "member", "action"), CASES)
def test_policy_matrix(kind, role, member, action):
    want = expected(kind, role, member, action)
    assert allows(_user(role), _channel(kind), action, is_member=member) is want
    # Archived channels (an ended pair, an archived community) can only be read.
    want_archived = want and action is Action.READ
    assert (
        allows(_user(role), _channel(kind, archived=True), action, is_member=member)
        is want_archived
    )
    # A disabled account can do nothing at all.
    assert allows(_user(role, disabled=True), _channel(kind), action, is_member=member) is False


def test_the_matrix_covers_every_cell():
    assert len(CASES) == len(KINDS) * len(ROLES) * 2 * len(Action) == 252


def test_coordinators_never_read_a_pair_they_are_not_in():
    assert not allows(_user("coordinator"), _channel("pair"), Action.READ, is_member=False)


@pytest.mark.parametrize("emoji", ["👍", "🎉", "👩‍💻", "🇩🇰", "👍🏽", "❤️", "1️⃣", ":thumbs_up:"])
def test_reactions_accept_real_emoji(emoji):
    assert check_emoji(emoji) == emoji


@pytest.mark.parametrize(
    "text", ["é", "abc", "<script>", "👍 ", " ", "::", "a👍", ":a b:", "\u202e👍", "1"]
)
def test_reactions_refuse_anything_else(text):
    with pytest.raises(Invalid):
        check_emoji(text)
