"""The engine adapter: the only package that imports SpiffWorkflow."""

from orchestrator.engine.model import ProcessModel, executable_process_ids, load_model
from orchestrator.engine.runtime import Engine, GatewayPassage, Outcome, ReadyTask, WaitingTimer

__all__ = [
    "Engine", "GatewayPassage", "Outcome", "ProcessModel", "ReadyTask",
    "WaitingTimer", "executable_process_ids", "load_model",
]
