#!/usr/bin/env bash
# Regenerate every processes/bpmn/*.bpmn from its catalogue flowchart with the scaffolder;
# `--check` only reports the files that differ (CI-style), without writing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
status=0
for f in processes/bpmn/*.bpmn; do
  b=$(basename "$f" .bpmn)
  if [[ $b == service-* ]]; then yaml=$b; key=""
  elif [[ $b =~ ^(sop-[0-9]+\.[0-9]+)-([a-z])$ ]]; then yaml=${BASH_REMATCH[1]}; key=$(echo "$b" | sed 's/sop-/sop_/; s/[.-]/_/g')
  else yaml=$b; key=""; fi
  args=("processes/catalogue/$yaml.yaml"); [ -n "$key" ] && args+=(--flowchart "$key")
  out=$("$PY" tools/catalogue_to_bpmn.py "${args[@]}")
  if [ "$(cat "$f")" != "$out" ]; then
    echo "differs: $f"; status=1
    [ "${1:-}" = "--check" ] || printf '%s\n' "$out" > "$f"
  fi
done
exit $status
