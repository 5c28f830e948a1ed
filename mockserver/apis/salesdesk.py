"""salesdesk behaviour that is not CRUD: aggregate ``metadata`` on the paginated invoice list.

The seed says only "quick aggregate values, such as total sums", for paginated invoice requests
with the ``metadata`` parameter set; the totals here (over every invoice of the list, not just the
page) are the mock's design.
"""

from __future__ import annotations

from mockserver.handlers import crud
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.handlers.registry import operation
from mockserver.state.query import Query


@operation("salesdesk", "listInvoices")
def list_invoices(ctx: RequestContext) -> Reply:
    reply = crud.list_records(ctx)
    if not ctx.params.query.get("metadata") or not isinstance(reply.body, dict):
        return reply  # metadata only on a paginated answer (DOC seed)
    invoices = ctx.runtime.resources.list(ctx.tenant, "invoices", Query()).items
    total = sum(float(i.get("total", 0)) for i in invoices)
    paid = sum(float(i.get("amount_paid", 0)) for i in invoices)
    reply.body["metadata"] = {
        "count": len(invoices),
        "total_amount": round(total, 2),
        "total_paid": round(paid, 2),
        "total_due": round(total - paid, 2),
    }
    return reply
