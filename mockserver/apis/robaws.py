"""Robaws behaviour that is not CRUD: purchase-invoice approval and the metadata probe."""

from __future__ import annotations

from mockserver import errors
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.handlers.registry import operation
from mockserver.profiles.errors import SERVER_VERSION

INVOICES = "purchase-invoices"


def _invoice_id(ctx: RequestContext) -> str:
    return str(ctx.params.path["purchaseInvoiceId"])


def _transition(ctx: RequestContext, allowed_from: set[str], to: str) -> Reply:
    resources = ctx.runtime.resources
    invoice = resources.require(ctx.tenant, INVOICES, _invoice_id(ctx))
    current = invoice.get("approvalStatus", "DRAFT")
    if current not in allowed_from:
        raise errors.conflict(
            f"Purchase invoice {invoice['id']} is {current}; cannot move it to {to}"
        )
    change = ctx.record(
        resources.set_fields(ctx.tenant, INVOICES, invoice["id"], {"approvalStatus": to})
    )
    assert change.after is not None
    rendered = resources.render(ctx.tenant, INVOICES, change.after, {})
    return Reply(ctx.operation.success_status(), rendered)


@operation("robaws", "approvePurchaseInvoice")
def approve_purchase_invoice(ctx: RequestContext) -> Reply:
    return _transition(ctx, {"DRAFT", "PENDING_APPROVAL", "REJECTED"}, "APPROVED")


@operation("robaws", "startPurchaseInvoiceApprovalRequest")
def start_approval_request(ctx: RequestContext) -> Reply:
    return _transition(ctx, {"DRAFT", "REJECTED"}, "PENDING_APPROVAL")


@operation("robaws", "getMetadata")
def get_metadata(ctx: RequestContext) -> Reply:
    tenant = ctx.runtime.book.tenant(ctx.tenant)
    body = {
        "tenantId": tenant.id,
        "companyName": tenant.name,
        "serverVersion": SERVER_VERSION,
        "apiVersion": "v2",
        "databaseMode": ctx.access_mode or "live",
    }
    return Reply(200, body)
