"""The resource library's JSON API under /api/v1/library: what a person may see, sharing a
resource into a conversation, and for coordinators, shaping the library and its usage."""

from __future__ import annotations

from aiohttp import web

from channels.chat.wire import message_json
from channels.library import folders, resources
from channels.library.wire import folder_json, library_json, resource_json, usage_json
from server import keys
from server.api.params import path_id, read_json
from server.auth import current_coordinator, current_user
from server.realtime.emit import (
    emit_changes,
    emit_library_news,
    emit_new_resource,
    emit_resource_change,
)
from storage.records import Resource

routes = web.RouteTableDef()


async def _resource_json(request: web.Request, resource: Resource) -> dict:
    file = None
    if resource.file_id is not None:
        file = await request.app[keys.STORE].load_file(resource.file_id)
    return resource_json(resource, file=file)


@routes.get("/api/v1/library")
async def get_library(request: web.Request) -> web.Response:
    user = await current_user(request)
    library = await folders.load_library(request.app[keys.STORE], user)
    return web.json_response(library_json(library))


@routes.post("/api/v1/library/resources/{resource_id}/share")
async def share_resource(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    changed = await resources.share_resource(
        request.app[keys.STORE],
        user,
        {**payload, "resource_id": path_id(request, "resource_id")},
        clock=request.app[keys.CLOCK],
    )
    await emit_changes(request.app, changed.changes)
    status = 201 if changed.created else 200
    return web.json_response({"message": message_json(changed.message)}, status=status)


# coordinators


@routes.post("/api/v1/library/folders")
async def create_folder(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    folder = await folders.create_folder(
        request.app[keys.STORE], user, await read_json(request), clock=request.app[keys.CLOCK]
    )
    return web.json_response({"folder": folder_json(folder)}, status=201)


@routes.patch("/api/v1/library/folders/{folder_id}")
async def update_folder(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    folder = await folders.update_folder(
        request.app[keys.STORE],
        user,
        path_id(request, "folder_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    await emit_library_news(request.app, folder.id)
    return web.json_response({"folder": folder_json(folder)})


@routes.delete("/api/v1/library/folders/{folder_id}")
async def delete_folder(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    await folders.delete_folder(
        request.app[keys.STORE], user, path_id(request, "folder_id"), clock=request.app[keys.CLOCK]
    )
    return web.json_response({"deleted": True})


@routes.post("/api/v1/library/resources")
async def add_resource(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    resource = await resources.add_resource(
        request.app[keys.STORE], user, await read_json(request), clock=request.app[keys.CLOCK]
    )
    await emit_new_resource(request.app, resource)
    return web.json_response({"resource": await _resource_json(request, resource)}, status=201)


@routes.patch("/api/v1/library/resources/{resource_id}")
async def update_resource(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    change = await resources.update_resource(
        request.app[keys.STORE],
        user,
        path_id(request, "resource_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    await emit_resource_change(request.app, change)
    await emit_library_news(request.app, change.resource.folder_id)
    return web.json_response({"resource": await _resource_json(request, change.resource)})


@routes.delete("/api/v1/library/resources/{resource_id}")
async def remove_resource(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    change = await resources.remove_resource(
        request.app[keys.STORE],
        user,
        path_id(request, "resource_id"),
        clock=request.app[keys.CLOCK],
    )
    await emit_resource_change(request.app, change)
    return web.json_response({"removed": True})


@routes.get("/api/v1/library/usage")
async def usage(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    rows = await resources.library_usage(
        request.app[keys.STORE], user, clock=request.app[keys.CLOCK]
    )
    return web.json_response({"usage": [usage_json(row) for row in rows]})
