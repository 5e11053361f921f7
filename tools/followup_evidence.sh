#!/usr/bin/env bash
# All the evidence of the two follow-up systems, in the order that completes a block soonest,
# each step resumable (rerun the same command after any stop; finished level-runs are kept):
#   1. the lottery sources: LeNet-300-100, paper preset, trials 1-3, levels 0-15, on MNIST and on
#      Fashion-MNIST (96 level-runs) into ROOT/lenet_mnist and ROOT/lenet_fashion_mnist;
#   2. tickets across datasets (tools/transfer_evidence.sh: 96 level-runs, then results/transfer);
#   3. Deconstructing lottery tickets (tools/deconstruction_evidence.sh: 364 level-runs).
# One worker (one core) by default, so the other core stays free: WORKERS=N to change it.
# A level of 50,000 iterations takes about 2 min on an idle core of the 2-core development machine.
#
#   tools/followup_evidence.sh [OUTPUT_ROOT]     (default: $HOME/lth_evidence)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="${1:-$HOME/lth_evidence}"
PY="${PYTHON:-.venv/bin/python}"
mkdir -p "$ROOT"
for dataset in mnist fashion_mnist; do
  "$PY" -m lottery sweep --network=lenet300_100 --preset=paper --dataset="$dataset" --trials=3 \
    --procedures=lottery --rounds=15 --workers="${WORKERS:-1}" --noanalyze \
    --output_dir="$ROOT/lenet_$dataset"
done
tools/transfer_evidence.sh "$ROOT"
tools/deconstruction_evidence.sh "$ROOT"
