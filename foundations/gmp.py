"""Gradual magnitude pruning (Zhu & Gupta, 2017) with tensorflow-model-optimization.

tfmot's `PruneLowMagnitude` wraps each masked layer of a built model. Because
the masked layers expose `get_prunable_weights` (the kernel), tfmot wraps the
very same layer objects: no weights are copied and the model's seeded theta_0
is what training starts from. Our own masks stay all-ones; tfmot keeps its
mask per layer and, every `frequency` steps between `begin` and `end`, sets it
to the largest-|w| entries, their share falling along tfmot's PolynomialDecay
(power 3) from 1 to the layer's target. Biases are never pruned.

Our training loop has no Keras callbacks, so what tfmot's `UpdatePruningStep`
callback does is done here: `prepare` sets every wrapper's step counter to 0
before training (each training call then increments it, so step i sees i) and
`final_kernels` applies the mask once more after the last update.
"""

import dataclasses
from typing import Dict

import numpy as np
import tensorflow as tf
import tf_keras as keras
import tensorflow_model_optimization as tfmot

from foundations import masked_layers

_sparsity = tfmot.sparsity.keras


@dataclasses.dataclass(frozen=True)
class Schedule:
  """Mask updates at steps begin, begin + frequency, ..., end (1-based steps); end is reached."""
  begin: int
  end: int
  frequency: int

  @classmethod
  def of(cls, iterations: int, begin_fraction: float, end_fraction: float,
         frequency: int) -> 'Schedule':
    """begin = begin_fraction x iterations; end the last multiple of `frequency` after begin
    that is <= end_fraction x iterations (at least one update), so the target is reached."""
    begin = int(begin_fraction * iterations)
    end = begin + frequency * max(1, int((end_fraction * iterations - begin) // frequency))
    if end > iterations:
      raise ValueError(f'gradual pruning would end at step {end}, after the run\'s {iterations} '
                       'iterations; use more --training_iterations or a smaller --gmp_frequency')
    return cls(begin, end, frequency)


def target_sparsity(size: int, survivors: int) -> float:
  """The sparsity for tfmot that leaves exactly `survivors` of `size` entries.

  tfmot keeps round(size x (1 - sparsity)) entries, computed in float32; the
  check guards that rounding (it holds for every layer size below 2^24).
  """
  sparsity = 1.0 - survivors / size
  kept = np.round(np.float32(size) * (np.float32(1) - np.float32(sparsity)))
  if int(max(kept, 1)) != survivors:
    raise ValueError(f'tfmot cannot keep exactly {survivors} of {size} weights')
  return sparsity


def wrap(model: keras.Model, survivors: Dict[str, int], schedule: Schedule) -> keras.Model:
  """A model whose masked layers are wrapped for gradual pruning to `survivors` entries each.

  Args:
    model: a built functional model of masked layers; its layer objects are reused.
    survivors: masked layer name -> kernel entries left at the end (every masked layer).
    schedule: when masks are updated.
  """
  layers = masked_layers.masked_layers(model)
  if set(layers) != set(survivors):
    raise ValueError(f'survivors name {sorted(survivors)}, the model has {sorted(layers)}')

  def clone(layer):
    if layer.name not in layers:
      return layer
    decay = _sparsity.PolynomialDecay(
        initial_sparsity=0.0,
        final_sparsity=target_sparsity(int(np.prod(layer.kernel.shape)), survivors[layer.name]),
        begin_step=schedule.begin, end_step=schedule.end, frequency=schedule.frequency)
    return _sparsity.prune_low_magnitude(layer, pruning_schedule=decay)

  return keras.models.clone_model(model, clone_function=clone)


def _wrappers(model: keras.Model):
  """Masked layer name -> its tfmot wrapper (the wrapper class is not public API: duck-typed)."""
  return {layer.layer.name: layer for layer in model.layers
          if hasattr(layer, 'pruning_vars') and hasattr(layer, 'pruning_step')}


def prepare(model: keras.Model) -> None:
  """Before training: step counters at 0, tfmot masks all ones, thresholds 0."""
  for wrapper in _wrappers(model).values():
    wrapper.pruning_step.assign(0)
    for _, mask, threshold in wrapper.pruning_vars:
      mask.assign(tf.ones_like(mask))
      threshold.assign(tf.zeros_like(threshold))


def masks(model: keras.Model) -> Dict[str, np.ndarray]:
  """Masked layer name -> tfmot's current 0/1 float32 mask of its kernel."""
  return {name: w.pruning_vars[0][1].numpy().astype(np.float32)
          for name, w in _wrappers(model).items()}


def final_kernels(model: keras.Model) -> Dict[str, np.ndarray]:
  """Masked layer name -> kernel x tfmot mask (the last optimizer step moved pruned entries)."""
  out = {}
  for name, wrapper in _wrappers(model).items():
    kernel, mask, _ = wrapper.pruning_vars[0]
    out[name] = (kernel.numpy() * mask.numpy()).astype(np.float32)
  return out
