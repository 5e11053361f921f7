"""Sparse transfer: a lottery run's level-k ticket, found on dataset A, trained on dataset B.

Mehta (2019), "Sparse Transfer Learning via Winning Lottery Tickets". The run
trains the source's network with the source's recorded hyperparameters, on
--dataset (B) instead of A, at level k with the source's level-k mask, from
one of four starts (--transfer_init):

  source_init     the source's level-k initial weights (theta_0), biases zero;
  source_trained  the source's trained level-k weights and biases (fine-tuning);
  reinit          a fresh Glorot draw, seeded as the reinit control (not theta_0), biases zero;
  random_mask     a random mask with the source mask's per-layer counts, drawn as the
                  random_prune control, on the source's level-k initial weights.

Each start is its own experiment, <output_dir>/trial<T>/<level>/transfer_<start>/, whose
hparams.json records the source's directory, experiment and dataset; the source
(--source_dir) is only read.
"""

import os
from typing import Callable, Dict

from absl import flags

from foundations import hparams
from lottery import networks
from lottery import procedures
from lottery.procedures import random_prune

PREFIX = 'transfer_'


def _source_init(ctx: procedures.Context, level: int) -> procedures.Start:
  initial, masks, _ = ctx.load('source', level)
  return procedures.Start(initial, masks)


def _source_trained(ctx: procedures.Context, level: int) -> procedures.Start:
  _, masks, final = ctx.load('source', level)
  return procedures.Start(final, masks, ctx.load_final_biases('source', level))


def _reinit(ctx: procedures.Context, level: int) -> procedures.Start:
  _, masks, _ = ctx.load('source', level)
  return procedures.Start(ctx.fresh_kernels(ctx.seed('reinit', level)), masks)


def _random_mask(ctx: procedures.Context, level: int) -> procedures.Start:
  initial, masks, _ = ctx.load('source', level)
  return procedures.Start(initial, random_prune.random_masks_like(masks,
                                                                  ctx.seed('random', level)))


STARTS: Dict[str, Callable[[procedures.Context, int], procedures.Start]] = {
    'source_init': _source_init, 'source_trained': _source_trained, 'reinit': _reinit,
    'random_mask': _random_mask}


def experiment_name(init: str) -> str:
  """The experiment directory of a start, e.g. 'transfer_source_init'."""
  return PREFIX + init


def start(ctx: procedures.Context, level: int) -> procedures.Start:
  return STARTS[ctx.desc.source.transfer_init](ctx, level)


def target_desc(source: hparams.Desc, dataset: str, init: str, source_dir: str,
                source_experiment: str = 'lottery') -> hparams.Desc:
  """The transfer run's description: the source's, on `dataset`, naming its source and start.

  Raises HparamsError (one line) for a dataset the network cannot take, an unknown start, or a
  source that is itself a transfer run.
  """
  if source.source.transfer_init:
    raise hparams.HparamsError(f'{source_dir}: the {source_experiment!r} run is a transfer run; '
                               'give a lottery run as the source')
  if init not in STARTS:
    raise hparams.HparamsError(f'--transfer_init={init}: expected one of {", ".join(STARTS)}')
  networks.check_dataset(networks.get(source.model.network), dataset)
  return source.replace(
      dataset=dataset, transfer_init=init, transfer_source=os.path.abspath(source_dir),
      transfer_source_experiment=source_experiment,
      transfer_source_dataset=source.dataset.dataset,
      experiment_name=experiment_name(init)).validate()


def extra_flags(fv: flags.FlagValues) -> None:
  flags.DEFINE_string('dataset', None, 'Dataset B the ticket is trained on (required): any '
                      'registered dataset with the network\'s input shape and classes.',
                      flag_values=fv)
  flags.DEFINE_string('transfer_init', None, 'How it starts (required): '
                      f'{"|".join(STARTS)}.', flag_values=fv)


def adapt_desc(source: hparams.Desc, fv: flags.FlagValues, source_dir: str) -> hparams.Desc:
  for name in ('dataset', 'transfer_init'):
    if fv[name].value is None:
      raise hparams.HparamsError(f'--{name} is required (see --help)')
  return target_desc(source, fv['dataset'].value, fv['transfer_init'].value, source_dir,
                     fv['source_experiment'].value)


procedures.register(procedures.Procedure(
    name='transfer', start=start, requires=lambda level: [('source', level)],
    default_levels=procedures.finished_levels,
    doc='a lottery run\'s ticket trained on another dataset (--dataset), from --transfer_init',
    named_by_desc=True, extra_flags=extra_flags, adapt_desc=adapt_desc))
