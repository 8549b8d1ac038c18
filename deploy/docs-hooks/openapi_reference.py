"""MkDocs hook: renders the admin API's OpenAPI document into two pages at build time.

reference/admin-api.md lists every operation by tag; reference/config-schema.md lists every
component schema with its fields. Both are generated from admin-api/src/main/resources/openapi.json
on each build, so the site can never describe an API other than the one the server serves. A
$ref that does not resolve, or a construct this renderer does not know, fails the build.
"""

import json
import os
import re

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

SPEC = os.path.join("admin-api", "src", "main", "resources", "openapi.json")
OPERATIONS_PAGE = "reference/admin-api.md"
SCHEMAS_PAGE = "reference/config-schema.md"
METHODS = ("get", "put", "post", "patch", "delete")

# Keywords that only constrain a value; rendered after its type as "constraints".
CONSTRAINTS = {
    "minimum": "≥ {}", "maximum": "≤ {}", "minLength": "length ≥ {}", "maxLength": "length ≤ {}",
    "minItems": "≥ {} items", "maxItems": "≤ {} items", "maxProperties": "≤ {} entries",
    "pattern": "pattern `{}`", "uniqueItems": "unique", "format": "{}",
}


def on_files(files, config):
    root = os.path.dirname(config.config_file_path)
    with open(os.path.join(root, SPEC), encoding="utf-8") as f:
        spec = json.load(f)
    renderer = Renderer(spec)
    for page, content in ((OPERATIONS_PAGE, renderer.operations()), (SCHEMAS_PAGE, renderer.schemas())):
        files.append(File.generated(config, page, content=content))
    return files


