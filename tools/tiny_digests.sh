#!/usr/bin/env bash
# The tiny LeNet + Conv-2 configuration whose npz digests must not change when code is only
# reorganised: lottery levels 0-2, then reinit, random_prune, one_shot and gmp at level 2, for
# each network, through the reference-layout runner aliases. Prints `tools.npz_digest` of all.
#
#   tools/tiny_digests.sh OUT_DIR      (run from any checkout; OUT_DIR must not exist)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="$1"
PY="${PYTHON:-.venv/bin/python}"
LENET=(--training_iterations=300 --eval_every=100 --rounds=2)
CONV=(--network=conv2 --training_iterations=4 --eval_every=2 --validation_size=250 --test_size=250
      --rounds=2 --gmp_frequency=1)
run() { "$PY" -m "$@" --progress=false >/dev/null; }
run mnist_fc.runners.train "${LENET[@]}" --output_dir="$OUT/lenet"
run cifar_conv.runners.train "${CONV[@]}" --output_dir="$OUT/conv2"
for net in mnist_fc:lenet cifar_conv:conv2; do
  for control in reinitialize random_prune one_shot gmp; do
    run "${net%%:*}.runners.$control" --output_dir="$OUT/${net##*:}" --levels=2
  done
done
"$PY" -m tools.npz_digest "$OUT"
