#!/usr/bin/env bash
# The sparse-transfer evidence (Mehta 2019, "Sparse Transfer Learning via Winning Lottery
# Tickets") on LeNet-300-100, as two resumable sweeps and a report:
#   the tickets of the MNIST and Fashion-MNIST lottery runs (ROOT/lenet_mnist and
#   ROOT/lenet_fashion_mnist, made beforehand with --trials=3 --rounds=15 --preset=paper; only
#   read) trained on the other dataset at levels 3, 7, 12 and 15 from four starts (source_init,
#   source_trained, reinit, random_mask), trials 1-3: 2 directions x 4 starts x 4 levels x 3
#   trials = 96 level-runs, into ROOT/transfer_mnist_to_fashion_mnist and
#   ROOT/transfer_fashion_mnist_to_mnist; then `python -m lottery report_transfer` writes a preview of
#   TRANSFER.md and results/transfer into ROOT/reports (not into this checkout, whose code version
#   the sweeps record).
# Rerun the same command after any interruption: finished level-runs are kept. A level-run whose
# source level has not finished yet is skipped (named on stderr, exit 1) and runs on a later call.
# One worker (one core) by default: WORKERS=N runs N level-runs at once.
#
#   tools/transfer_evidence.sh [OUTPUT_ROOT]     (default: $HOME/lth_evidence)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="${1:-$HOME/lth_evidence}"
PY="${PYTHON:-.venv/bin/python}"
status=0
for pair in mnist:fashion_mnist fashion_mnist:mnist; do
  from="${pair%%:*}" to="${pair##*:}"
  "$PY" -m lottery sweep --procedures=transfer --transfer_source="$ROOT/lenet_$from" \
    --dataset="$to" --trials=3 --transfer_inits=source_init,source_trained,reinit,random_mask \
    --control_levels=3,7,12,15 --workers="${WORKERS:-1}" \
    --output_dir="$ROOT/transfer_${from}_to_$to" || status=1
done
"$PY" -m lottery report_transfer --evidence_root="$ROOT" --results_dir="$ROOT/reports/results/transfer" \
  --report="$ROOT/reports/TRANSFER.md" --datasets=mnist,fashion_mnist --prefix=lenet --trials=1,2,3
exit "$status"
