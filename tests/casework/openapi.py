"""Checking responses against a published OpenAPI 3.0 document (test helper).

The operation's response schema is looked up by path template, method and status, and checked with
jsonschema, resolving ``#/components/...`` references inside the document itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DATA = Path(__file__).parent / "data"


class Spec:
    def __init__(self, file_name: str):
        self.document = json.loads((DATA / file_name).read_text())
        self.uri = f"urn:spec:{file_name}"
        self.registry = Registry().with_resource(
            self.uri, Resource.from_contents(self.document, default_specification=DRAFT4)
        )

    def operation(self, path: str, method: str) -> dict:
        return self.document["paths"][path][method.lower()]

    def required_headers(self, path: str, method: str) -> set[str]:
        names = set()
        for parameter in self.operation(path, method).get("parameters", []):
            if "$ref" in parameter:
                parameter = self._resolve(parameter["$ref"])
            if parameter.get("in") == "header" and parameter.get("required"):
                names.add(parameter["name"])
        return names

    def _resolve(self, ref: str) -> dict:
        node = self.document
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    def check(self, path: str, method: str, response) -> None:
        """Raise if ``response`` (a Django test response) is not what the document promises."""
        responses = self.operation(path, method)["responses"]
        status = str(response.status_code)
        assert status in responses, f"{method} {path}: status {status} is not in the document"
        declared = responses[status]
        if "$ref" in declared:
            declared = self._resolve(declared["$ref"])
        content = declared.get("content")
        if not content:
            return
        media = next(iter(content.values()))
        pointer = f"#/paths/{path.replace('~', '~0').replace('/', '~1')}/{method.lower()}"
        pointer += f"/responses/{status}/content/{_escape(next(iter(content)))}/schema"
        if "$ref" in responses[status]:
            pointer = responses[status]["$ref"] + f"/content/{_escape(next(iter(content)))}/schema"
        assert "schema" in media
        validator = Draft4Validator({"$ref": self.uri + pointer}, registry=self.registry)
        errors = sorted(validator.iter_errors(json.loads(response.content)), key=str)
        assert not errors, f"{method} {path}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
        )


def _escape(media_type: str) -> str:
    return media_type.replace("~", "~0").replace("/", "~1")
