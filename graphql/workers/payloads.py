"""What the grid workers' mutations answer."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.payloads import Payload
from redgrid.graphql.workers.types import GridWorker


@strawberry.type
class GridWorkerPayload(Payload):
    worker: GridWorker | None = None
