"""How a level's model is made from its Start, and how it is read once trained.

A procedure's `training` (lottery.procedures.Procedure) is a function
(Models, Start) -> LevelModel. `fixed_masks`, the default, trains the start's
masks unchanged; a procedure whose masks change while it trains supplies its
own (lottery.procedures.gmp). Importing this module is cheap: TensorFlow is
imported only when a model is built.
"""

import dataclasses
import gc
from typing import Callable, Dict, Optional

import numpy as np

from foundations import experiment
from foundations import hparams
from lottery import seeds

Arrays = Dict[str, np.ndarray]

# (network, training hparams, ...) -> trainer.CompiledTraining reused across levels (see Models).
_COMPILED = {}


@dataclasses.dataclass
class LevelModel:
  """A level's compiled model and how its results are read after training.

  compiled: the trainer.CompiledTraining that trains the level.
  masks, kernels: model -> layer name -> the 0/1 mask / the trained (masked) kernel.
  first_stop: the first iteration the level's early stop may be chosen at.
  summary_extra: entries added to the level's summary.json.
  changes_masks: training decided the masks: they are saved as the level's masks.npz (else the
    start's masks are).
  own: the model was made for this level alone and is dropped after it.
  frozen: model -> layer name -> the pruned entries' constant values (Start.frozen), saved as
    frozen.npz; None: pruned entries are 0.
  biases: model -> layer name -> the trained bias; None: the masked layers' biases.
  finish: (model, data) -> entries added to the summary, measured after training; None: none.
  """
  compiled: object
  masks: Callable[[object], Arrays]
  kernels: Callable[[object], Arrays]
  first_stop: int = 1
  summary_extra: dict = dataclasses.field(default_factory=dict)
  changes_masks: bool = False
  own: bool = True
  frozen: Optional[Callable[[object], Arrays]] = None
  biases: Optional[Callable[[object], Arrays]] = None
  finish: Optional[Callable[[object, object], dict]] = None


class Models:
  """Builds and compiles the run's network with its model seed and training settings."""

  def __init__(self, desc: hparams.Desc, network):
    self.desc, self.network = desc, network
    self.model_seed = seeds.derive(desc.seed, desc.trial, 'model')
    # The model and its compiled functions are reused by every level in this process that has
    # the same network and training settings: each level sets all weights, masks and biases and
    # resets the optimizer, so results are those of a fresh model. Not with dropout, whose
    # random state would carry over from one level to the next.
    self.reusable = not desc.model.dropout

  def build(self):
    """A freshly built tf_keras model (the network's seeded theta_0, unmasked)."""
    return self.network.build(self.model_seed, self.desc.model.dropout)

  def compile(self, model):
    from foundations import trainer  # pylint: disable=g-import-not-at-top  (TensorFlow)
    return trainer.CompiledTraining(model, self.desc.training, self.network.eval_batch_size,
                                    self.network.jit_compile)

  def shared(self):
    """The compiled model of this network and settings, made once per process if reusable."""
    key = (self.network.name, self.desc.training, self.network.eval_batch_size,
           self.network.jit_compile)
    if self.reusable and key in _COMPILED:
      return _COMPILED[key]
    compiled = self.compile(self.build())
    if self.reusable:
      _COMPILED.clear()  # one network at a time: keep memory flat
      _COMPILED[key] = compiled
    return compiled

  def release(self) -> None:
    """After a level's own model is dropped: frees it and its graphs."""
    if not self.reusable:  # (a cached model may live beside an own one: keep the session)
      import tf_keras as keras  # pylint: disable=g-import-not-at-top
      keras.backend.clear_session()
    gc.collect()


def fixed_masks(models: Models, start: experiment.Start) -> LevelModel:
  """The start's weights, masks and biases on the shared model; training keeps the masks.

  With frozen pruned values (start.frozen) the level gets a model of its own (frozen_pruned).
  """
  from foundations import masked_layers  # pylint: disable=g-import-not-at-top  (TensorFlow)
  if start.frozen is not None:
    return frozen_pruned(models, start)
  compiled = models.shared()
  masked_layers.set_weights_and_masks(compiled.model, start.initial, start.masks, start.biases)
  return LevelModel(compiled, masked_layers.get_masks, masked_layers.get_kernels,
                    own=not models.reusable)


def frozen_pruned(models: Models, start: experiment.Start) -> LevelModel:
  """A model of this level's own whose pruned entries hold start.frozen and never train.

  Its layers compute with kernel * mask + frozen (foundations.masked_layers.set_frozen), in
  training and evaluation. final.npz gets the trained kept weights (0 where pruned), frozen.npz
  the pruned values as they are after training (equal to start.frozen bit for bit).
  """
  from foundations import masked_layers  # pylint: disable=g-import-not-at-top  (TensorFlow)
  model = models.build()
  masked_layers.set_weights_and_masks(model, start.initial, start.masks, start.biases)
  masked_layers.set_frozen(model, start.frozen)
  return LevelModel(models.compile(model), masked_layers.get_masks,
                    masked_layers.get_kept_kernels, frozen=masked_layers.get_pruned_values)
