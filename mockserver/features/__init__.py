"""Cross-cutting behaviours every API gets from its spec: each a pipeline step and an x-mock block.

Importing this package registers the blocks' schemas with the spec loader.
"""

from mockserver.features import access_modes as access_modes
from mockserver.features import faults as faults
from mockserver.features import idempotency as idempotency
from mockserver.features import ratelimit as ratelimit
