"""How the library looks on the wire (JSON for HTTP and socket.io alike)."""

from __future__ import annotations

from typing import Any

from channels.files.kinds import label_of
from channels.library.folders import Library, Shelf
from channels.library.resources import UsageRow
from storage.records import LibraryFolder, Resource, ResourceCard, StoredFile


def open_url(resource_id: int) -> str:
    """Where a resource is opened: the server checks the reader and counts the opening."""
    return f"/resources/{resource_id}/open"


def folder_json(folder: LibraryFolder) -> dict[str, Any]:
    return {
        "id": folder.id,
        "parent_id": folder.parent_id,
        "name": folder.name,
        "audience": folder.audience,
        "position": folder.position,
    }


def resource_json(
    resource: Resource, *, new: bool = False, file: StoredFile | None = None
) -> dict[str, Any]:
    """`file` (its name, type and size) for a file resource; opened through `url` alike."""
    return {
        "id": resource.id,
        "folder_id": resource.folder_id,
        "title": resource.title,
        "description": resource.description,
        "kind": "link" if resource.url is not None else "file",
        "link": resource.url,
        "url": open_url(resource.id),
        "position": resource.position,
        "created_at": resource.created_at,
        "new": new,
        "file": None
        if file is None
        else {
            "name": file.name,
            "type": file.mime,
            "label": label_of(file.mime),
            "size": file.size,
        },
    }


def library_json(library: Library) -> dict[str, Any]:
    def shelf_json(shelf: Shelf) -> dict[str, Any]:
        return {
            **folder_json(shelf.folder),
            "resources": [
                resource_json(
                    r,
                    new=r.id in library.new_ids,
                    file=library.files.get(r.file_id) if r.file_id else None,
                )
                for r in shelf.resources
            ],
            "folders": [shelf_json(inner) for inner in shelf.subfolders],
        }

    return {"folders": [shelf_json(s) for s in library.shelves], "new": len(library.new_ids)}


def resource_card_json(card: ResourceCard) -> dict[str, Any]:
    return {
        "id": card.id,
        "title": card.title,
        "description": card.description,
        "audience": card.audience,
        "removed": card.removed,
        "url": open_url(card.id),
    }


def usage_json(row: UsageRow) -> dict[str, Any]:
    return {
        "resource_id": row.resource_id,
        "title": row.title,
        "week": row.week,
        "role": row.role,
        "opened": row.opened,
    }
