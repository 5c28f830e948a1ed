"""Paging styles: which slice a list request asks for, and the envelope the vendor wraps it in.

- ``page-size``: Robaws. ``page`` (0-based) and ``size``, or ``offset``/``limit``;
  ``{items, totalItems, totalPages, currentPage, size}``.
- ``limit-offset``: Django REST Framework's LimitOffsetPagination;
  ``{count, next, previous, results}`` with absolute URLs that keep every other query parameter.
- ``laravel``: Laravel's LengthAwarePaginator ``toArray()``; off by default for some roles, and
  turned on by a ``page`` parameter.
- ``none``: a plain JSON array of everything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from typing import Protocol
from urllib.parse import urlencode

from mockserver.spec.model import Pagination


@dataclass
class PageRequest:
    query: dict[str, Any]  # validated, typed query parameters
    args: list[tuple[str, str]]  # the raw query string, in order, for building links
    locate: Callable[[], str]  # the absolute URL of the list; costly, so only links ask for it
    roles: tuple[str, ...] = ()

    @cached_property
    def base_url(self) -> str:
        return self.locate()


@dataclass(frozen=True)
class Window:
    offset: int
    limit: int


class Paginator(Protocol):
    def window(self, request: PageRequest) -> Window | None: ...

    def envelope(
        self, items: list[Any], total: int, window: Window | None, request: PageRequest
    ) -> Any: ...


def _link(request: PageRequest, replace: dict[str, int], drop: tuple[str, ...] = ()) -> str:
    keep = [(k, v) for k, v in request.args if k not in replace and k not in drop]
    query = urlencode(keep + [(k, str(v)) for k, v in replace.items()])
    return f"{request.base_url}?{query}" if query else request.base_url


class PageSizePaginator:
    def __init__(self, config: Pagination) -> None:
        self.page = config.option("page-param", "page")
        self.size = config.option("size-param", "size")
        self.offset = config.option("offset-param")
        self.limit = config.option("limit-param")
        self.first = config.option("first-page", 0)
        self.default = config.option("default-size", 10)

    def window(self, request: PageRequest) -> Window:
        q = request.query
        if self.offset and self.limit and (self.offset in q or self.limit in q):
            limit = q.get(self.limit, q.get(self.size, self.default))
            return Window(q.get(self.offset, 0), limit)
        size = q.get(self.size, self.default)
        return Window((q.get(self.page, self.first) - self.first) * size, size)

    def envelope(
        self, items: list[Any], total: int, window: Window | None, request: PageRequest
    ) -> Any:
        assert window is not None
        return {
            "items": items,
            "totalItems": total,
            "totalPages": math.ceil(total / window.limit) if window.limit else 0,
            "currentPage": window.offset // window.limit + self.first if window.limit else 0,
            "size": window.limit,
        }


class LimitOffsetPaginator:
    def __init__(self, config: Pagination) -> None:
        self.limit = config.option("limit-param", "limit")
        self.offset = config.option("offset-param", "offset")
        self.default = config.option("default-size", 50)

    def window(self, request: PageRequest) -> Window:
        return Window(
            request.query.get(self.offset, 0), request.query.get(self.limit, self.default)
        )

    def envelope(
        self, items: list[Any], total: int, window: Window | None, request: PageRequest
    ) -> Any:
        assert window is not None
        offset, limit = window.offset, window.limit
        following = None
        if offset + limit < total:
            following = _link(request, {self.limit: limit, self.offset: offset + limit})
        previous = None
        if offset > 0:
            if offset - limit <= 0:  # DRF drops the offset parameter for the first page
                previous = _link(request, {self.limit: limit}, drop=(self.offset,))
            else:
                previous = _link(request, {self.limit: limit, self.offset: offset - limit})
        return {"count": total, "next": following, "previous": previous, "results": items}


class LaravelPaginator:
    def __init__(self, config: Pagination) -> None:
        self.page = config.option("page-param", "page")
        self.per_page = config.option("size-param", "per_page")
        self.default = config.option("default-size", 15)
        self.max = config.option("max-size")  # Laravel apps clamp per_page rather than reject it
        self.off_for = set(config.option("off-for-roles", []))

    def window(self, request: PageRequest) -> Window | None:
        asked = self.page in request.query or self.per_page in request.query
        if not asked and self.off_for.intersection(request.roles):
            return None
        per_page = request.query.get(self.per_page, self.default)
        if self.max:
            per_page = min(per_page, self.max)
        return Window((request.query.get(self.page, 1) - 1) * per_page, per_page)

    def envelope(
        self, items: list[Any], total: int, window: Window | None, request: PageRequest
    ) -> Any:
        if window is None:
            return items
        per_page = window.limit
        current = window.offset // per_page + 1
        last = max(1, math.ceil(total / per_page))

        def url(page: int) -> str:
            return _link(request, {self.page: page})

        return {
            "total": total,
            "per_page": per_page,
            "current_page": current,
            "last_page": last,
            "first_page_url": url(1),
            "last_page_url": url(last),
            "next_page_url": url(current + 1) if current < last else None,
            "prev_page_url": url(current - 1) if current > 1 else None,
            "path": request.base_url,
            "from": window.offset + 1 if items else None,
            "to": window.offset + len(items) if items else None,
            "data": items,
        }


class NoPaginator:
    def window(self, request: PageRequest) -> None:
        return None

    def envelope(
        self, items: list[Any], total: int, window: Window | None, request: PageRequest
    ) -> Any:
        return items


def paginator_for(config: Pagination) -> Paginator:
    styles: dict[str, type[Any]] = {
        "page-size": PageSizePaginator,
        "limit-offset": LimitOffsetPaginator,
        "laravel": LaravelPaginator,
    }
    if config.style == "none":
        return NoPaginator()
    return styles[config.style](config)  # type: ignore[no-any-return]
