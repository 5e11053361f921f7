#!/usr/bin/env bash
# All the evidence of the two follow-up systems, in the order that completes a block soonest,
# each step resumable (rerun the same command after any stop; finished level-runs are kept):
#   1. level 0 of trials 1-5 on MNIST (LeNet-300-100, paper preset) into ROOT/lenet_mnist, then
#      supermasks at initialisation from them (every criterion, levels 1-24, theta_0 and signed
#      constants; minutes, no training) into ROOT/supermask_init;
#   2. the lottery sources: trials 1-3, levels 0-15, on MNIST and on Fashion-MNIST (96
#      level-runs) into ROOT/lenet_mnist and ROOT/lenet_fashion_mnist;
#   3. tickets across datasets (tools/transfer_evidence.sh: 96 level-runs, then results/transfer);
#   4. Deconstructing lottery tickets (tools/deconstruction_evidence.sh: 364 level-runs);
#   5. learned supermasks (theta_0, signed constants, and with dynamic weight rescaling), trials
#      1-3 (9 runs of 440,000 steps, about 31 min each).
# Reports are previews in ROOT/reports; the committed ones are written in a checkout by
# `python -m lottery report_deconstruction|report_transfer --evidence_root=ROOT`.
# One worker (one core) by default, so the other core stays free: WORKERS=N to change it.
# A level of 50,000 iterations takes about 2 min on an idle core of the 2-core development machine.
#
#   tools/followup_evidence.sh [OUTPUT_ROOT]     (default: $HOME/lth_evidence)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="${1:-$HOME/lth_evidence}"
PY="${PYTHON:-.venv/bin/python}"
mkdir -p "$ROOT"
LENET=(--network=lenet300_100 --preset=paper --procedures=lottery --workers="${WORKERS:-1}"
       --noanalyze)
"$PY" -m lottery sweep "${LENET[@]}" --dataset=mnist --trials=5 --rounds=0 \
  --output_dir="$ROOT/lenet_mnist"
# Evaluated once (its run record says when, with which code); delete the folder to redo it.
if [ ! -f "$ROOT/supermask_init/supermask_init_run.json" ]; then
  OPENBLAS_NUM_THREADS=1 "$PY" -m lottery supermask --output_dir="$ROOT/lenet_mnist" \
    --trials=1,2,3,4,5 --levels=1-24 --criteria=all --report_dir="$ROOT/supermask_init"
fi
for dataset in mnist fashion_mnist; do
  "$PY" -m lottery sweep "${LENET[@]}" --dataset="$dataset" --trials=3 --rounds=15 \
    --output_dir="$ROOT/lenet_$dataset"
done
tools/transfer_evidence.sh "$ROOT" || true  # a skipped task (source not finished) is retried on the next call
tools/deconstruction_evidence.sh "$ROOT"
"$PY" -m lottery sweep "${LENET[@]}" --dataset=mnist --trials=3 --rounds=15 --control_levels=0 \
  --procedures=supermask_learned,supermask_learned_signed,supermask_learned_signed_rescaled \
  --output_dir="$ROOT/lenet_mnist"
"$PY" -m lottery report_deconstruction --evidence_root="$ROOT" \
  --results_dir="$ROOT/reports/results/deconstruction" --report="$ROOT/reports/DECONSTRUCTION.md"
