"""What the pruned weights of a layer become (the paper's "mask-0 actions").

Zhou et al. 2019 (arXiv 1905.01067), Section 3. A pruned weight never trains;
it contributes a frozen value:

  zero                   0 (plain pruning).
  freeze_init            its initial value theta0.
  freeze_init_zero_mask  0 if it moved toward zero in training, i.e.
                         |theta0| > |w_final| (strictly, as in the authors'
                         code); otherwise theta0. So pruned weights that grew
                         (or kept their magnitude) are frozen at theta0.

The effective kernel of a layer is `kernel * mask + frozen` (`effective_kernel`),
as in the authors' frozen layers (trainable kernel on the kept positions, the
constant on the pruned ones). Kept positions of `frozen` are always 0.
"""

import numpy as np

ACTIONS = ('zero', 'freeze_init', 'freeze_init_zero_mask')


def frozen_values(action: str, mask: np.ndarray, theta0: np.ndarray,
                  w_final: np.ndarray) -> np.ndarray:
  """The constant each pruned weight of one layer holds; 0 at kept positions.

  Args:
    action: one of ACTIONS.
    mask: 0/1 array, 1 = kept (trained) weight.
    theta0: the layer's initial kernel.
    w_final: the layer's trained kernel from which the mask was computed.

  Returns:
    Array of theta0's dtype and shape.
  """
  if action not in ACTIONS:
    raise ValueError(f'unknown pruned-weight action {action!r}; '
                     f'expected one of {", ".join(ACTIONS)}')
  if not mask.shape == theta0.shape == w_final.shape:
    raise ValueError(f'shapes differ: mask {mask.shape}, theta0 {theta0.shape}, '
                     f'w_final {w_final.shape}')
  pruned = mask == 0
  if action == 'freeze_init_zero_mask':
    pruned = pruned & ~(np.abs(theta0) > np.abs(w_final))
  if action == 'zero':
    pruned = np.zeros_like(pruned)
  return np.where(pruned, theta0, 0).astype(theta0.dtype)


def effective_kernel(kernel: np.ndarray, mask: np.ndarray, frozen: np.ndarray) -> np.ndarray:
  """The kernel a layer computes with: trained values where kept, frozen values where pruned."""
  return kernel * mask + frozen
