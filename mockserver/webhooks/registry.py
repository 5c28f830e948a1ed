"""Who hears which events: endpoints registered through a vendor's API or the admin API.

Two sources, one view (``Endpoint``):

- **api**: records of the resource named by ``x-mock.webhooks.registration`` (Robaws'
  ``webhook-endpoints``), per tenant; they hear that tenant's events. Disabling one sets its
  status field, so the vendor's own GET shows it.
- **admin**: subscriptions made with ``POST /__admin/webhook-subscriptions``, kept in the store's
  keys; with no tenant they hear every tenant's events of their API.

Consecutive failures per endpoint are counted in the keys too, so every backend keeps them.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from mockserver.state.query import Collection
from mockserver.state.query import Query
from mockserver.webhooks.config import WebhookConfig
from mockserver.webhooks.signing import SIGNERS

if TYPE_CHECKING:
    from mockserver.engine import MockEngine

SUBSCRIPTIONS = "webhooks:subscriptions"
FAILURES = "webhooks:failures"
ANY_EVENT = "*"


@dataclass(frozen=True)
class Endpoint:
    id: str
    api: str
    tenant: str | None
    url: str
    events: tuple[str, ...]
    secret: str
    active: bool
    source: str  # admin | api
    disable_after: int | None = None

    def wants(self, event_type: str) -> bool:
        return self.active and (ANY_EVENT in self.events or event_type in self.events)

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["events"] = list(self.events)
        doc["status"] = "ACTIVE" if self.active else "DISABLED"
        doc["disableAfter"] = doc.pop("disable_after")
        del doc["active"]
        return doc


class Registry:
    def __init__(self, engine: MockEngine, configs: dict[str, WebhookConfig]) -> None:
        self._engine = engine
        self._configs = configs

    @property
    def _store(self) -> Any:
        return self._engine.store

    def _now(self) -> float:
        return self._engine.clock.now()

    # admin subscriptions ----------------------------------------------------------------------

    def subscribe(
        self, api: str, url: str, events: list[str], tenant: str | None, disable_after: int | None
    ) -> Endpoint:
        endpoint = Endpoint(
            id=str(uuid.uuid4()),
            api=api,
            tenant=tenant,
            url=url,
            events=tuple(events),
            secret=SIGNERS[self._configs[api].signing].new_secret(),
            active=True,
            source="admin",
            disable_after=disable_after,
        )
        self._store.key_set(SUBSCRIPTIONS, endpoint.id, endpoint.to_json(), self._now(), None)
        return endpoint

    def unsubscribe(self, endpoint_id: str) -> bool:
        if self._store.key_get(SUBSCRIPTIONS, endpoint_id, self._now()) is None:
            return False
        self._store.key_delete(SUBSCRIPTIONS, endpoint_id)
        self._store.key_delete(FAILURES, endpoint_id)
        return True

    def _admin(self) -> list[Endpoint]:
        return [
            _from_admin(doc)
            for _, doc in self._store.key_items(SUBSCRIPTIONS, self._now())
            if doc is not None
        ]

    # endpoints registered through a vendor API --------------------------------------------------

    def _registered(self, config: WebhookConfig, tenant: str) -> list[Endpoint]:
        reg = config.registration
        if reg is None:
            return []
        where = Collection(config.api, tenant, reg.resource)
        id_field = self._engine.runtimes[config.api].spec.resources[reg.resource].id_field
        return [
            Endpoint(
                id=str(doc[id_field]),
                api=config.api,
                tenant=tenant,
                url=str(doc.get("url", "")),
                events=tuple(doc.get("events") or ()),
                secret=str(doc.get("secret", "")),
                active=doc.get(reg.status_field) != reg.disabled,
                source="api",
            )
            for doc in self._store.query(where, Query()).items
        ]

    def _tenants(self, api: str) -> list[str]:
        return [t.id for t in self._engine.runtimes[api].book.tenants]

    # the one view ------------------------------------------------------------------------------

    def all(self, api: str | None = None) -> list[Endpoint]:
        found = [e for e in self._admin() if api is None or e.api == api]
        for name, config in self._configs.items():
            if api is None or name == api:
                for tenant in self._tenants(name):
                    found.extend(self._registered(config, tenant))
        return found

    def get(
        self, endpoint_id: str, api: str | None = None, tenant: str | None = None
    ) -> Endpoint | None:
        """An endpoint by id; ``api`` and ``tenant`` narrow the search of vendor registrations."""
        doc = self._store.key_get(SUBSCRIPTIONS, endpoint_id, self._now())
        if doc is not None:
            return _from_admin(doc)
        if api in self._configs and tenant is not None:
            found = self._registered(self._configs[api], tenant)
        else:
            found = self.all(api)
        return next((e for e in found if e.id == endpoint_id), None)

    def matching(self, api: str, tenant: str | None, event_type: str) -> list[Endpoint]:
        """The active endpoints that hear this event, in a stable order."""
        config = self._configs.get(api)
        if config is None:
            return []
        found = [
            e
            for e in self._admin()
            if e.api == api and (e.tenant is None or e.tenant == tenant) and e.wants(event_type)
        ]
        if tenant is not None:
            found.extend(e for e in self._registered(config, tenant) if e.wants(event_type))
        return found

    # health ------------------------------------------------------------------------------------

    def record_result(self, endpoint: Endpoint, ok: bool) -> int:
        """Count deliveries failed for good in a row; returns the count (0 after a success)."""

        def count(current: Any) -> int:
            return 0 if ok else int(current or 0) + 1

        return int(self._store.key_update(FAILURES, endpoint.id, count, self._now(), None))

    def disable(self, endpoint: Endpoint) -> None:
        if endpoint.source == "admin":

            def off(doc: Any) -> Any:
                if doc is not None:
                    doc["status"] = "DISABLED"
                return doc

            if self._store.key_get(SUBSCRIPTIONS, endpoint.id, self._now()) is not None:
                self._store.key_update(SUBSCRIPTIONS, endpoint.id, off, self._now(), None)
            return
        reg = self._configs[endpoint.api].registration
        if reg is None or endpoint.tenant is None:
            return
        where = Collection(endpoint.api, endpoint.tenant, reg.resource)
        doc = self._store.get(where, endpoint.id)
        if doc is not None:
            doc[reg.status_field] = reg.disabled
            self._store.replace(where, endpoint.id, doc)

    def clear(self, apis: list[str] | None) -> None:
        for key, doc in self._store.key_items(SUBSCRIPTIONS, self._now()):
            if doc is None or apis is None or doc.get("api") in apis:
                self._store.key_delete(SUBSCRIPTIONS, key)
                self._store.key_delete(FAILURES, key)


def _from_admin(doc: dict[str, Any]) -> Endpoint:
    return Endpoint(
        id=doc["id"],
        api=doc["api"],
        tenant=doc.get("tenant"),
        url=doc["url"],
        events=tuple(doc["events"]),
        secret=doc["secret"],
        active=doc.get("status", "ACTIVE") != "DISABLED",
        source="admin",
        disable_after=doc.get("disableAfter"),
    )
