"""PATCH documents: JSON Merge Patch (RFC 7396) and JSON Patch (RFC 6902, via ``jsonpatch``).

Both work on a copy; the caller stores the result only once it is known to be valid, so a failing
patch (a ``test`` op that does not hold, a path that does not exist) changes nothing.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import jsonpointer

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


class PatchConflict(Exception):
    """The patch is well formed but cannot be applied to the resource as it is now."""


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 section 2, as written: objects merge recursively, ``null`` removes a member."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(target: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    try:
        result = jsonpatch.JsonPatch(operations).apply(copy.deepcopy(target))
    except jsonpatch.JsonPatchTestFailed as exc:
        raise PatchConflict(f"test operation failed: {exc}") from exc
    except (jsonpatch.JsonPatchConflict, jsonpointer.JsonPointerException) as exc:
        raise PatchConflict(str(exc)) from exc
    except (jsonpatch.InvalidJsonPatch, TypeError, ValueError, KeyError, IndexError) as exc:
        raise PatchConflict(f"cannot apply the patch: {exc}") from exc
    if not isinstance(result, dict):
        raise PatchConflict("the patch replaces the whole resource with a non-object")
    return result
