"""The OpenAPI 3.1 ``webhooks`` section: one POST per event type, its body the envelope the delivery sends
(``webhooks.delivery.body_of``) with the type's ``data`` from the same pydantic model the event is checked
against when it is recorded (``oversight.events.payloads``), and the Standard Webhooks headers."""

from __future__ import annotations

from typing import Any

from oversight.events import types as event_types
from oversight.events.payloads import PAYLOADS

SUFFIX = "Payload"  # component names: ContractSignedPayload… (the API's own models never end so)
HEADERS = (
    ("webhook-id", "The event id (a UUID): the same on every attempt; de-duplicate on it.", {"format": "uuid"}),
    ("webhook-timestamp", "Unix seconds of this attempt; refuse one more than five minutes from your clock.",
     {"pattern": "^[0-9]+$"}),
    ("webhook-signature", "`v1,` + base64 of HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`, keyed "
     "with the secret's bytes (the base64 after `whsec_`); several may follow, space separated.", {}),
)
ANSWER = ("Received. Any other answer, or none within the timeout, is tried again later with the same "
          "`webhook-id` (redirects are not followed).")


def _reference(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}{SUFFIX}"}


def _envelope(event_type: str, data_model: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "type", "timestamp", "data"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "The event id (the `webhook-id` header)."},
            "type": {"const": event_type},
            "timestamp": {"type": "string", "format": "date-time", "description": "When the event occurred."},
            "data": _reference(data_model),
        },
    }


def _operation(event_type: str, data_model: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": "webhook_" + event_type.replace(".", "_"),
            "summary": f"The event {event_type}",
            "description": (
                "Sent to the endpoints subscribed to it; `webhook.test` only by an endpoint's \"Send test event\" "
                "button (docs/api.md, Webhooks)." if event_type == event_types.TEST else
                f"Sent to every enabled endpoint subscribed to `{event_type}` (docs/api.md, Webhooks)."
            ),
            "parameters": [
                {"name": name, "in": "header", "required": True, "description": text,
                 "schema": {"type": "string", **extra}}
                for name, text, extra in HEADERS
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _envelope(event_type, data_model)}},
            },
            "responses": {"2XX": {"description": ANSWER}},
        }
    }


def declare(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with a webhook per event type and each payload model among its component schemas."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    webhooks = {}
    for event_type, model in PAYLOADS.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}" + SUFFIX)
        for name, nested in schema.pop("$defs", {}).items():
            schemas[name + SUFFIX] = nested
        schemas[model.__name__ + SUFFIX] = schema
        webhooks[event_type] = _operation(event_type, model.__name__)
    document["webhooks"] = webhooks
    return document
