"""Logging in, shared by the JSON API and the login form."""

from __future__ import annotations

from aiohttp import web

from channels.people import accounts
from server import keys
from server.auth import client_address, session_token
from server.realtime.emit import disconnect_session


async def log_in(request: web.Request, *, email: object, password: object) -> accounts.LoggedIn:
    """Check the credentials and open a session (the caller sets its cookie).  A session the
    request's cookie held ends in the same write, and its sockets are hung up after it."""
    old_token = session_token(request)
    logged_in = await accounts.log_in(
        request.app[keys.STORE],
        email=email,
        password=password,
        address=client_address(request),
        replaces=old_token,
        idle=request.app[keys.CONFIG].session_idle(),
        clock=request.app[keys.CLOCK],
    )
    if logged_in.replaced_user_id is not None:
        await disconnect_session(request.app, logged_in.replaced_user_id, old_token)
    return logged_in
