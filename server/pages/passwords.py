"""The pages behind the links in invitation, reset and e-mail change mails, and "Forgot
password"."""

from __future__ import annotations

from aiohttp import web

from channels.errors import Invalid, MentorspaceError
from channels.languages import N_
from channels.people import email_changes, invitations
from channels.people.passwords import MIN_PASSWORD
from server import keys
from server.api.people import RESET_ANSWER
from server.auth import client_address, csrf_token, session_token, set_session_cookie
from server.pages.rendering import render, run_form
from server.realtime import emit as admin_events
from server.realtime.emit import disconnect_session
from server.runners.mailer import link_settings

routes = web.RouteTableDef()


def _choose(request: web.Request, token: str, **context) -> web.Response:
    return render(
        request,
        "password/choose.html",
        token=token,
        min_length=MIN_PASSWORD,
        csrf_token=csrf_token(request),
        **{"person": None, "purpose": None, "error": None, **context},
    )


@routes.get("/password/{token}")
async def choose_page(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    info = await run_form(
        lambda: invitations.check_link(
            request.app[keys.STORE], token, clock=request.app[keys.CLOCK]
        ),
        lambda error: _choose(request, token, error=error.message),
    )
    if info.purpose == "email":
        return _confirm_email(request, token=token, person=info.user, new_email=info.new_email)
    return _choose(request, token, person=info.user, purpose=info.purpose)


def _confirm_email(request: web.Request, *, status: int = 200, **context) -> web.Response:
    return render(
        request,
        "password/email.html",
        status=status,
        csrf_token=csrf_token(request),
        **{
            "token": None,
            "person": None,
            "new_email": None,
            "error": None,
            "done": None,
            **context,
        },
    )


@routes.post("/email-confirmation")
async def confirm_email(request: web.Request) -> web.Response:
    """The button on the page of an e-mail change link; the token comes in the form body."""
    form = await request.post()
    keep = session_token(request)
    try:
        changed = await email_changes.confirm_email_change(
            request.app[keys.STORE],
            {"token": form.get("token")},
            keep_session=keep,
            links=link_settings(request.app[keys.CONFIG]),
            clock=request.app[keys.CLOCK],
        )
    except MentorspaceError as error:
        return _confirm_email(request, status=error.status, error=error.message)
    await disconnect_session(request.app, changed.after.id, keep=keep)
    admin_events.poke_mailer(request.app)
    return _confirm_email(request, done=changed.after)


@routes.post("/password/{token}")
async def choose(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    form = await request.post()
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]

    async def choose_password():
        if form.get("password") != form.get("password_again"):
            raise Invalid(N_("The two passwords are not the same. Please type them again."))
        return await invitations.set_password_with_link(
            store,
            {"token": token, "password": form.get("password")},
            idle=request.app[keys.CONFIG].session_idle(),
            clock=clock,
        )

    async def show_again(error: MentorspaceError) -> web.Response:
        """With whose link it is, while the link still works."""
        try:
            info = await invitations.check_link(store, token, clock=clock)
        except MentorspaceError:
            return _choose(request, token, error=error.message)
        return _choose(request, token, error=error.message, person=info.user, purpose=info.purpose)

    logged_in = await run_form(choose_password, show_again)
    await admin_events.end_sessions(request.app, logged_in.user.id, reason="password")
    response = web.HTTPSeeOther("/")
    set_session_cookie(request, response, logged_in.token)
    raise response


def _forgot(request: web.Request, **context) -> web.Response:
    return render(
        request,
        "password/forgot.html",
        csrf_token=csrf_token(request),
        **{"error": None, "sent": None, **context},
    )


@routes.get("/forgot-password")
async def forgot_page(request: web.Request) -> web.Response:
    return _forgot(request)


@routes.post("/forgot-password")
async def forgot(request: web.Request) -> web.Response:
    form = await request.post()
    await run_form(
        lambda: invitations.request_password_reset(
            request.app[keys.STORE],
            {"email": form.get("email")},
            address=client_address(request),
            links=link_settings(request.app[keys.CONFIG]),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _forgot(request, error=error.message),
    )
    admin_events.poke_mailer(request.app)
    return _forgot(request, sent=RESET_ANSWER)
