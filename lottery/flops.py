"""FLOP counts of a fully-connected network's training step and evaluation, for the floor.

The floor of a computation is its FLOPs at the machine's own single-thread
matmul rate (measured by lottery.benchmark in the same run): no
implementation of the same arithmetic can be faster on one core.

Per dense layer with an [n_in, n_out] kernel and a batch of B examples:
  forward           2 B n_in n_out   (x @ W)
  kernel gradient   2 B n_in n_out   (x^T @ dy)
  input gradient    2 B n_in n_out   (dy @ W^T), not needed for the first layer
Elementwise work (bias, ReLU, the mask multiply, Adam) is counted separately:
it is memory-bound, and small beside the matmuls.
"""

from typing import Dict, Mapping, Tuple

ADAM_FLOPS_PER_WEIGHT = 12  # m, v, bias corrections, sqrt, divide, update
MASK_FLOPS_PER_WEIGHT = 1   # kernel * mask in the forward pass


def dense_step_flops(shapes: Mapping[str, Tuple[int, ...]], batch: int) -> Dict[str, float]:
  """{'matmul', 'elementwise'} FLOPs of one training step of an MLP with these kernel shapes."""
  kernels = [tuple(s) for s in shapes.values()]
  if any(len(s) != 2 for s in kernels):
    raise ValueError('dense_step_flops counts fully-connected kernels [n_in, n_out] only')
  weights = sum(a * b for a, b in kernels)
  matmul = 2 * batch * weights * 2 + sum(2 * batch * a * b for a, b in kernels[1:])
  return {'matmul': float(matmul),
          'elementwise': float(weights * (ADAM_FLOPS_PER_WEIGHT + MASK_FLOPS_PER_WEIGHT))}


def dense_forward_flops(shapes: Mapping[str, Tuple[int, ...]], examples: int) -> float:
  """Matmul FLOPs of evaluating `examples` inputs."""
  return float(2 * examples * sum(a * b for a, b in (tuple(s) for s in shapes.values())))
