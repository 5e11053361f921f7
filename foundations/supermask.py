"""Accuracy of UNTRAINED fully-connected ReLU networks under masks (supermasks), in numpy.

Zhou et al. 2019 (arXiv 1905.01067), Section 5: a mask computed by a criterion
from (theta0, trained weights) is applied to the untrained network (theta0, or
signed constants sign(theta0) * sigma), and the test accuracy of that masked
network is measured without any training. The authors do it one-shot from the
unpruned run: level k keeps 0.8^k of each hidden layer and 0.9^k of the output
layer (prune_base 0.8,0.9; prune_power 0..24).

`one_shot_masks` makes those masks with exact counts: level k keeps
pruning.expected_remaining(size, percent, k) weights of each layer (what k
rounds of exact iterative pruning leave), the best by the criterion's score,
so the masks of one criterion and trial are nested across levels.

`accuracies` evaluates many kernel sets of a ReLU MLP (biases zero, last layer
linear) on one test set in float32, one BLAS matrix product per layer and set
(stacking several sets into one wider product gained under 10% in a noisy
measurement on a shared 2-core machine, so it is not done).
`benchmark` times the whole grid (criteria x levels x trials x weight kinds);
run it on one core as

  OPENBLAS_NUM_THREADS=1 python -m foundations.supermask

(synthetic 10,000 x 784 inputs in [0, 1) with 116 inputs 0 everywhere, as the
MNIST test set has: dense products take the same time on any values).
"""

import time
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np

from foundations import kept_init
from foundations import mask_criteria
from foundations import pruning

# The weight kinds a supermask is applied to: the layer's theta0 or its signed constants.
WEIGHT_KINDS = {'init': 'rewind', 'signed_constant': 'signed_constant'}
FC_SIZES = (784, 300, 100, 10)
FC_PERCENTS = {'layer0': 20.0, 'layer1': 20.0, 'layer2': 10.0}


def one_shot_masks(criterion: str, theta0: Mapping[str, np.ndarray],
                   w_final: Mapping[str, np.ndarray], levels: Sequence[int],
                   percents: Mapping[str, float],
                   rng: Optional[np.random.Generator] = None) -> List[Dict[str, np.ndarray]]:
  """One-shot masks of one trial at each level, from the unpruned run.

  Args:
    criterion: a name in mask_criteria.CRITERIA.
    theta0, w_final: layer name -> initial / trained kernel of the unpruned network.
    levels: the levels k (0 = no pruning).
    percents: layer name -> percent pruned per level (FC: 20, 20, 10).
    rng: numpy Generator for 'random' (one draw per layer, shared by all levels).

  Returns:
    One dict layer name -> float32 0/1 mask per entry of `levels`.
  """
  orders = {n: mask_criteria.survivor_order(criterion, np.ones(w.shape, np.int8), w,
                                            w_final[n], rng)
            for n, w in theta0.items()}
  out = []
  for level in levels:
    masks = {}
    for name, order in orders.items():
      keep = pruning.expected_remaining(order.size, percents[name], level)
      flat = np.zeros(order.size, np.float32)
      flat[order[order.size - keep:]] = 1
      masks[name] = flat.reshape(theta0[name].shape)
    out.append(masks)
  return out


def masked_kernels(kind: str, theta0: Mapping[str, np.ndarray],
                   masks: Mapping[str, np.ndarray]) -> List[np.ndarray]:
  """The float32 kernels (in layer order) of the untrained network of `kind` under `masks`."""
  if kind not in WEIGHT_KINDS:
    raise ValueError(f'unknown weight kind {kind!r}; expected one of {", ".join(WEIGHT_KINDS)}')
  action = WEIGHT_KINDS[kind]
  return [kept_init.initial_weights(action, theta0[n], masks[n]).astype(np.float32, copy=False)
          for n in theta0]


