"""Checks on a process's flow graph that keep every engine run short.

Between two human steps the engine runs on its own. A cycle with no user task on it would keep
it running forever; a parallel gateway on a cycle makes SpiffWorkflow's join rescan the whole,
ever-growing task tree each round (seconds per step after a hundred rounds, then a recursion
failure). Both are refused at deploy; the engine's step budget catches anything else.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from orchestrator.engine.elements import BPMN

# timer events wait for the scheduler, not a person: a cycle of gateways and timers alone is
# refused as well (it would grow the task tree without end, one round per firing)
FLOW_NODES = ("startEvent", "endEvent", "userTask", "exclusiveGateway", "parallelGateway",
              "intermediateCatchEvent", "boundaryEvent")
MAX_FLOW_NODES = 200  # the largest SOP has 28
MAX_SEQUENCE_FLOWS = 400


def flow_graph_errors(process: Element) -> list[str]:
    """Size bounds, dangling flows, conditions where they are evaluated, exactly one start,
    and the cycles the engine cannot run."""
    kinds = {el.get("id") or "": tag for tag in FLOW_NODES for el in process.iter(f"{BPMN}{tag}")}
    flows = list(process.iter(f"{BPMN}sequenceFlow"))
    if len(kinds) > MAX_FLOW_NODES or len(flows) > MAX_SEQUENCE_FLOWS:
        return [f"the process has {len(kinds)} flow nodes and {len(flows)} sequence flows; "
                f"at most {MAX_FLOW_NODES} and {MAX_SEQUENCE_FLOWS} are allowed"]
    graph: dict[str, list[str]] = {node: [] for node in kinds}
    errors = []
    for flow in flows:
        source, target = flow.get("sourceRef") or "", flow.get("targetRef") or ""
        if source not in kinds or target not in kinds:
            errors.append(f"{flow.get('id')}: the sequence flow connects an element that is "
                          "not a supported flow node")
            continue
        graph[source].append(target)
        if (flow.find(f"{BPMN}conditionExpression") is not None
                and kinds[source] != "exclusiveGateway"):
            errors.append(f"{flow.get('id')}: a condition is evaluated only on a flow out of "
                          "an exclusive gateway")
    starts = [node for node, kind in kinds.items() if kind == "startEvent"]
    if len(starts) != 1:
        errors.append(f"the process needs exactly one start event (found {len(starts)})")
    return errors + _cycle_errors(kinds, graph)


def _cycle_errors(kinds: dict[str, str], graph: dict[str, list[str]]) -> list[str]:
    errors = []
    without_people = {n: [t for t in out if kinds[t] != "userTask"]
                      for n, out in graph.items() if kinds[n] != "userTask"}
    spinning = sorted(n for n in without_people if _on_cycle(without_people, n))
    if spinning:
        errors.append(f"{', '.join(spinning)}: a cycle without a user task (the engine would "
                      "run in it forever without waiting for a person)")
    for node in sorted(n for n, kind in kinds.items() if kind == "parallelGateway"):
        if _on_cycle(graph, node):
            errors.append(f"{node}: a parallel gateway on a loop is not supported (its join "
                          "gets slower every round)")
    return errors


def _on_cycle(graph: dict[str, list[str]], node: str) -> bool:
    """Whether ``node`` can reach itself again (graphs here have at most a few hundred nodes)."""
    seen: set[str] = set()
    stack = list(graph[node])
    while stack:
        current = stack.pop()
        if current == node:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(graph.get(current, ()))
    return False
