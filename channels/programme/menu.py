"""The menu each role sees: which items, in what order, their labels, and extra links (for
example to the programme's video-call tool).  Stored per role; a role with nothing stored
sees its default menu.  Clients draw the items they know by their `item` name."""

from __future__ import annotations

from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid, MentorspaceError, TooLarge
from channels.input import check_name, check_object, check_url
from channels.languages import N_, roles_word
from channels.people.accounts import check_role
from channels.policy import check_coordinator
from channels.programme.audit import record_action
from channels.words import Words, joined
from storage import Store, Tx
from storage.records import MenuItem, User

LINK = "link"
MAX_ITEMS = 20
MAX_LABEL = 40

# item: (default label per role, roles that may have it); a default label is shown translated
BUILT_IN: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "home": ({"*": N_("Home")}, ("coordinator", "mentor", "mentee")),
    "pair": ({"mentor": N_("My mentee"), "mentee": N_("My mentor")}, ("mentor", "mentee")),
    "announcements": ({"*": N_("Announcements")}, ("coordinator", "mentor", "mentee")),
    "lounge": (
        {
            "mentor": N_("Mentor lounge"),
            "mentee": N_("Mentee lounge"),
            "coordinator": N_("Lounges"),
        },
        ("coordinator", "mentor", "mentee"),
    ),
    "communities": ({"*": N_("Communities")}, ("coordinator", "mentor", "mentee")),
    "library": ({"*": N_("Library")}, ("coordinator", "mentor", "mentee")),
    "questionnaires": ({"*": N_("Questionnaires")}, ("coordinator", "mentor", "mentee")),
    "coordinators": ({"*": N_("Ask the coordinators")}, ("mentor", "mentee")),
    "feedback": ({"*": N_("Feedback")}, ("mentor", "mentee")),
    "admin": ({"*": N_("Coordinator area")}, ("coordinator",)),
}
_PARTICIPANT_ORDER = [
    *("home", "pair", "announcements", "lounge", "communities", "library"),
    *("questionnaires", "coordinators", "feedback"),
]
DEFAULT_ORDER = {
    "coordinator": [
        *("home", "admin", "announcements", "lounge", "communities", "library"),
        "questionnaires",
    ],
    "mentor": _PARTICIPANT_ORDER,
    "mentee": _PARTICIPANT_ORDER,
}


def default_label(item: str, role: str) -> str:
    labels = BUILT_IN[item][0]
    return labels.get(role) or labels["*"]


def available_items(role: str) -> list[str]:
    return [item for item, (_, roles) in BUILT_IN.items() if role in roles]


def default_menu(role: str) -> list[MenuItem]:
    return [MenuItem(i, default_label(i, role), None, True) for i in DEFAULT_ORDER[role]]


async def load_menu(store: Store, role: str) -> list[MenuItem]:
    """The role's whole menu, hidden items included."""
    return await store.load_menu_items(role) or default_menu(role)


async def menu_for(store: Store, user: User) -> list[MenuItem]:
    """What this person's menu shows, in order."""
    return [item for item in await load_menu(store, user.role) if item.visible]


async def load_menu_for_editing(store: Store, user: User, role: object) -> list[MenuItem]:
    """The role's menu with every built-in item it could have (unused ones hidden, last)."""
    check_coordinator(user)
    role = check_role(role)
    items = await load_menu(store, role)
    present = {i.item for i in items}
    return items + [
        MenuItem(i, default_label(i, role), None, False)
        for i in available_items(role)
        if i not in present
    ]


def _check_item(role: str, raw: Any, position: int) -> MenuItem:
    entry = check_object(raw)
    where = Words(N_("Menu item %(position)s"), position=position)
    item = entry.get("item")
    if item != LINK and item not in available_items(role):
        raise Invalid(
            N_("%(where)s: %(item)s is not a menu item for %(roles)s. Use one of: %(items)s."),
            where=where,
            item=repr(item),
            roles=roles_word(role),
            items=", ".join([*available_items(role), LINK]),
        )
    visible = entry.get("visible", True)
    if not isinstance(visible, bool):
        raise Invalid(N_("%(where)s: 'visible' must be true or false."), where=Words(where))
    label = entry.get("label")
    if label is None or (isinstance(label, str) and not label.strip()):
        if item == LINK:
            raise Invalid(N_("%(where)s: a link needs a label."), where=Words(where))
        label = default_label(item, role)
    try:
        label = check_name(label, Words(N_("%(where)s: the label"), where=where))
    except MentorspaceError as error:
        raise type(error)(error.message) from None
    if len(label) > MAX_LABEL:
        raise TooLarge(
            N_("%(where)s: labels can have at most %(max_label)s characters."),
            where=Words(where),
            max_label=MAX_LABEL,
        )
    if item == LINK:
        return MenuItem(LINK, label, check_url(entry.get("url")), visible)
    if entry.get("url") is not None:
        raise Invalid(N_("%(where)s: only links have an address."), where=Words(where))
    return MenuItem(item, label, None, visible)


def check_menu(role: str, payload: Any) -> list[MenuItem]:
    items = check_object(payload).get("items")
    if not isinstance(items, list) or not items:
        raise Invalid(N_("'items' must be a list of menu items."))
    if len(items) > MAX_ITEMS:
        raise TooLarge(N_("A menu can have at most %(max_items)s items."), max_items=MAX_ITEMS)
    checked = [_check_item(role, raw, n) for n, raw in enumerate(items, start=1)]
    seen: set[str] = set()
    for entry in checked:
        if entry.item != LINK and entry.item in seen:
            raise Invalid(N_("The item %(item)s is in the menu twice."), item=repr(entry.item))
        seen.add(entry.item)
    if role == "coordinator" and not any(i.item == "admin" and i.visible for i in checked):
        raise Invalid(N_("Coordinators' menu must keep the coordinator area."))
    return checked


async def set_menu(
    store: Store, user: User, role: object, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> list[MenuItem]:
    """`payload`: {items: [{item, label?, visible?, url?}, ...]} in menu order; `item` is a
    built-in item name or "link" (with a label and an https address)."""
    actor = check_coordinator(user)
    role = check_role(role)
    items = check_menu(role, payload)
    now = iso(clock.now())
    shown = joined(
        [
            Words(i.label) if i.item != LINK and i.label == default_label(i.item, role) else i.label
            for i in items
            if i.visible
        ],
        ", ",
    )

    async def replace(tx: Tx) -> None:
        await tx.replace_menu_items(role, items)
        await record_action(
            tx,
            actor,
            "menu.changed",
            target_type="menu",
            target_id=None,
            summary=Words(
                N_("Changed the menu for %(roles)s to: %(items)s."),
                roles=roles_word(role),
                items=shown,
            ),
            now=now,
        )

    await store.write(replace)
    return items
