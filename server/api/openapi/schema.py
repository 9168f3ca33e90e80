"""The helpers every part of the OpenAPI document is written with: shared schemas and the
shape of an operation.  A leaf: the parts import it, it imports none of them."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_MESSAGE = {"$ref": "#/components/schemas/Message"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _object(required: list[str] = (), **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


def _op(
    summary: str, ok: dict[str, Any], *, body: dict | None = None, params=(), status="200", also=()
):
    """An operation answering `ok` with `status`, and with each of the statuses in `also`
    (a (status, description) pair) too; errors otherwise.  `params` are (name, where) pairs,
    whole numbers, or (name, where, schema) for others."""
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": [
            {
                "name": name,
                "in": where,
                "required": where == "path",
                "schema": schema[0] if schema else {"type": "integer"},
            }
            for name, where, *schema in params
        ],
        "responses": {
            status: {"description": "OK", **_json(ok)},
            **{other: {"description": why, **_json(ok)} for other, why in also},
            "default": _json(_ERROR),
        },
    }
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(body)}
    return operation


def _multipart(field: str) -> dict[str, Any]:
    """The body of an upload: one file in `field`, after the page's CSRF token (which may
    come in the X-CSRF-Token header instead)."""
    binary = {"type": "string", "format": "binary"}
    schema = _object([field], csrf_token={"type": "string"}, **{field: binary})
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def _rate_limited(operation: dict[str, Any]) -> dict[str, Any]:
    """An operation that may answer 429, with the seconds to wait in `Retry-After`."""
    operation["responses"]["429"] = {
        "description": "Too many attempts: try again after Retry-After seconds",
        "headers": {"Retry-After": {"required": True, "schema": {"type": "integer"}}},
        **_json(_ERROR),
    }
    return operation


_INT, _STR = {"type": "integer"}, {"type": "string"}
_MSG = [("message_id", "path")]
_REPEATED = ("200", "A repeated client_id: the message first sent with it; nothing new is posted")
