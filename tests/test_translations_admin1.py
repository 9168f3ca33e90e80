"""The coordinator area in Danish (issue 13), first half: home, people, import, pairs,
communities, menus, announcements, audit log, mail and digests, and the pages that ask before
something that matters.  A coordinator in a Danish programme reads every one of them with no
English word of the catalogue left, notices and refusals included; one who chose English
reads English.  None of them shows a word of what a pair wrote."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import aiohttp

from .goal_support import csrf, form, pair_of
from .mail_support import running_server
from .notify_support import marker
from .support import DAYS_AWAKE
from .task_support import create_task, expect, post_now
from .test_translations import _english_left

DANISH = {"locale": "da_DK", "timezone": "Europe/Copenhagen"}
PEOPLE_FILE = (  # as Danish Excel on Windows saves "CSV": Danish column names, semicolons
    "Navn;E-mail;Rolle;Fagområde\n"
    "Søren Ærø Åse;soeren@example.org;Koordinator;Økonomi og regnskab\n"
    "Maja Bæk;maja@example.org;mentee;Jura\n"
).encode("cp1252")


BAD_ROWS = (
    "Navn;E-mail;Rolle;Fagområde\n"
    "Maja Bæk;maja@example.org;mentee;Jura\n"
    "Ada;ikke-en-adresse;chef;\n"
    "Maja Bæk;maja@example.org;mentee;Jura\n"
).encode()


async def _read(client, path: str, *, status: int = 200, response=None) -> str:
    """The page at `path` (or the answer given), with no English word of the catalogue left:
    its markup, then its text (where a phrase may run across tags)."""
    response = response or await client.get(path)
    page = await response.text()
    assert response.status == status, (path, page[:2000])
    assert _english_left(page) == [], path
    markup = " ".join(html.unescape(page).split())
    return f"{markup}\n{words(markup)}"


def words(page: str) -> str:
    """What a reader reads of `page`: its text, without the markup."""
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]*>", " ", main).split())


async def _older_audit_entry(store) -> None:
    """An entry as the log kept them before it stored what to translate: English only."""

    async def insert(tx):
        await tx.insert_audit(
            actor_id=None,
            actor_name="Carla Coordinator",
            action="user.created",
            target_type="user",
            target_id=None,
            summary="An older entry, as it was written.",
            now="2026-01-01T00:00:00+00:00",
        )

    await store.write(insert)


async def _programme(server, clock) -> dict[str, int]:
    """A programme a week into its life: an invited mentee, a disabled mentor, a task posted and
    scheduled, an ended pair, an announcement, a community, a failed mail; and a message in a
    pair channel that no page may show."""
    store = server.store
    coordinator = await server.client("coordinator")
    nina = {"email": "nina@example.org", "name": "Nina Holm", "role": "mentee"}
    nina_id = (await expect(await coordinator.post("/api/v1/users", nina), 201))["user"]["id"]
    mentor3 = await server.user("mentor3")
    await expect(await coordinator.patch(f"/api/v1/users/{mentor3.id}", {"disabled": True}), 200)
    community = {"name": "Økonomi", "topic": "Budgetter og første job"}
    assert (await coordinator.post("/api/v1/communities", community)).status == 201
    task = await create_task(coordinator, title="Uge 1: del dit CV", due_days=3)
    await post_now(coordinator, task, {"all": True})
    until = (clock.now() + timedelta(days=60)).date().isoformat()
    weekly = {"weekly": {"weekday": "monday", "time": "09:00"}, "until": until, "all": True}
    schedule = await expect(await coordinator.post(f"/api/v1/tasks/{task}/schedules", weekly), 201)
    pair3 = await pair_of(server, 3)
    assert (await coordinator.delete(f"/api/v1/pairs/{pair3.id}")).status == 200
    announcement = {"body": "Velkommen til **foråret**", "client_id": None}
    assert (await coordinator.post("/api/v1/announcements", announcement)).status == 201

    async def give_up(tx):
        await tx.enqueue_mail([("forkert@example.org", "Hej", "Hej")], now="2026-01-01T00:00:00")
        [mail] = await tx.list_mail(limit=1)
        await tx.mark_mail_failed(mail.id, error="550 no user", now="2026-01-01", retry_at=None)

    await store.write(give_up)
    return {
        "nina": nina_id,
        "task": task,
        "schedule": schedule["schedule"]["id"],
        "pair": (await pair_of(server, 1)).id,
    }


async def test_a_danish_coordinator_reads_her_area_in_danish_and_an_english_one_in_english(
    data_dir, smtp, clock
):
    settings = {**smtp.config(), **DAYS_AWAKE, **DANISH}
    async with running_server(data_dir, clock=clock, config_changes=settings) as server:
        made = await _programme(server, clock)
        secret = marker("PAIRWORDS")
        mentor = await (await server.client("mentor1")).socket()
        await mentor.send(await server.pair_channel_id(1), f"{secret} hvordan gik samtalen?")
        coordinator = await server.client("coordinator")
        seen: list[str] = []

        async def read(path: str, **kwargs) -> str:
            page = await _read(coordinator, path, **kwargs)
            seen.append(page)
            return page

        home = await read("/admin")
        assert "Programmet i overblik" in home and 'aria-label="Koordinatorområde"' in home
        assert "4 mentees" in home and "1 af dem inviteret, endnu uden adgangskode" in home
        assert "2 mentorer" in home and "1 koordinator" in home
        assert "2 aktive par" in home
        # the task, posted to three pairs, one of which has ended since
        assert "2 sendte opgaver med frist inden for 7 dage" in home
        assert "1 e-mail kunne ikke sendes" in home
        assert 'href="/admin/mail?show=failed"' in home

        people = await read("/admin/users")
        assert "Tilføj og send invitation" in people and "Send invitationen igen" in people
        assert "deaktiveret" in people and "Vælg en rolle" in people
        assert '<option value="coordinator">koordinator</option>' in people
        mentors = await read("/admin/users?role=mentor")
        assert '<option value="mentor" selected>mentorer</option>' in mentors

        pairs = await read("/admin/pairs")
        assert "Afslut parret" in pairs and "Genåbn" in pairs and "afsluttet " in pairs
        assert "Spørg, hvordan det går" in pairs
        suggested = await read(f"/admin/pairs?mentee_id={made['nina']}")
        assert "Foreslåede mentorer til denne mentee" in suggested
        assert re.search(r"Andet fagområde: [^;]+; \d mentees? nu\.", suggested), suggested
        await read("/admin/pairs?show=quiet")
        assert "Intet par har været stille i 14 dage" in seen[-1]

        await read("/admin/communities")
        assert "Opret fællesskabet" in seen[-1] and "Økonomi" in seen[-1]
        menu = await read("/admin/menu/mentee")
        assert "Menu for mentees" in menu and "Gem menuen" in menu
        assert "Slå meddelelsen op" in await read("/admin/announce")
        # The audit log says what each coordinator did in her language, though it was stored
        # as it happened (an entry from before summaries were stored so reads as it was).
        await _older_audit_entry(server.store)
        audit = await read("/admin/audit")
        assert "Hent det hele som en CSV-fil" in audit and "Hvornår" in audit
        assert "Afsluttede parret Anne Berg og Eva Larsen." in audit
        assert "Oprettede mentee Nina Holm <nina@example.org> og sendte en invitation." in audit
        assert "Deaktiverede Anne Berg <mentor3@demo.mentorspace>." in audit
        assert (
            "Spurgte Anne Berg og Eva Larsen, hvordan mentorforløbet gik (parret sluttede)."
            in audit
        )
        assert "Oprettede fællesskabet Økonomi." in audit
        assert "Planlagde opgaven Uge 1: del dit CV." in audit
        assert "Slog en meddelelse op." in audit
        assert "An older entry, as it was written." in audit
        mail = await read("/admin/mail")
        assert "Udgående mail" in mail and "1 mislykket" in mail
        failed = await read("/admin/mail?show=failed")
        assert "Mail, der ikke kunne sendes" in failed and "forkert@example.org" in failed
        assert "nina@example.org" not in failed
        digests = await read("/admin/digests?role=coordinator")
        assert "Forhåndsvisning for en koordinator" in digests
        assert "0 personer har afmeldt sig med linket i en opsummering." in digests
        # The preview is the programme's language, as everyone who has not chosen one gets it.
        assert "Hej En koordinator," in digests
        # A language's name inside a Danish sentence is written in lower case.
        assert "Vist på programmets sprog (dansk)" in digests and "Dansk" not in digests

        # The import: the columns named in Danish, and the roles as Danes write them.
        assert "kolonnerne e-mail, navn, rolle, fagområde" in await read("/admin/import")
        upload = aiohttp.FormData()
        upload.add_field("csrf_token", await csrf(coordinator, "/admin/import"))
        upload.add_field("file", PEOPLE_FILE, filename="Deltagere forår.csv")
        preview = await read(
            "/admin/import", response=await coordinator.http.post("/admin/import", data=upload)
        )
        assert "Tjek, før du importerer" in preview and "2 nye personer at importere" in preview
        assert '<td data-label="Rolle">koordinator</td>' in preview
        assert "Importér 2 personer" in preview
        assert "læst som CSV, Windows-1252 (vesteuropæisk)." in preview
        # A file with rows to fix: each problem said in her language.
        upload = aiohttp.FormData()
        upload.add_field("csrf_token", await csrf(coordinator, "/admin/import"))
        upload.add_field("file", BAD_ROWS, filename="Deltagere.csv")
        problems = await read(
            "/admin/import", response=await coordinator.http.post("/admin/import", data=upload)
        )
        assert "læst som CSV, UTF-8." in problems and "2 rækker at rette" in problems
        assert (
            "ugyldig e-mailadresse 'ikke-en-adresse'; ukendt rolle 'chef'"
            " (skriv koordinator, mentor eller mentee)" in problems
        )
        assert "dublet: maja@example.org står allerede på linje 2" in problems
        refused = await form(coordinator, "/admin/import/confirm", {"seal": "x.y"})
        page = await read("/admin/import", status=400, response=refused)
        assert "forhåndsvisning er udløbet. Vælg filen igen." in page

        # What asks first, and what a form says when it is done or refused.
        nameless = await form(coordinator, "/admin/users", {"email": "a@example.org", "name": "A"})
        page = await read("/admin/users", status=400, response=nameless)
        assert "Vælg en rolle til personen: mentee, mentor eller koordinator." in page
        ada = {"email": "ada@example.org", "name": "Ada Lund", "role": "coordinator"}
        asked = await read("/admin/users", response=await form(coordinator, "/admin/users", ada))
        assert "Skal Ada Lund være koordinator?" in asked and "Ja, gør Ada Lund til" in asked
        created = await form(coordinator, "/admin/users", {**ada, "role": "mentee"})
        assert created.headers["Location"] == "/admin/users?notice=created-mentee"
        notice = await read(created.headers["Location"])
        assert "Menteens konto er oprettet, og invitationen er på vej." in notice
        ending = await form(coordinator, f"/admin/pairs/{made['pair']}/end", {})
        page = await read("/admin/pairs", response=ending)
        assert (
            "Afslut parret Maria Jensen og Sara Nielsen?" in page and "Nej, behold parret" in page
        )
        again = await form(coordinator, f"/admin/tasks/{made['task']}/post-now", {})
        page = await read("/admin/tasks", response=again)
        assert "igen til 2 par?" in page and "Ja, send den igen til 2 par" in page
        cancel = await form(coordinator, f"/admin/schedules/{made['schedule']}/cancel", {})
        page = await read("/admin/schedules", response=cancel)
        assert "Annullér denne plan for “Uge 1: del dit CV”?" in page
        assert "Ja, annullér den for 2 par" in page
        delete = await form(coordinator, f"/admin/tasks/{made['task']}/delete", {})
        page = await read("/admin/tasks", response=delete)
        assert "Slet opgaven “Uge 1: del dit CV”?" in page
        assert "dens 1 plan, der mangler at sende, stopper" in page
        assert "De 3 eksemplarer, der allerede er sendt, bliver hos parrene" in page

        # Not a word of the pair's conversation on any of them.
        assert all(secret not in page for page in seen)

        # She chooses English: her area reads in English again.
        assert (await coordinator.patch("/api/v1/me", {"language": "en"})).status == 200
        english = html.unescape(await (await coordinator.get("/admin")).text())
        english += words(english)
        assert "The programme at a glance" in english and "2 active pairs" in english
        assert "Each pair's copy counts" in english
        assert _english_left(english) != []
        audit = html.unescape(await (await coordinator.get("/admin/audit")).text())
        assert "Ended the pair of Anne Berg and Eva Larsen." in audit
        assert "Created mentee Nina Holm <nina@example.org> and sent an invitation." in audit
        people = html.unescape(await (await coordinator.get("/admin/users?notice=updated")).text())
        assert (
            "Add and send invitation" in people
            and '<p class="notice" role="status">Saved.' in people
        )
        assert '<option value="coordinator">coordinator</option>' in people
        # The digest preview stays in the programme's language, and says so in hers.
        digests = html.unescape(await (await coordinator.get("/admin/digests?role=mentee")).text())
        assert "Hej En mentee," in digests and "4 nye beskeder fra (deres partner)" in digests
        assert "Shown in the programme's language (Danish)" in digests  # named in English
        upload = aiohttp.FormData()
        upload.add_field("csrf_token", await csrf(coordinator, "/admin/import"))
        upload.add_field("file", BAD_ROWS, filename="People.csv")
        response = await coordinator.http.post("/admin/import", data=upload)
        problems = words(html.unescape(await response.text()))
        assert "read as CSV, UTF-8." in problems and "2 rows to fix" in problems
        assert "bad e-mail address 'ikke-en-adresse'; unknown role 'chef'" in problems
        assert "duplicate: maja@example.org is already on line 2" in problems


async def test_an_english_programme_reads_english_and_a_coordinator_may_choose_danish(
    data_dir, clock
):
    async with running_server(data_dir, clock=clock, config_changes=DAYS_AWAKE) as server:
        coordinator = await server.client("coordinator")
        page = html.unescape(await (await coordinator.get("/admin/mail?show=failed")).text())
        assert "<h1>Mail that could not be sent</h1>" in page and "Only failed mail" in page
        assert (await coordinator.patch("/api/v1/me", {"language": "da"})).status == 200
        page = await _read(coordinator, "/admin/mail?show=failed")
        assert "<h1>Mail, der ikke kunne sendes</h1>" in page and "Kun mislykket mail" in page
        lene = await server.client("mentee2")  # the programme's language stays English for her
        assert "Welcome! Three things to know" in html.unescape(await (await lene.get("/")).text())
