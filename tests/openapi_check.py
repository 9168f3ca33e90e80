"""Every JSON answer of the API that the suite sees is checked against the OpenAPI document,
so the document and what the server returns cannot drift apart.  The document is checked
*exactly*: an object schema that lists its properties is closed, so a property the API returns
but does not document fails."""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any

import jsonschema_rs

from server.api.openapi import openapi_document


def exact(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every object schema that lists its properties closed to others."""
    document = copy.deepcopy(document)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("properties") and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(document)
    return document


@functools.cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any], dict[str, Any]]]:
    document = exact(openapi_document())
    found = []
    for template, item in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$")
        for method, operation in item.items():
            found.append((pattern, method.upper(), operation, document["components"]))
    return found


@functools.cache
def _validator(schema_json: str, components_json: str) -> Any:
    schema = {**json.loads(schema_json), "components": json.loads(components_json)}
    return jsonschema_rs.Draft202012Validator(schema)


def check_documented(method: str, path: str, status: int, content_type: str, body: bytes) -> None:
    """Fail when a JSON answer of a documented operation does not match its schema."""
    if not content_type.startswith("application/json") or path == "/api/v1/openapi.json":
        return
    path = path.split("?", 1)[0]
    for pattern, verb, operation, components in _operations():
        if verb != method.upper() or not pattern.match(path):
            continue
        responses = operation["responses"]
        response = responses.get(str(status)) or responses.get("default")
        assert response is not None, f"{method} {path} answered {status}, not documented"
        schema = response["content"]["application/json"]["schema"]
        validator = _validator(json.dumps(schema), json.dumps(components))
        errors = [str(e) for e in validator.iter_errors(json.loads(body))]
        assert not errors, f"{method} {path} {status} differs from the OpenAPI document: {errors}"
        return
