"""The library in the coordinator area: folders (who may see each, one level of subfolders),
the links and files in them, their order, and how often each was opened."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aiohttp import web

from channels.files import uploads
from channels.languages import N_
from channels.library import folders, resources
from channels.library.folders import AUDIENCE_NAMES
from server import keys
from server.api.files import read_form_with_file
from server.api.params import form_int, form_text, path_id
from server.auth import current_coordinator, streams_its_body
from server.pages.admin.programme import back, page
from server.pages.rendering import run_form
from server.realtime.emit import emit_library_news, emit_new_resource, emit_resource_change
from storage.records import Resource, User

routes = web.RouteTableDef()

NOTICES = {
    "folder": "The folder is saved.",
    "deleted": "The folder is deleted.",
    "resource": "The resource is saved.",
    "removed": "The resource is removed from the library.",
}


async def _library_page(request: web.Request, user: User, **context: Any) -> web.Response:
    store = request.app[keys.STORE]
    library = await folders.load_library(store, user)
    usage: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    titles: dict[int, str] = {}
    for row in await resources.library_usage(store, user, clock=request.app[keys.CLOCK]):
        usage[row.resource_id][row.role] += row.opened
        titles[row.resource_id] = row.title
    context.setdefault("notice", NOTICES.get(request.query.get("notice", "")))
    return page(
        request,
        "library.html",
        user,
        library=library,
        audiences=AUDIENCE_NAMES,
        usage=usage,
        usage_titles=titles,
        **context,
    )


@routes.get("/admin/library")
async def library_page(request: web.Request) -> web.Response:
    return await _library_page(request, await current_coordinator(request))


def _moved(form: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """The 'up' and 'down' buttons carry the place they move to."""
    if form.get("action") in ("up", "down"):
        return {"position": form_int(form, "position", N_("The new place"))}
    return changes


@routes.post("/admin/library/folders")
async def create_folder(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    form = await request.post()
    await run_form(
        lambda: folders.create_folder(
            request.app[keys.STORE],
            user,
            {
                "name": form_text(form, "name"),
                "audience": form_text(form, "audience"),
                "parent_id": form_int(form, "parent_id", N_("The parent folder")),
            },
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _library_page(request, user, error=error.message, form=form),
    )
    raise back("/admin/library", "folder")


@routes.post("/admin/library/folders/{folder_id}")
async def update_folder(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    form = await request.post()
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    folder_id = path_id(request, "folder_id")
    if form.get("action") == "delete":
        await run_form(
            lambda: folders.delete_folder(store, user, folder_id, clock=clock),
            lambda error: _library_page(request, user, error=error.message),
        )
        raise back("/admin/library", "deleted")
    folder = await run_form(
        lambda: folders.update_folder(
            store,
            user,
            folder_id,
            _moved(
                form,
                {
                    "name": form_text(form, "name"),
                    "audience": form_text(form, "audience"),
                    "parent_id": form_int(form, "parent_id", N_("The parent folder")),
                },
            ),
            clock=clock,
        ),
        lambda error: _library_page(request, user, error=error.message),
    )
    await emit_library_news(request.app, folder.id)
    raise back("/admin/library", "folder")


@routes.post("/admin/library/resources")
async def add_resource(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    form = await request.post()
    resource = await run_form(
        lambda: resources.add_resource(
            request.app[keys.STORE],
            user,
            {
                "folder_id": form_int(form, "folder_id", N_("The folder")),
                "title": form_text(form, "title"),
                "description": form_text(form, "description"),
                "url": form_text(form, "url"),
            },
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _library_page(request, user, error=error.message, form=form),
    )
    await emit_new_resource(request.app, resource)
    raise back("/admin/library", "resource")


@routes.post("/admin/library/files")
@streams_its_body
async def add_file(request: web.Request) -> web.Response:
    """A file for the library (a multipart form, the file read part by part as any upload)."""
    user = await current_coordinator(request)

    async def add() -> Resource:
        form, upload = await read_form_with_file(request, user)
        if upload is None:
            raise uploads.no_file()
        return await resources.add_resource(
            request.app[keys.STORE],
            user,
            {
                "folder_id": form_int(form, "folder_id", N_("The folder")),
                "title": form_text(form, "title"),
                "description": form_text(form, "description"),
                "file_id": upload.public_id,
            },
            clock=request.app[keys.CLOCK],
        )

    resource = await run_form(add, lambda error: _library_page(request, user, error=error.message))
    await emit_new_resource(request.app, resource)
    raise back("/admin/library", "resource")


@routes.post("/admin/library/resources/{resource_id}")
async def update_resource(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    form = await request.post()
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    resource_id = path_id(request, "resource_id")
    if form.get("action") == "remove":
        change = await run_form(
            lambda: resources.remove_resource(store, user, resource_id, clock=clock),
            lambda error: _library_page(request, user, error=error.message),
        )
        await emit_resource_change(request.app, change)
        raise back("/admin/library", "removed")

    def changes() -> dict[str, Any]:
        fields = {
            "title": form_text(form, "title"),
            "description": form_text(form, "description"),
            "folder_id": form_int(form, "folder_id", N_("The folder")),
        }
        if "url" in form:
            fields["url"] = form_text(form, "url")
        return _moved(form, fields)

    change = await run_form(
        lambda: resources.update_resource(store, user, resource_id, changes(), clock=clock),
        lambda error: _library_page(request, user, error=error.message),
    )
    await emit_resource_change(request.app, change)
    await emit_library_news(request.app, change.resource.folder_id)
    raise back("/admin/library", "resource")
