"""Reading the catalogue's YAML files with libyaml's C loader when PyYAML has it (about ten
times faster than the pure-Python one, and safe in the same way)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """The document of the YAML file at ``path`` (safe: plain data only)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
