#!/usr/bin/env bash
# The Section-2 evidence (LeNet-300-100, paper preset), as three resumable sweeps:
#   1. 5 trials, lottery levels 0-18; reinit and two random-pruning draws at the Figure-3/4
#      levels; one-shot at levels 1,2,3,5,7,9,12 (220 level-runs);
#   2-3. the input-normalisation study: lottery levels 0-7 for 3 trials with global mean/std
#      standardisation ('standard') and with the reference's row-L2 ('l2') (48 level-runs).
# Rerun the same command after any interruption: finished level-runs are kept.
#
#   tools/section2_evidence.sh [OUTPUT_ROOT]     (default: $HOME/lth_evidence)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="${1:-$HOME/lth_evidence}"
PY="${PYTHON:-.venv/bin/python}"
mkdir -p "$ROOT"
"$PY" -m lottery sweep --network=lenet300_100 --preset=paper --trials=5 \
  --procedures=lottery,reinit,random_prune,random_prune2,one_shot \
  --control_levels=3,7,9,12,15,18 --one_shot_levels=1,2,3,5,7,9,12 \
  --output_dir="$ROOT/lenet"
for norm in standard l2; do
  "$PY" -m lottery sweep --network=lenet300_100 --preset=paper --trials=3 --rounds=7 \
    --procedures=lottery --normalization="$norm" --output_dir="$ROOT/lenet_norm_$norm"
done
