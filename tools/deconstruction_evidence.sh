#!/usr/bin/env bash
# Zhou et al. 2019 ("Deconstructing lottery tickets") over the LeNet-300-100 evidence run
# ROOT/lenet_mnist (paper preset, MNIST, lottery levels 0-15 of trials 1-3, made by
# `python -m lottery sweep --procedures=lottery --rounds=15 --trials=3` with the flags below),
# as three resumable sweeps:
#   1. six mask criteria, iterative, levels 1-12, trials 1-3 (216 level-runs; level 0 is the
#      lottery run's);
#   2. the kept-weight controls (reinit and kept_{reshuffle, signed_reinit, signed_reshuffle,
#      signed_constant, rand_signed_constant}) and the frozen pruned weights
#      (pruned_{freeze_init, freeze_init_zero_mask}) at levels 3, 7, 12, 15, trials 1-3 (96);
#   3. gradual magnitude pruning at levels 3, 7, 12, 15, trials 1-5 (20). gmp reads no level of
#      the lottery run (it draws the same theta_0 from the trial's seed), but its report
#      compares it with the tickets at equal Pm: the lottery run's trials 4-5 (levels 0-15,
#      32 level-runs) are added so that both have the same 5 trials.
# Then `python -m lottery report_deconstruction` writes a preview of DECONSTRUCTION.md and
# results/deconstruction from what has finished into ROOT/reports (never into this checkout: a
# changed tracked file would make the sweeps record this code version as '-dirty'); the committed
# copies are made in a checkout with --evidence_root=ROOT and the default paths. Rerun the same command after any interruption: finished level-runs are kept. One worker
# (one core) by default: WORKERS=N runs N level-runs at once. SWEEP_FLAGS are added to every
# sweep (e.g. SWEEP_FLAGS=--dry_run prints the task counts and runs nothing).
#
#   tools/deconstruction_evidence.sh [OUTPUT_ROOT]     (default: $HOME/lth_evidence)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="${1:-$HOME/lth_evidence}"
PY="${PYTHON:-.venv/bin/python}"
OUT="$ROOT/lenet_mnist"
# The lottery run's hyperparameters: every sweep records and checks them (hparams.json).
RUN=(--network=lenet300_100 --preset=paper --dataset=mnist --rounds=15
     --workers="${WORKERS:-1}" --output_dir="$OUT")
read -r -a EXTRA <<< "${SWEEP_FLAGS:-}"
mkdir -p "$ROOT"
sweep() { "$PY" -m lottery sweep "${RUN[@]}" "$@" "${EXTRA[@]}"; }
sweep --trials=3 --noanalyze --control_levels=1,2,3,4,5,6,7,8,9,10,11,12 \
  --procedures=criterion_magnitude_increase,criterion_movement,criterion_large_init_large_final,criterion_large_init,criterion_random,criterion_large_final_same_sign
sweep --trials=3 --noanalyze --control_levels=3,7,12,15 \
  --procedures=reinit,kept_reshuffle,kept_signed_reinit,kept_signed_reshuffle,kept_signed_constant,kept_rand_signed_constant,pruned_freeze_init,pruned_freeze_init_zero_mask
sweep --trials=5 --control_levels=3,7,12,15 --procedures=lottery,gmp
"$PY" -m lottery report_deconstruction --evidence_root="$ROOT" \
  --results_dir="$ROOT/reports/results/deconstruction" --report="$ROOT/reports/DECONSTRUCTION.md"