def accuracies(images: np.ndarray, labels: np.ndarray,
               kernel_sets: Iterable[Sequence[np.ndarray]]) -> np.ndarray:
  """Test accuracy of a bias-free ReLU MLP for each kernel set, in float32.

  Args:
    images: [N, inputs] inputs (cast to float32 once).
    labels: [N] integer labels.
    kernel_sets: iterable (consumed lazily) of kernel lists [K_0, ..., K_last];
      hidden layers use ReLU, the last layer gives the logits.

  Returns:
    float64 [len(kernel_sets)] fraction of correct argmax predictions (ties: first class).
  """
  x = np.asarray(images, np.float32)
  # Inputs that are 0 in every image (116 MNIST test pixels) add nothing: the
  # first product skips them and the matching kernel rows.
  active = np.flatnonzero(x.any(axis=0))
  x = np.ascontiguousarray(x[:, active])
  labels = np.asarray(labels)
  out = []
  for kernels in kernel_sets:
    h = x @ kernels[0][active]
    for kernel in kernels[1:]:
      np.maximum(h, 0, out=h)
      h = h @ kernel
    logits = h
    out.append(float(np.mean(np.argmax(logits, axis=1) == labels)))
  return np.array(out)


def glorot_fc(rng: np.random.Generator, sizes: Sequence[int] = FC_SIZES) -> Dict[str, np.ndarray]:
  """Glorot-normal float32 kernels 'layer0', ... of an MLP with layer sizes `sizes`."""
  return {f'layer{i}': rng.normal(0, np.sqrt(2 / (a + b)), (a, b)).astype(np.float32)
          for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))}


def grid(images: np.ndarray, labels: np.ndarray, criteria: Sequence[str], levels: Sequence[int],
         trials: Sequence[Mapping[str, Mapping[str, np.ndarray]]],
         kinds: Sequence[str] = tuple(WEIGHT_KINDS),
         percents: Optional[Mapping[str, float]] = None,
         seed: int = 0) -> np.ndarray:
  """Supermask accuracies for every (trial, criterion, level, kind).

  Args:
    trials: per trial a dict with 'theta0' and 'w_final' (layer name -> kernel).
    seed: seeds the 'random' criterion (one Generator per trial).

  Returns:
    float64 array [trials, criteria, levels, kinds].
  """
  percents = FC_PERCENTS if percents is None else percents

  def sets():
    for t, trial in enumerate(trials):
      rng = np.random.default_rng([seed, t])
      for criterion in criteria:
        for masks in one_shot_masks(criterion, trial['theta0'], trial['w_final'], levels,
                                    percents, rng):
          for kind in kinds:
            yield masked_kernels(kind, trial['theta0'], masks)

  acc = accuracies(images, labels, sets())
  return acc.reshape(len(trials), len(criteria), len(levels), len(kinds))


def benchmark(images: np.ndarray, labels: np.ndarray, criteria: Optional[Sequence[str]] = None,
              levels: Sequence[int] = tuple(range(24)), trials: int = 5,
              kinds: Sequence[str] = tuple(WEIGHT_KINDS), seed: int = 0) -> float:
  """Times `grid` on random Glorot theta0 / perturbed 'trained' weights.

  Prints wall and CPU seconds; returns the CPU seconds (this process, all threads).
  """
  criteria = mask_criteria.CRITERIA.names() if criteria is None else criteria
  rng = np.random.default_rng(seed)
  runs = []
  for _ in range(trials):
    theta0 = glorot_fc(rng)
    runs.append({'theta0': theta0,
                 'w_final': {n: w + rng.normal(0, 0.05, w.shape).astype(np.float32)
                             for n, w in theta0.items()}})
  start, start_cpu = time.perf_counter(), time.process_time()
  acc = grid(images, labels, criteria, levels, runs, kinds, seed=seed)
  seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
  # On a shared machine wall time includes waiting; with one BLAS thread the CPU
  # time is what one dedicated core needs.
  print(f'{acc.size} supermask evaluations ({len(criteria)} criteria x {len(levels)} levels x '
        f'{trials} trials x {len(kinds)} weight kinds) on {len(labels)} inputs: '
        f'{seconds:.1f} s wall, {cpu:.1f} s CPU ({1000 * cpu / acc.size:.1f} ms CPU each)')
  return cpu


def synthetic_inputs(rng: np.random.Generator, count: int = 10000, inputs: int = 784,
                     always_zero: int = 116, classes: int = 10):
  """(images [count, inputs] float32 with `always_zero` inputs 0 in every image, labels [count])."""
  images = rng.random((count, inputs), dtype=np.float32)
  images[:, rng.permutation(inputs)[:always_zero]] = 0
  return images, rng.integers(0, classes, count)


if __name__ == '__main__':
  benchmark(*synthetic_inputs(np.random.default_rng(0)))
