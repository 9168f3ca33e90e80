"""The member-facing pages in Danish (issue 13): communities, the library, goals, questionnaires,
the satisfaction form, reporting a message, notifications, search, feedback, the line to the
coordinators, research consent, the error pages and the digest's unsubscribe page.  In a Danish
programme each shows no English word of the catalogue, and a person who chose English still
reads English.  The pages that now look up their reader (the error page, the unsubscribe page)
show nothing of a pair's conversation to anyone."""

from __future__ import annotations

import html
import json
import re

import aiohttp

from channels.dates import Calendar
from channels.files.wire import file_size
from channels.notify.digests import unsubscribe_path
from channels.readers import Reader
from server import keys
from server.runners.digests import digest_settings

from .goal_support import add_goal, expect, form, pair_of
from .mail_support import running_server
from .notify_support import marker, mention, start_clean
from .questionnaire_support import assign, create_questionnaire
from .test_translations import _english_left

DANISH = {"locale": "da_DK", "timezone": "Europe/Copenhagen"}


async def _text(client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    page = await response.text()
    assert response.status == status, (path, response.status, page[:300])
    return page


async def _programme(server) -> dict:
    """Something on every page: a community Sara joined, a library with a folder for mentees
    and a link, a goal with milestones, a questionnaire for everyone, a satisfaction form, a
    message of Maria's mentioning Sara (a notification), and the page addresses."""
    carla = await server.client("coordinator")
    sara, maria = await server.client("mentee1"), await server.client("mentor1")
    await start_clean(sara)
    pair = await server.pair_channel_id(1)

    created = await carla.post("/api/v1/communities", {"name": "Økonomi", "topic": "Budgetter"})
    community = (await expect(created, 201))["community"]
    joined = await form(sara, f"/communities/{community['id']}/join", {})
    assert joined.status == 303

    folder = await carla.post("/api/v1/library/folders", {"name": "Guides", "audience": "mentees"})
    folder_id = (await expect(folder, 201))["folder"]["id"]
    resource = {"folder_id": folder_id, "title": "CV guide", "url": "https://example.org/cv"}
    await expect(await carla.post("/api/v1/library/resources", resource), 201)

    await add_goal(sara, pair, "Et job i økonomi", "Opdatér CV", "Søg fem job")
    questionnaire = await create_questionnaire(carla)
    await assign(carla, questionnaire["id"])
    asked = await carla.post(f"/api/v1/pairs/{(await pair_of(server, 1)).id}/satisfaction")
    satisfaction = (await expect(asked, 201))["request"]["id"]

    said = await (await maria.socket()).send(pair, f"Hej {mention(sara.user)}, budget i morgen?")
    return {
        "sara": sara,
        "carla": carla,
        "pair": pair,
        "community": community["id"],
        "questionnaire": questionnaire["id"],
        "satisfaction": satisfaction,
        "message": said["id"],
    }


def _unsubscribe(server, user_id: int) -> str:
    settings = digest_settings(server.app[keys.CONFIG], server.app[keys.SECRET])
    return unsubscribe_path(settings.secret, user_id)


async def test_a_member_reads_every_page_of_hers_in_danish(data_dir):
    async with running_server(data_dir, config_changes=DANISH) as server:
        made = await _programme(server)
        sara, pair = made["sara"], made["pair"]
        pages = {
            "/communities": ["Faglige fællesskaber", "1 medlem · du er medlem", "Meld dig ud"],
            "/resources": ["Vejledninger og materiale", "kun mentees", "Link til example.org"],
            f"/channels/{pair}/goals": ["Jeres mål", "0 af 2 delmål klaret", "Ikke begyndt"],
            "/questionnaires": ["Åbne for dig", "Venter på dine svar"],
            f"/questionnaires/{made['questionnaire']}": ["Åben indtil", "(skal besvares)"],
            f"/satisfaction/{made['satisfaction']}": [
                "Hvordan er dit forhold til Maria Jensen?",
                "Meget godt",
                # how far she has come, as Danes say it: none yet, a little, some, a lot
                'scale-word">Lidt</span>',
                'scale-word">En del</span>',
                'scale-word">Meget</span>',
                'scale-word">Målet er nået</span>',
            ],
            f"/messages/{made['message']}/report": [
                "Det ser koordinatorerne",
                "Mentorkanalen Maria Jensen & Sara Nielsen",
                "Maria Jensen får ikke at vide, hvem der har anmeldt den.",
            ],
            "/notifications": [
                "Markér alle som læst",
                "Maria Jensen nævnte dig i din mentorkanal",
                "Koordinatorerne spørger, hvordan dit mentorforløb går: to korte spørgsmål",
            ],
            "/search?q=budget": ["Resultater for “budget”", "Samtale med Maria Jensen"],
            "/search?q=ingenting": ["Intet fundet for “ingenting”", "Prøv med færre ord"],
            "/feedback": ["Hvad drejer det sig om?", "Noget virker ikke"],
            "/coordinators": ["Din egen linje", "min mentor er blevet stille"],
            "/consent": ["Samtykke til forskning"],
            # the goal's card in the conversation (its live copy: below)
            f"/channels/{pair}": ['<span class="goal-status">Ikke begyndt<'],
        }
        for path, phrases in pages.items():
            page = await _text(sara, path)
            assert _english_left(page) == [], path
            assert '<html lang="da-DK"' in page, path
            assert '<script type="application/json" id="words">' in page, path  # for its JS
            for phrase in phrases:
                assert phrase in html.unescape(page), (path, phrase)

        # The labels a live message carries in English, for messages.js to show in Danish.
        channel = await _text(sara, f"/channels/{pair}")
        words = json.loads(re.search(r'id="words">(.*?)</script>', channel).group(1))
        assert words["Achieved"] == "Nået" and words["PDF document"] == "PDF-dokument"

        # File sizes as Danish writes them (the demo library has small text files).
        library = await _text(sara, "/resources")
        assert re.search(r"Tekst · \d+ byte<", library) and " bytes<" not in library

        # After a change: the notices chosen by key read in Danish too.
        left = await form(sara, f"/communities/{made['community']}/leave", {})
        assert left.headers["Location"] == "/communities?notice=left"
        page = await _text(sara, "/communities?notice=left")
        assert "Du har forladt fællesskabet." in html.unescape(page)
        assert "0 medlemmer" in page and "Meld dig ind" in page

        # The error pages, 403 and 404, in her language; and the digest's unsubscribe page,
        # which needs no login, in the language of the person it unsubscribes.
        forbidden = await _text(sara, "/admin", 403)
        assert "Ikke tilladt" in forbidden and _english_left(forbidden) == []
        missing = await _text(sara, "/no-such-page", 404)
        assert "Ikke fundet" in missing and "Tilbage til din forside" in missing
        link = _unsubscribe(server, sara.user["id"])
        async with aiohttp.ClientSession(server.url) as stranger:
            asking = await (await stranger.get(link)).text()
            assert "Stop de opsummerende e-mails?" in asking and _english_left(asking) == []
            done = await (await stranger.post(link)).text()
            assert "Du er afmeldt" in done and _english_left(done) == []


async def test_a_person_who_chose_english_reads_the_same_pages_in_english(data_dir):
    async with running_server(data_dir, config_changes=DANISH) as server:
        made = await _programme(server)
        sara = made["sara"]
        chosen = await sara.patch("/api/v1/me", {"language": "en"})
        assert (await chosen.json())["user"]["language"] == "en"
        pages = {
            "/communities": ["Communities of practice", "1 member · you are a member"],
            "/resources": ["Guides and material", "mentees only", "Link to example.org"],
            f"/channels/{made['pair']}/goals": ["Your goals", "0 of 2 milestones done"],
            f"/questionnaires/{made['questionnaire']}": ["Open until", "(required)"],
            f"/satisfaction/{made['satisfaction']}": [
                "How is your relationship with Maria",
                'scale-word">Some</span>',
                'scale-word">A lot</span>',
            ],
            f"/messages/{made['message']}/report": ["What the coordinators will see"],
            "/notifications": ["Mark all as read", "Maria Jensen mentioned you in your mentoring"],
            "/search?q=budget": ["Results for “budget”", "Conversation with Maria Jensen"],
        }
        for path, phrases in pages.items():
            page = html.unescape(await _text(sara, path))
            assert '<html lang="en-DK"' in page, path
            for phrase in phrases:
                assert phrase in page, (path, phrase)
        assert "Not allowed" in await _text(sara, "/admin", 403)
        assert "Not found" in await _text(sara, "/no-such-page", 404)
        async with aiohttp.ClientSession(server.url) as stranger:
            link = _unsubscribe(server, sara.user["id"])
            assert "Stop the summary e-mails?" in await (await stranger.get(link)).text()
            # Lene has not chosen: the programme's Danish.
            lene = await server.user("mentee2")
            page = await (await stranger.get(_unsubscribe(server, lene.id))).text()
            assert "Stop de opsummerende e-mails?" in page


async def test_the_pages_that_look_up_their_reader_show_nothing_of_a_pair(data_dir):
    """The error page now reads who is asking, and the unsubscribe page whom it is for: only
    for their language.  A word of pair 1 reaches neither, whoever asks (its partner pair's
    neighbours and the coordinators included), and a link for someone else is refused."""
    async with running_server(data_dir, config_changes=DANISH) as server:
        secret = marker("PAIRWORD")
        pair = await server.pair_channel_id(1)
        sara = await server.client("mentee1")
        said = await (await sara.socket()).send(pair, f"Kun til dig: {secret}")
        lene, carla = await server.client("mentee2"), await server.client("coordinator")
        for client in (lene, carla):
            for path, status in (
                (f"/channels/{pair}", 404),
                (f"/messages/{said['id']}/report", 404),
                ("/no-such-page", 404),
            ):
                response = await client.get(path)
                page = await response.text()
                assert response.status == status, (path, status, page[:200])
                assert secret not in page and _english_left(page) == [], path
        async with aiohttp.ClientSession(server.url) as stranger:
            for user_id in (sara.user["id"], lene.user["id"], carla.user["id"]):
                page = await (await stranger.get(_unsubscribe(server, user_id))).text()
                assert secret not in page
            forged = _unsubscribe(server, lene.user["id"]).replace(
                f"/{lene.user['id']}/", f"/{sara.user['id']}/"
            )
            refused = await stranger.get(forged)
            assert refused.status == 404 and secret not in await refused.text()


async def test_a_notification_reads_in_its_recipients_language_live_and_in_the_api(data_dir):
    """One message notifies two people: each sentence is in its own recipient's language, as
    the bell shows it (a browser notification) and as the API lists it."""
    async with running_server(data_dir, config_changes=DANISH) as server:
        maria = await server.client("mentor1")
        grete, anne = await server.client("mentor2"), await server.client("mentor3")
        await start_clean(grete, anne)
        chosen = await grete.patch("/api/v1/me", {"language": "en"})
        assert chosen.status == 200
        grete_socket, anne_socket = await grete.socket(), await anne.socket()
        lounge = await server.channel_id("mentor_lounge")
        words = f"{mention(grete.user)} {mention(anne.user)} kaffe på fredag?"
        await (await maria.socket()).send(lounge, words)

        english = await grete_socket.wait_for("notification")
        danish = await anne_socket.wait_for("notification")
        assert english["text"] == "Maria Jensen mentioned you in Mentor lounge"
        assert danish["text"] == "Maria Jensen nævnte dig i Mentorlounge"
        for client, text in ((grete, english["text"]), (anne, danish["text"])):
            listed = await expect(await client.get("/api/v1/notifications"), 200)
            assert listed["notifications"][0]["text"] == text


def test_a_file_size_reads_in_the_readers_language():
    danish = Reader.of("", Calendar.of("da_DK"))
    assert [file_size(size, danish) for size in (1, 804, 1572864, 26214400)] == [
        "1 byte",
        "804 byte",
        "1,5 MB",
        "25 MB",
    ]
    assert [file_size(size) for size in (1, 804, 1572864)] == ["1 byte", "804 bytes", "1.5 MB"]