def anchor(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def cell(text):
    """Markdown table cells: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


class Renderer:
    def __init__(self, spec):
        self.spec = spec
        self.schemas_by_name = spec.get("components", {}).get("schemas", {})

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node and len(node) == 1:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise PluginError(f"openapi.json: external $ref {ref} is not supported")
            target = self.spec
            for part in ref[2:].split("/"):
                if not isinstance(target, dict) or part not in target:
                    raise PluginError(f"openapi.json: $ref {ref} does not resolve")
                target = target[part]
            node = target
        return node

    def schema_link(self, name, from_page):
        if name not in self.schemas_by_name:
            raise PluginError(f"openapi.json: schema {name} is referenced but not defined")
        prefix = "" if from_page == SCHEMAS_PAGE else "config-schema.md"
        return f"[{name}]({prefix}#{anchor(name)})"

    def type_of(self, schema, page):
        """A one-line description of a schema's type, with links to named schemas."""
        if "$ref" in schema:
            return self.schema_link(schema["$ref"].rsplit("/", 1)[-1], page)
        for combinator, word in (("oneOf", " or "), ("anyOf", " or ")):
            if combinator in schema and all("$ref" in s or "type" in s for s in schema[combinator]):
                return word.join(self.type_of(s, page) for s in schema[combinator])
        if "enum" in schema:
            return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
        kind = schema.get("type", "any")
        if isinstance(kind, list):
            kind = " or ".join(kind)
        if kind == "array" and "items" in schema:
            return "array of " + self.type_of(schema["items"], page)
        if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
            return "map of string to " + self.type_of(schema["additionalProperties"], page)
        return kind

    def alternatives(self, variants):
        """oneOf/anyOf over objects here always says which fields must be present."""
        names = []
        for variant in variants:
            if set(variant) != {"required"}:
                raise PluginError(f"openapi.json: cannot render the alternative {json.dumps(variant)}")
            names.append(" and ".join(f"`{field}`" for field in variant["required"]))
        return ", ".join(names)

    def constraints(self, schema):
        parts = [template.format(schema[key]) for key, template in CONSTRAINTS.items() if key in schema and schema[key] is not False]
        if "default" in schema:
            parts.append(f"default `{json.dumps(schema['default'])}`")
        if schema.get("writeOnly"):
            parts.append("write-only")
        return ", ".join(parts)

    def operations(self):
        info = self.spec["info"]
        lines = [
            f"# {info['title']} ({info['version']})", "",
            "Generated at build time from `admin-api/src/main/resources/openapi.json`, the document the "
            "admin API serves at `/openapi.json`. Request and response bodies are described in the "
            "[config schema](config-schema.md).", "",
            info.get("description", ""), "",
        ]
        by_tag = {tag["name"]: [] for tag in self.spec.get("tags", [])}
        for path, item in self.spec["paths"].items():
            for method in METHODS:
                if method in item:
                    operation = item[method]
                    tags = operation.get("tags") or ["Other"]
                    by_tag.setdefault(tags[0], []).append((method, path, operation, item.get("parameters", [])))
        descriptions = {tag["name"]: tag.get("description", "") for tag in self.spec.get("tags", [])}
        for tag, operations in by_tag.items():
            if not operations:
                continue
            lines += [f"## {tag}", "", descriptions.get(tag, ""), ""]
            for method, path, operation, shared in operations:
                lines += self.operation(method, path, operation, shared)
        return "\n".join(lines) + "\n"

    def operation(self, method, path, operation, shared):
        lines = [f"### {operation.get('summary', operation.get('operationId'))}", "", f"`{method.upper()} {path}`", ""]
        role = operation.get("x-embassy-role")
        if operation.get("security") == []:
            lines += ["No authentication.", ""]
        elif role:
            lines += [f"Least role: **{role}**.", ""]
        if operation.get("description"):
            lines += [operation["description"], ""]
        parameters = [self.resolve(p) for p in shared + operation.get("parameters", [])]
        if parameters:
            lines += ["| parameter | in | type | required | description |", "|---|---|---|---|---|"]
            for p in parameters:
                schema = p.get("schema", {})
                kind = self.type_of(schema, OPERATIONS_PAGE)
                extra = self.constraints(self.resolve(schema) if "$ref" in schema else schema)
                lines.append(f"| `{p['name']}` | {p['in']} | {cell(kind)}{' (' + cell(extra) + ')' if extra else ''} | "
                             f"{'yes' if p.get('required') else 'no'} | {cell(p.get('description', ''))} |")
            lines.append("")
        body = operation.get("requestBody")
        if body:
            body = self.resolve(body)
            lines += ["**Request body**" + (" (required)" if body.get("required") else "") + ": " + cell(body.get("description", "")), ""]
            for media, content in body.get("content", {}).items():
                lines.append(f"- `{media}`: {self.type_of(content.get('schema', {}), OPERATIONS_PAGE)}")
            lines.append("")
        lines += ["| status | meaning | body |", "|---|---|---|"]
        for status, response in operation.get("responses", {}).items():
            response = self.resolve(response)
            media = ", ".join(f"`{m}` {self.type_of(c.get('schema', {}), OPERATIONS_PAGE)}" for m, c in response.get("content", {}).items())
            headers = ", ".join(f"`{h}`" for h in response.get("headers", {}))
            meaning = cell(response.get("description", "")) + (f" Headers: {headers}." if headers else "")
            lines.append(f"| {status} | {meaning} | {cell(media)} |")
        lines.append("")
        return lines

    def schemas(self):
        lines = [
            "# Config schema", "",
            "Every resource and message of the [admin API](admin-api.md), generated at build time from "
            "`admin-api/src/main/resources/openapi.json`. Bodies reject unknown fields; omitted optional "
            "fields take the defaults shown.", "",
        ]
        for name, schema in self.schemas_by_name.items():
            lines += [f"## {name}", ""]
            if schema.get("description"):
                lines += [schema["description"], ""]
            properties = schema.get("properties")
            if properties:
                required = set(schema.get("required", []))
                lines += ["| field | type | required | description |", "|---|---|---|---|"]
                for field, definition in properties.items():
                    kind = self.type_of(definition, SCHEMAS_PAGE)
                    extra = self.constraints(definition)
                    lines.append(f"| `{field}` | {cell(kind)}{' (' + cell(extra) + ')' if extra else ''} | "
                                 f"{'yes' if field in required else 'no'} | {cell(definition.get('description', ''))} |")
                lines.append("")
            else:
                kind = self.type_of(schema, SCHEMAS_PAGE)
                extra = self.constraints(schema)
                lines += [f"Type: {kind}{' (' + extra + ')' if extra else ''}.", ""]
            for variant, wording in (("oneOf", "Exactly one of"), ("anyOf", "At least one of")):
                if variant in schema and properties:
                    lines += [f"{wording}: {self.alternatives(schema[variant])}.", ""]
            if "propertyNames" in schema:
                lines += [f"Keys: {self.constraints(schema['propertyNames'])}.", ""]
            if "not" in schema:
                lines += [f"Must not match: {self.constraints(schema['not'])}.", ""]
        return "\n".join(lines) + "\n"
