"""The resource library's part of the OpenAPI document (merged into openapi_document)."""

from __future__ import annotations

from typing import Any

from server.api.openapi.schema import _INT, _MESSAGE, _REPEATED, _STR, _object, _op

_BOOL = {"type": "boolean"}
_FOLDER = {"$ref": "#/components/schemas/LibraryFolder"}
_RESOURCE = {"$ref": "#/components/schemas/Resource"}
_AUDIENCE = {"enum": ["everyone", "mentors", "mentees", "coordinators"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
_COORDINATORS = " (coordinators only; others get `forbidden`)"


def _coord(summary: str, ok: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return _op(summary + _COORDINATORS, ok, **kw)


def library_paths() -> dict[str, Any]:
    folder = [("folder_id", "path")]
    resource = [("resource_id", "path")]
    return {
        "/api/v1/library": {
            "get": _op(
                "The folders and resources your role may see, in order; `new` counts the"
                " resources added since you last opened the library page",
                _object(
                    ["folders", "new"],
                    folders={"type": "array", "items": {"$ref": "#/components/schemas/Shelf"}},
                    new=_INT,
                ),
            )
        },
        "/api/v1/library/resources/{resource_id}/share": {
            "post": _op(
                "Share a resource you may see into a channel you may post in, as a message with"
                " its card (each reader opens it only if their role may see its folder)",
                _object(message=_MESSAGE),
                body=_object(["channel_id"], channel_id=_INT, thread_id=_INT, client_id=_STR),
                params=resource,
                status="201",
                also=[_REPEATED],
            )
        },
        "/api/v1/library/folders": {
            "post": _coord(
                "Create a folder (inside a top-level folder with parent_id)",
                _object(folder=_FOLDER),
                body=_object(["name", "audience"], name=_STR, audience=_AUDIENCE, parent_id=_INT),
                status="201",
            )
        },
        "/api/v1/library/folders/{folder_id}": {
            "patch": _coord(
                "Rename a folder, change who may see it, move it (parent_id null: top level),"
                " or set its place among the folders beside it (position 1 is first)",
                _object(folder=_FOLDER),
                body=_object(name=_STR, audience=_AUDIENCE, parent_id=_NULLABLE_INT, position=_INT),
                params=folder,
            ),
            "delete": _coord("Delete an empty folder", _object(deleted=_BOOL), params=folder),
        },
        "/api/v1/library/resources": {
            "post": _coord(
                "Add a link (`url`) or a file (`file_id`: your upload from POST /api/v1/files,"
                " not sent anywhere yet) to a folder, last in its order",
                _object(resource=_RESOURCE),
                body=_object(
                    ["folder_id", "title"],
                    folder_id=_INT,
                    title=_STR,
                    description=_STR,
                    url=_STR,
                    file_id=_STR,
                ),
                status="201",
            )
        },
        "/api/v1/library/resources/{resource_id}": {
            "patch": _coord(
                "Edit a resource, move it to another folder, or set its place (position 1 is"
                " first in its folder)",
                _object(resource=_RESOURCE),
                body=_object(title=_STR, description=_STR, url=_STR, folder_id=_INT, position=_INT),
                params=resource,
            ),
            "delete": _coord(
                "Remove a resource from the library and from the cards that shared it (its"
                " usage figures stay)",
                _object(removed=_BOOL),
                params=resource,
            ),
        },
        "/api/v1/library/usage": {
            "get": _coord(
                "How often each resource was opened, per week (its Monday) and role, over the"
                " last 12 weeks: counts, never people",
                _object(
                    usage={
                        "type": "array",
                        "items": _object(
                            ["resource_id", "title", "week", "role", "opened"],
                            resource_id=_INT,
                            title=_STR,
                            week=_STR,
                            role=_STR,
                            opened=_INT,
                        ),
                    }
                ),
            )
        },
    }


_FOLDER_FIELDS: dict[str, Any] = {
    "id": _INT,
    "parent_id": _NULLABLE_INT,
    "name": _STR,
    "audience": _AUDIENCE,
    "position": _INT,
}

LIBRARY_SCHEMAS: dict[str, Any] = {
    "LibraryFolder": _object(list(_FOLDER_FIELDS), **_FOLDER_FIELDS),
    "Shelf": _object(
        [*_FOLDER_FIELDS, "resources", "folders"],
        **_FOLDER_FIELDS,
        resources={"type": "array", "items": _RESOURCE},
        folders={"type": "array", "items": {"$ref": "#/components/schemas/Shelf"}},
    ),
    "Resource": _object(
        ["id", "folder_id", "title", "description", "kind", "link", "url", "position", "new"],
        id=_INT,
        folder_id=_INT,
        title=_STR,
        description=_STR,
        kind={"enum": ["link", "file"]},
        link={"type": ["string", "null"]},
        url=_STR,
        position=_INT,
        created_at=_STR,
        new=_BOOL,
        file={
            "oneOf": [
                {"type": "null"},
                _object(
                    ["name", "type", "label", "size"],
                    name=_STR,
                    type=_STR,
                    label=_STR,
                    size=_INT,
                ),
            ]
        },
    ),
    "ResourceCard": _object(
        ["id", "title", "description", "audience", "removed", "url"],
        id=_INT,
        title=_STR,
        description=_STR,
        audience=_AUDIENCE,
        removed=_BOOL,
        url=_STR,
    ),
}
