"""Building blocks for the OpenAPI 3.1 documents the apps generate from their own code and catalog.

The apps never ship a hand-written document: each builds it from its routes' parameters, the dataset
catalog or the entity rules, so the document cannot drift from what the code accepts.
"""

from __future__ import annotations

import html
import json
from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 7807 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": ["string", "null"]},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "message"],
                "properties": {"path": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

_STATUS_TEXT = {
    400: "Invalid request (see `errors` for the field paths)",
    401: "Missing, expired or invalid bearer token",
    403: "The token lacks the app role this resource needs",
    404: "Not found",
    406: "None of the accepted media types can be produced",
    413: "Request body too large",
    503: "Warehouse unavailable; retry after the Retry-After delay",
}


def problem(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _STATUS_TEXT[status],
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == 503:
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
    return response


def problems(*statuses: int) -> dict[str, Any]:
    return {str(status): problem(status) for status in statuses}


def docs_paths() -> dict[str, Any]:
    """The two documentation routes every data app serves, anonymously (they describe the API, serve no data):
    this document and its HTML page."""
    return {
        "/openapi.json": {"get": {"security": [], "summary": "This document", "operationId": "openapi",
                                  "tags": ["docs"],
                                  "responses": {"200": {"description": "OpenAPI 3.1 document", "content": {
                                      "application/json": {"schema": {"type": "object"}}}}}}},
        "/docs": {"get": {"security": [], "summary": "Human-readable API documentation with an Authorize button "
                          "and a form to try each operation", "operationId": "docs", "tags": ["docs"],
                          "responses": {"200": {"description": "HTML", "content": {
                              "text/html": {"schema": {"type": "string"}}}}}}},
    }  # fmt: skip


def document(title: str, version: str, description: str, paths: dict[str, Any], schemas: dict[str, Any]) -> dict:
    """The full document: bearer security on everything except the anonymous health/metrics routes."""
    anonymous = {"security": []}
    health_paths = {
        "/healthz": {"get": {**anonymous, "summary": "Liveness", "operationId": "healthz", "tags": ["operations"],
                             "responses": {"200": {"description": "The process is alive",
                                                   "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/readyz": {"get": {**anonymous, "summary": "Readiness (warehouse reachable)", "operationId": "readyz",
                            "tags": ["operations"],
                            "responses": {"200": {"description": "Ready",
                                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                                          "503": {"description": "Warehouse unreachable",
                                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/metrics": {"get": {**anonymous, "summary": "Prometheus metrics", "operationId": "metrics",
                             "tags": ["operations"],
                             "responses": {"200": {"description": "Prometheus text format",
                                                   "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    }  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "security": [{"bearer": []}],
        "paths": {**paths, **health_paths},
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Entra ID access token for this API (app roles in the `roles` claim)",
                }
            },
            "schemas": {"Problem": PROBLEM_SCHEMA, **schemas},
        },
    }


_DOCS_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:70em}details{border-bottom:1px solid #ddd;padding:4px 0}"
    "summary{cursor:pointer}code.m{display:inline-block;width:4em;font-weight:bold}label{display:block;margin:2px 0}"
    "label span{display:inline-block;width:16em}pre{background:#f6f6f6;padding:8px;max-height:30em;overflow:auto}"
    "#auth{background:#eef;padding:8px;margin:1em 0}"
)
# Builds one form per operation from the embedded document; "Try it" sends the request with the bearer token
# given to "Authorize" (kept in this tab's sessionStorage only). No external script: the page works offline.
_DOCS_SCRIPT = """
const spec = JSON.parse(document.getElementById('spec').textContent);
const tokenKey = 'bearer:' + location.pathname;
const authState = () => { document.getElementById('state').textContent =
  sessionStorage.getItem(tokenKey) ? 'authorized: calls carry your bearer token' : 'not authorized'; };
document.getElementById('authorize').onclick = () => {
  const value = document.getElementById('token').value.trim().replace(/^Bearer\\s+/i, '');
  if (value) sessionStorage.setItem(tokenKey, value); else sessionStorage.removeItem(tokenKey);
  document.getElementById('token').value = ''; authState(); };
document.getElementById('logout').onclick = () => { sessionStorage.removeItem(tokenKey); authState(); };
authState();
const el = (tag, props, ...children) => { const node = Object.assign(document.createElement(tag), props || {});
  node.append(...children); return node; };
const ops = document.getElementById('operations');
for (const [path, methods] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(methods)) {
    const form = el('form');
    for (const p of (op.parameters || [])) {
      if (p.in === 'header') continue;
      const hint = (p.schema && (p.schema.enum ? p.schema.enum.join(' | ') : p.schema.type)) || '';
      form.append(el('label', {}, el('span', {}, p.name + (p.required ? ' *' : '')),
        el('input', {name: p.name, placeholder: hint, title: p.description || ''}), ' ' + (p.description || '')));
    }
    const types = Object.keys(((op.responses || {})['200'] || {}).content || {});
    const accept = el('select', {name: '__accept'}, ...types.map(t => el('option', {value: t}, t)));
    if (types.length > 1) form.append(el('label', {}, el('span', {}, 'Accept'), accept));
    const out = el('pre', {hidden: true});
    form.append(el('button', {type: 'submit'}, 'Try it'), out);
    form.onsubmit = async (event) => {
      event.preventDefault();
      const query = new URLSearchParams();
      for (const input of form.querySelectorAll('input')) if (input.value) query.append(input.name, input.value);
      const url = path.replace(/^\\//, '') + (query.toString() ? '?' + query : '');
      const headers = {};
      const token = sessionStorage.getItem(tokenKey);
      if (token && op.security === undefined) headers.Authorization = 'Bearer ' + token;
      if (types.length) headers.Accept = accept.value || types[0];
      out.hidden = false; out.textContent = method.toUpperCase() + ' ' + url + ' ...';
      try {
        const response = await fetch(url, {method: method.toUpperCase(), headers});
        const type = response.headers.get('Content-Type') || '';
        const body = /json|text|csv/.test(type) ? await response.text()
          : '(' + (await response.arrayBuffer()).byteLength + ' bytes of ' + type + ')';
        out.textContent = response.status + ' ' + response.statusText + '\\n' + body.slice(0, 20000);
      } catch (error) { out.textContent = String(error); }
    };
    ops.append(el('details', {}, el('summary', {}, el('code', {className: 'm'}, method.toUpperCase()),
      el('code', {}, path), ' ' + (op.summary || '') + (op.security && !op.security.length ? ' (anonymous)' : '')),
      el('p', {}, op.description || ''), form));
  }
}
"""


def docs_page(spec: dict[str, Any]) -> str:
    """A self-contained HTML page of the operations, with an "Authorize" button taking a bearer token and a
    "Try it" form per operation (no CDN: it must work offline)."""
    info = spec["info"]
    embedded = json.dumps(spec).replace("</", "<\\/")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(info['title'])}</title><style>{_DOCS_STYLE}</style></head><body>"
        f"<h1>{html.escape(info['title'])} <small>{html.escape(info['version'])}</small></h1>"
        f"<p>{html.escape(info['description'])}</p><p>Machine-readable: <a href='openapi.json'>openapi.json</a></p>"
        "<div id='auth'><label><span>Bearer token</span><input id='token' type='password' size='60' "
        "autocomplete='off'></label><button id='authorize' type='button'>Authorize</button> "
        "<button id='logout' type='button'>Log out</button> <em id='state'></em></div>"
        "<div id='operations'></div>"
        f"<script type='application/json' id='spec'>{embedded}</script><script>{_DOCS_SCRIPT}</script>"
        "<noscript>"
        + "".join(
            f"<p><code>{method.upper()} {html.escape(path)}</code> {html.escape(op.get('summary', ''))}</p>"
            for path, operations in spec["paths"].items()
            for method, op in operations.items()
        )
        + "</noscript></body></html>"
    )
