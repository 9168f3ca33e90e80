"""Profiles and photos (issue 13): a mentee reads about her mentor; a photo is kept small,
square and without metadata; bad uploads change nothing; a pair stays the pair's to know."""

from __future__ import annotations

import html
import io

import aiohttp
from PIL import Image

from .file_support import csrf_of
from .notify_support import marker

SPY_CAMERA = "SpyCam-Serial-4711"


def jpeg_with_location(width: int = 900, height: int = 600) -> bytes:
    """A phone photo: with its camera and a GPS position in its EXIF."""
    picture = Image.new("RGB", (width, height), (180, 140, 110))
    exif = Image.Exif()
    exif[0x010F] = SPY_CAMERA  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (55.0, 40.0, 30.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    assert SPY_CAMERA.encode() in out.getvalue()
    return out.getvalue()


def photo_form(data: bytes, token: str | None, name: str = "me.jpg") -> aiohttp.FormData:
    form = aiohttp.FormData()
    if token is not None:
        form.add_field("csrf_token", token)
    form.add_field("photo", io.BytesIO(data), filename=name, content_type="image/jpeg")
    return form


async def test_a_mentor_adds_a_photo_and_her_mentee_reads_about_her(server):
    maria, sara = await server.client("mentor1"), await server.client("mentee1")
    maria_id = maria.user["id"]
    saved = await maria.http.post(
        "/profile/photo",
        data=photo_form(jpeg_with_location(), await csrf_of(maria)),
        allow_redirects=False,
    )
    assert saved.status == 303 and saved.headers["Location"] == "/profile?saved=photo"
    assert "Your photo is saved." in await (await maria.get("/profile?saved=photo")).text()

    person = (await (await sara.get(f"/api/v1/people/{maria_id}")).json())["person"]
    assert person["name"] == "Maria Jensen" and person["relation"] == "Your mentor"
    assert "email" not in person and person["photo_url"].startswith(f"/people/{maria_id}/photo")
    photo = await sara.get(person["photo_url"])
    assert photo.status == 200 and photo.content_type == "image/webp"
    body = await photo.read()
    assert SPY_CAMERA.encode() not in body
    with Image.open(io.BytesIO(body)) as kept:
        assert kept.size == (256, 256) and not kept.getexif() and "exif" not in kept.info
    again = await sara.get(person["photo_url"], headers={"If-None-Match": photo.headers["ETag"]})
    assert again.status == 304

    # Her mentee's home shows the photo on the pair's card, and a link to read about her.
    home = html.unescape(await (await sara.get("/")).text())
    assert f'<img src="{person["photo_url"]}" alt="">' in home
    assert f'<a class="menu-about" href="/people/{maria_id}">About Maria Jensen</a>' in home
    page = html.unescape(await (await sara.get(f"/people/{maria_id}")).text())
    assert "Maria Jensen" in page and "Your mentor" in page and maria.user["email"] not in page

    removed = await maria.delete("/api/v1/me/photo")
    assert removed.status == 200 and (await removed.json()) == {"photo_url": None}
    assert (await sara.get(person["photo_url"])).status == 404
    assert (await (await sara.get(f"/api/v1/people/{maria_id}")).json())["person"][
        "photo_url"
    ] is None


async def test_bad_photos_are_refused_and_the_photo_there_stays(server):
    maria = await server.client("mentor1")
    token = await csrf_of(maria)
    first = await maria.put("/api/v1/me/photo", data=photo_form(jpeg_with_location(), token))
    assert first.status == 200
    url = (await first.json())["photo_url"]

    async def put(data: bytes, with_token: bool = True) -> aiohttp.ClientResponse:
        return await maria.http.put(
            "/api/v1/me/photo", data=photo_form(data, token if with_token else None)
        )

    not_image = await put(b"%PDF-1.4 not a photo at all")
    assert not_image.status == 400
    assert "not a photo we can read" in (await not_image.json())["error"]["message"]
    too_large = await put(b"\xff\xd8" + b"x" * (10 * 1024 * 1024))
    assert too_large.status == 413
    assert (await put(b"")).status == 400  # the file input left empty
    assert (await put(jpeg_with_location(), with_token=False)).status == 403
    page = await maria.http.post(
        "/profile/photo", data=photo_form(b"not an image", await csrf_of(maria))
    )
    assert page.status == 400 and "not a photo we can read" in html.unescape(await page.text())
    person = await (await maria.get(f"/api/v1/people/{maria.user['id']}")).json()
    assert person["person"]["photo_url"] == url  # unchanged by every refusal
    assert (await maria.get(url)).status == 200
    for path, status in [("/people/999999", 404), ("/api/v1/people/0", 400)]:
        assert (await maria.get(path)).status == status
    assert (await maria.get("/people/999999/photo")).status == 404
    assert (await (await server.client()).get(url, allow_redirects=False)).status in (302, 401)


async def test_a_profile_shows_a_pair_only_to_its_own_and_never_what_it_said(server):
    maria, sara = await server.client("mentor1"), await server.client("mentee1")
    lene, carla = await server.client("mentee2"), await server.client("coordinator")
    secret = marker("PROFILEWORD")
    socket = await sara.socket()
    await socket.send(await server.pair_channel_id(1), f"Only for Maria: {secret}")
    for reader in (lene, carla):
        for path in (f"/people/{maria.user['id']}", f"/people/{sara.user['id']}"):
            page = await (await reader.get(path)).text()
            assert secret not in page and "Your mentor" not in page and "Your mentee" not in page
        person = (await (await reader.get(f"/api/v1/people/{sara.user['id']}")).json())["person"]
        assert person["relation"] is None and secret not in str(person)
    # A coordinator sees the address (they run the accounts); another mentee does not.
    assert sara.user["email"] in await (await carla.get(f"/people/{sara.user['id']}")).text()
    assert sara.user["email"] not in await (await lene.get(f"/people/{sara.user['id']}")).text()
    mine = (await (await maria.get(f"/api/v1/people/{sara.user['id']}")).json())["person"]
    assert mine["relation"] == "Your mentee"
