"""Logging in and out, and the profile page: ordinary HTML forms with the session's CSRF token
(checked by `auth.cross_site_guard`), so they work without JavaScript."""

from __future__ import annotations

from aiohttp import web

from channels.errors import Invalid, MentorspaceError
from channels.languages import LANGUAGES, N_
from channels.notify import inbox
from channels.people import accounts, email_changes, profiles
from channels.research import consent
from server import auth, keys
from server.api.params import form_text
from server.api.profile import upload_photo
from server.auth import (
    clear_session_cookie,
    current_user,
    optional_user,
    session_token,
    set_session_cookie,
    streams_its_body,
)
from server.pages import translations
from server.pages.rendering import render, run_form, see_other
from server.realtime import emit as admin_events
from server.realtime.emit import disconnect_session, emit_changes
from server.runners.mailer import link_settings

routes = web.RouteTableDef()

_SAVED = {  # shown translated (profile.html)
    "profile": N_("Your profile is saved."),
    "password": N_("Your password is changed."),
    "password-ended": N_("Your password is changed, and you are logged out everywhere else."),
    "notifications": N_("Your notification settings are saved."),
    "research": N_("Your answer about the research is saved."),
    "photo": N_("Your photo is saved."),
    "language": N_("Your language is saved."),
    "photo-removed": N_("Your photo is removed: others see your initials."),
    "email": N_(
        "We have sent a link to your new address. Open it to confirm; until then your"
        " address stays as it is."
    ),
}


def safe_next(target: object) -> str:
    """Where to go after logging in: a path on this site, never another site."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return "/"
    return target


@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:
    next_path = safe_next(request.query.get("next", "/"))
    if await optional_user(request) is not None:
        raise web.HTTPFound(next_path)
    notice = "You have logged out. See you soon." if "bye" in request.query else None
    return render(request, "login.html", email="", next_path=next_path, error=None, notice=notice)


@routes.post("/login")
async def log_in(request: web.Request) -> web.Response:
    form = await request.post()
    email = form_text(form, "email")
    next_path = safe_next(form_text(form, "next"))
    logged_in = await run_form(
        lambda: auth.log_in(request, email=email, password=form_text(form, "password")),
        lambda error: render(
            request, "login.html", email=email, next_path=next_path, error=error, notice=None
        ),
    )
    response = see_other(next_path)
    set_session_cookie(request, response, logged_in.token)
    return response


@routes.post("/logout")
async def log_out(request: web.Request) -> web.Response:
    token = session_token(request)
    user = await optional_user(request)
    if token:
        await accounts.log_out(request.app[keys.STORE], token)
    if token and user is not None:
        await disconnect_session(request.app, user.id, token)
    response = see_other("/login?bye")
    clear_session_cookie(request, response)
    return response


@routes.get("/profile")
async def profile_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    return await _render_profile(request, user, saved=_SAVED.get(request.query.get("saved", "")))


async def _render_profile(
    request: web.Request,
    user,
    *,
    saved: str | None = None,
    profile_error: MentorspaceError | None = None,
    password_error: MentorspaceError | None = None,
    email_error: MentorspaceError | None = None,
    photo_error: MentorspaceError | None = None,
    language_error: MentorspaceError | None = None,
    values: dict[str, str] | None = None,
    new_email: str = "",
) -> web.Response:
    shown = values or {"name": user.name, "expertise": user.expertise, "bio": user.bio}
    store = request.app[keys.STORE]
    return render(
        request,
        "profile.html",
        user=user,
        values=shown,
        saved=saved,
        profile_error=profile_error,
        password_error=password_error,
        email_error=email_error,
        new_email=new_email,
        photo_error=photo_error,
        language_error=language_error,
        languages=LANGUAGES,
        programme_language=translations.reader_language(
            "", request.app[keys.TEMPLATES].globals["programme_calendar"]
        ),
        photo=(await store.load_photo_versions([user.id])).get(user.id),
        notify=await inbox.load_prefs(request.app[keys.STORE], user),
        notify_kinds=inbox.KINDS,
        research_asked=consent.is_asked(user),
        research=await consent.load_consent(request.app[keys.STORE], user),
    )


@routes.post("/profile")
async def save_profile(request: web.Request) -> web.Response:
    user = await current_user(request)
    form = await request.post()
    values = {name: form_text(form, name) for name in ("name", "expertise", "bio")}
    change = await run_form(
        lambda: accounts.update_profile(request.app[keys.STORE], user, **values),
        lambda error: _render_profile(request, user, profile_error=error, values=values),
    )
    await emit_changes(request.app, change.rerendered)
    return see_other("/profile?saved=profile")


@routes.post("/profile/photo")
@streams_its_body
async def save_photo(request: web.Request) -> web.Response:
    """The photo form: one image, made small and square, replacing the one there."""
    user = await current_user(request)

    await run_form(
        lambda: upload_photo(request, user),
        lambda error: _render_profile(request, user, photo_error=error),
    )
    return see_other("/profile?saved=photo")


@routes.post("/profile/language")
async def save_language(request: web.Request) -> web.Response:
    user = await current_user(request)
    form = await request.post()
    await run_form(
        lambda: accounts.set_language(request.app[keys.STORE], user, form_text(form, "language")),
        lambda error: _render_profile(request, user, language_error=error),
    )
    return see_other("/profile?saved=language")


@routes.post("/profile/photo/remove")
async def remove_photo(request: web.Request) -> web.Response:
    user = await current_user(request)
    await profiles.remove_photo(request.app[keys.STORE], user)
    return see_other("/profile?saved=photo-removed")


@routes.post("/profile/password")
async def change_password(request: web.Request) -> web.Response:
    user = await current_user(request)
    form = await request.post()
    end_others = form_text(form, "end_other_sessions") == "yes"

    async def change() -> None:
        if form_text(form, "new_password") != form_text(form, "confirm_password"):
            raise Invalid(N_("The two new passwords are not the same. Please type them again."))
        await accounts.change_password(
            request.app[keys.STORE],
            user,
            current=form_text(form, "current_password"),
            new=form_text(form, "new_password"),
            end_other_sessions=end_others,
            keep_token=session_token(request),
        )

    await run_form(change, lambda error: _render_profile(request, user, password_error=error))
    if end_others:
        await disconnect_session(
            request.app, user.id, keep=session_token(request), reason="password"
        )
    return see_other("/profile?saved=" + ("password-ended" if end_others else "password"))


@routes.post("/profile/email")
async def change_email(request: web.Request) -> web.Response:
    """Mail a confirmation link to the new address (`email`, `current_password`)."""
    user = await current_user(request)
    form = await request.post()
    new_email = form_text(form, "email")
    await run_form(
        lambda: email_changes.request_email_change(
            request.app[keys.STORE],
            user,
            {"email": new_email, "current": form_text(form, "current_password")},
            links=link_settings(request.app[keys.CONFIG]),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _render_profile(request, user, email_error=error, new_email=new_email),
    )
    admin_events.poke_mailer(request.app)
    return see_other("/profile?saved=email")
