"""Where hand-written behaviour is found.

Two registries, both filled by decorators at import time:

- ``SHARED``: behaviour several APIs use, named in the spec by ``x-mock.handler``
  (``oauth2-authorize``, ``oauth2-token``);
- ``OPERATIONS``: behaviour of one API's operation, keyed by (api, operationId) exactly as the spec
  writes it (``("robaws", "approvePurchaseInvoice")``).

Resolution happens once, at start-up (``resolve_handler``): an operation's own handler first, then
its named shared handler, then its generic ``action``, then the example of its first 2xx response
(connexion's MockResolver).
"""

from __future__ import annotations

from collections.abc import Callable

from mockserver.errors import SpecLoadError
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.spec.model import Operation

Handler = Callable[[RequestContext], Reply]

SHARED: dict[str, Handler] = {}
OPERATIONS: dict[tuple[str, str], Handler] = {}


def shared(name: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        SHARED[name] = func
        return func

    return register


def operation(api: str, operation_id: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        OPERATIONS[(api, operation_id)] = func
        return func

    return register


def resolve_handler(op: Operation) -> Handler:
    from mockserver.handlers import crud
    from mockserver.handlers import example

    own = OPERATIONS.get((op.api, op.operation_id))
    if own is not None:
        return own
    if op.binding.handler:
        try:
            return SHARED[op.binding.handler]
        except KeyError:
            raise SpecLoadError(
                f"{op.label}: x-mock.handler '{op.binding.handler}' is not a known handler "
                f"(known: {', '.join(sorted(SHARED))})"
            ) from None
    if op.binding.action:
        return crud.ACTIONS[op.binding.action]
    return example.reply_with_example
