"""Results: per question the counts (and a scale's average), the free text with its author for
a named questionnaire, the response rate per role, who has not answered; for an anonymous one,
nothing until it closes, and nothing with fewer than three answers."""

from __future__ import annotations

import re

from .clocks import FakeClock
from .questionnaire_support import answer, assign, create_questionnaire, ids
from .task_support import expect, running


async def test_counts_averages_free_text_and_the_rate_per_role(server):
    coordinator = await server.client("coordinator")
    made = await create_questionnaire(coordinator)
    await assign(coordinator, made["id"], all=True)
    single, multiple, scale, short, long = ids(made)
    given = {
        "mentee1": {single: 0, multiple: [0, 1], scale: 5, long: "Found a job"},
        "mentee2": {single: 1, multiple: [1], scale: 4, short: "Calmer"},
        "mentor1": {single: 0, multiple: [1, 2], scale: 3},
    }
    for handle, answers in given.items():
        await answer(await server.client(handle), made["id"], answers, 201)

    results = await expect(
        await coordinator.get(f"/api/v1/questionnaires/{made['id']}/results"), 200
    )
    assert results["withheld"] is None
    assert (results["asked"], results["answered"]) == (6, 3)
    assert results["rates"] == [
        {"role": "mentor", "asked": 3, "answered": 1},
        {"role": "mentee", "asked": 3, "answered": 2},
    ]
    by_id = {str(q["id"]): q for q in results["questions"]}
    assert by_id[single]["counts"] == [
        {"label": "Weekly", "count": 2},
        {"label": "Monthly", "count": 1},
    ]
    assert by_id[multiple]["answered"] == 3
    assert [c["count"] for c in by_id[multiple]["counts"]] == [1, 3, 1]
    assert [c["count"] for c in by_id[scale]["counts"]] == [0, 0, 1, 1, 1]
    assert by_id[scale]["counts"][0]["label"] == "1: Badly"
    assert by_id[scale]["counts"][4]["label"] == "5: Very well"
    assert by_id[scale]["mean"] == 4.0
    assert by_id[short]["texts"] == [
        {
            "text": "Calmer",
            "author": {"id": (await server.user("mentee2")).id, "name": "Lene Madsen"},
        }
    ]
    assert [t["text"] for t in by_id[long]["texts"]] == ["Found a job"]
    assert by_id[long]["answered"] == 1 and by_id[long]["counts"] == []
    assert [w["name"] for w in results["waiting"]] == ["Anne Berg", "Eva Larsen", "Grete Holm"]

    page = await (await coordinator.get(f"/admin/questionnaires/{made['id']}/results")).text()
    assert "3 of 6</strong> answered (50%)" in page
    # Each bar is drawn to its share, with the number and the share written beside it.
    assert re.search(r'<rect class="bar-fill" x="0" y="0" width="67" height="10"/>', page)
    assert '<td class="bar-share">67%</td>' in page and "Found a job" in page
    assert "3 not answered yet" in page and "Anne Berg" in page
    listed = await (await coordinator.get("/admin/questionnaires")).text()
    assert "3 of 6" in listed


async def test_an_anonymous_questionnaire_shows_answers_only_once_closed_and_from_three(data_dir):
    clock = FakeClock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        few = await create_questionnaire(coordinator, anonymous=True, title="Few")
        many = await create_questionnaire(coordinator, anonymous=True, title="Many")
        for made in (few, many):
            await assign(coordinator, made["id"], closes_in_days=2, all=True)
        for handle in ("mentee1", "mentee2"):
            person = await server.client(handle)
            for made in (few, many):
                single, multiple, scale, *_ = ids(made)
                await answer(person, made["id"], {single: 1, multiple: [2], scale: 2}, 201)
        mentor = await server.client("mentor3")
        single, multiple, scale, *_ = ids(many)
        await answer(mentor, many["id"], {single: 0, multiple: [2], scale: 4}, 201)

        open_results = await expect(
            await coordinator.get(f"/api/v1/questionnaires/{many['id']}/results"), 200
        )
        assert "once it has closed" in open_results["withheld"]
        assert open_results["questions"] == [] and open_results["answered"] == 3
        clock.advance(days=3)
        for made, shown in ((few, False), (many, True)):
            found = await expect(
                await coordinator.get(f"/api/v1/questionnaires/{made['id']}/results"), 200
            )
            assert found["questionnaire"]["state"] == "closed" and found["waiting"] == []
            if shown:
                assert found["withheld"] is None
                counts = {
                    q["prompt"]: [c["count"] for c in q["counts"]] for q in found["questions"]
                }
                assert counts["How often do you meet?"] == [1, 2]
                assert counts["How is it going?"] == [0, 2, 0, 1, 0]
            else:
                assert "Fewer than 3" in found["withheld"] and found["questions"] == []
        # ... and it stays closed: moving its closing date would let a late answer be picked out
        refused = await coordinator.patch(
            f"/api/v1/questionnaires/{many['id']}", {"closes_at": "2099-01-01"}
        )
        assert refused.status == 409
