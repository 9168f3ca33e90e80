"""The shared input checks of channels/input.py, without a server."""

from __future__ import annotations

import pytest

from channels.errors import Invalid
from channels.input import check_changes, check_place


def test_a_change_names_known_fields_and_at_least_one():
    assert check_changes({"name": "A"}, ["name", "topic"]) == {"name": "A"}
    with pytest.raises(Invalid, match=r"Unknown field: colour\. Allowed: name, topic\."):
        check_changes({"colour": "red"}, ["name", "topic"])
    with pytest.raises(Invalid, match="Nothing to change"):
        check_changes({}, ["name"])
    with pytest.raises(Invalid):
        check_changes(["name"], ["name"])


@pytest.mark.parametrize(
    ("payload", "item", "siblings", "order"),
    [
        ({}, 3, [1, 2, 3], [1, 2, 3]),  # no position: stays where it is
        ({"position": 1}, 3, [1, 2, 3], [3, 1, 2]),
        ({"position": 3}, 1, [1, 2, 3], [2, 3, 1]),
        ({}, 9, [1, 2], [1, 2, 9]),  # joining: at the end
        ({"position": 1}, 9, [1, 2], [9, 1, 2]),
        ({}, 9, [], [9]),
    ],
)
def test_a_place_among_siblings(payload, item, siblings, order):
    assert check_place(payload, item, siblings) == order


@pytest.mark.parametrize("position", [0, 4, -1, "2", 1.5, True])
def test_a_place_outside_the_list_is_refused(position):
    with pytest.raises(Invalid):
        check_place({"position": position}, 3, [1, 2, 3])
