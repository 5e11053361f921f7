"""Gradual magnitude pruning (GMP), the standard pruning-during-training baseline (tfmot).

Level k trains theta_0 (the lottery run's initialization) once, pruning while it
trains (foundations.gmp) until each layer keeps exactly as many weights as k
rounds of the lottery run's layer-wise pruning leave. Same network, data,
optimizer, iterations and evaluation; no reset, no earlier level read. The
question it answers: does iterative pruning with reset find sparse nets that
pruning during one training run does not reach at the same sparsity?
"""

import numpy as np

from foundations import pruning
from lottery import level_models
from lottery import procedures


def survivors(ctx: procedures.Context, level: int):
  """Layer name -> kernel entries the lottery run keeps at `level` (layer-wise, exact rule)."""
  p = ctx.desc.pruning
  if p.pruning_scope != 'layerwise' or p.pruning_rule != 'exact':
    raise procedures.MissingSourceError(
        f'gmp level {level}: gradual pruning follows the layer-wise, exact-rule lottery run; '
        f'got --pruning={p.pruning_scope} --pruning_rule={p.pruning_rule}')
  return {name: pruning.expected_remaining(int(np.prod(shape)), ctx.percents[name], level)
          for name, shape in ctx.shapes.items()}


def start(ctx: procedures.Context, level: int) -> procedures.Start:
  return procedures.Start(ctx.fresh_kernels(ctx.model_seed), ctx.ones(),
                          prune_to=survivors(ctx, level))


def gradual_model(models: level_models.Models,
                  start: procedures.Start) -> level_models.LevelModel:
  """A fresh model wrapped for gradual pruning to start.prune_to (its schedule is traced in)."""
  from foundations import gmp  # pylint: disable=g-import-not-at-top  (tfmot: only for gmp)
  from foundations import masked_layers  # pylint: disable=g-import-not-at-top
  p = models.desc.pruning
  schedule = gmp.Schedule.of(models.desc.training.training_iterations, p.gmp_begin, p.gmp_end,
                             p.gmp_frequency)
  model = models.build()
  masked_layers.set_weights_and_masks(model, start.initial, start.masks, start.biases)
  wrapped = gmp.wrap(model, start.prune_to, schedule)
  gmp.prepare(wrapped)
  # The early stop is chosen once the level's sparsity is reached (at once if nothing is pruned).
  pruned = any(count < start.masks[name].size for name, count in start.prune_to.items())
  extra = {'gmp_schedule': dict(begin=schedule.begin, end=schedule.end,
                                frequency=schedule.frequency)}
  return level_models.LevelModel(models.compile(wrapped), gmp.masks, gmp.final_kernels,
                                 schedule.end if pruned else 1, extra, changes_masks=True)


procedures.register(procedures.Procedure(
    name='gmp', start=start, requires=lambda level: [],
    default_levels=procedures.pruned_levels,
    doc='gradual magnitude pruning during one training run (tfmot), to each level\'s sparsity',
    training=gradual_model, report='lottery.report.sections:gmp_versus_tickets'))
