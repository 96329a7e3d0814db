"""Read back what nightly runs left in Prefect, through the Prefect client API (run in a subprocess with
PREFECT_API_URL set; the pytest process never imports Prefect).

    python tests/flows/prefect_probe.py FLOW_NAME [LIMIT]

prints JSON: the flow's latest runs, newest first, each with its state, task runs, artifacts and the
`nianbao.*` events related to it.
"""
from __future__ import annotations

import json
import sys


def main() -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (ArtifactFilter, ArtifactFilterFlowRunId, FlowFilter, FlowFilterName,
                                                FlowRunFilter, FlowRunFilterId)
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.events.filters import EventFilter, EventNameFilter, EventRelatedFilter

    name, limit = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    out = []
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[name])),
                                     sort=FlowRunSort.START_TIME_DESC, limit=limit)
        for fr in runs:
            tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[fr.id])))
            artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[fr.id])))
            page = client.read_events(filter=EventFilter(
                event=EventNameFilter(prefix=["nianbao."]),
                related=EventRelatedFilter(resources_in_roles=[(f"prefect.flow-run.{fr.id}", "flow-run")])),
                limit=50)
            events = list(page.events)
            while page.next_page:
                page = client.read_events_page(page.next_page)
                events += page.events
            out.append({
                "id": str(fr.id), "state": fr.state_type.value if fr.state_type else None,
                "message": fr.state.message if fr.state else None,
                "parameters": fr.parameters,
                "tasks": [{"name": t.name, "state": t.state_type.value if t.state_type else None,
                           "run_count": t.run_count} for t in tasks],
                "artifacts": [{"key": a.key, "type": a.type, "data": a.data, "description": a.description}
                              for a in artifacts],
                "events": [{"id": str(e.id), "event": e.event, "resource": dict(e.resource.root),
                            "related": [dict(r.root) for r in e.related], "payload": e.payload}
                           for e in events],
            })
    print(json.dumps(out, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
