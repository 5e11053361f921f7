"""A tiny learnable problem and network for fast tests of the procedures, and a shared run.

`shared_run()` trains the tiny lottery experiment (levels 0..3, trial 1) once
per test process; tests only read it (copy it before changing anything).
"""

import atexit
import functools
import shutil
import tempfile

import numpy as np

from datasets import pipeline
from foundations import hparams
from lottery import levels
from lottery import networks
from lottery import procedures

SIZES = (12, 8, 4)
SHAPES = {'layer0': (36, 12), 'layer1': (12, 8), 'layer2': (8, 4)}
PERCENTS = {'layer0': 20.0, 'layer1': 20.0, 'layer2': 10.0}
DESC = hparams.Desc(
    model=hparams.ModelHparams(network='tiny'),
    training=hparams.TrainingHparams(training_iterations=60, eval_every=20, batch_size=20,
                                     learning_rate=0.01),
    pruning=hparams.PruningHparams(rounds=3))


def _build(seed, dropout):
  from foundations import model_fc  # pylint: disable=g-import-not-at-top
  return model_fc.make_fc(36, SIZES, seed, dropout)


def tiny_network() -> networks.Network:
  """A 36-12-8-4 masked MLP named layer0..layer2 (not registered)."""
  return networks.Network(
      name='tiny', build=_build, shapes=SHAPES,
      layer_kinds={'layer0': 'fc', 'layer1': 'fc', 'layer2': 'output'}, dataset='generated',
      input_shape=(6, 6, 1), flatten=True, eval_batch_size=1000, jit_compile=False,
      presets=lambda d: {'paper': DESC}, smallest_pm=50.0,
      claims='lottery.report.sections:lenet_claims_and_figures', paper={},
      pm_figure='figure4.png')


@functools.lru_cache(maxsize=None)
def tiny_splits() -> pipeline.DataSplits:
  """Generated 6x6 images; the label is the brightest of the four 3x3 quadrants (400/100/200)."""
  rng = np.random.RandomState(0)
  x = rng.randint(0, 256, size=(700, 6, 6)).astype(np.uint8)
  y = np.stack([x[:, :3, :3].sum((1, 2)), x[:, :3, 3:].sum((1, 2)), x[:, 3:, :3].sum((1, 2)),
                x[:, 3:, 3:].sum((1, 2))], 1).argmax(1).astype(np.uint8)
  return pipeline.make_splits(x[:500], y[:500], x[500:], y[500:], validation_size=100, seed=0,
                              normalization='unit', flatten=True)


def run(procedure: str, output_dir: str, desc: hparams.Desc = DESC, level_list=None,
        source_name=None):
  """Runs a registered procedure on the tiny problem; returns its summaries."""
  return levels.run(procedures.get(procedure), desc, tiny_splits(), tiny_network(), output_dir,
                    level_list, source_name, show_progress=False)


def load(output_dir: str, level: int, experiment: str, what: str, trial: int = 1):
  """The arrays of one of a run's npz files: what = 'initial', 'masks', 'final', ..."""
  from foundations import paths, save_restore  # pylint: disable=g-import-not-at-top
  return save_restore.load_npz(getattr(paths, what)(paths.run(output_dir, trial, level,
                                                               experiment)))


def _tempdir() -> str:
  path = tempfile.mkdtemp(prefix='lth-shared-')
  atexit.register(shutil.rmtree, path, True)
  return path


@functools.lru_cache(maxsize=None)
def shared_run() -> str:
  """The output dir of the tiny lottery run (levels 0..3), made once per process. Read only."""
  out = _tempdir()
  run('lottery', out)
  return out


def copy_of_shared_run() -> str:
  """A private, writable copy of `shared_run()`."""
  out = _tempdir()
  shutil.copytree(shared_run(), out, dirs_exist_ok=True)
  return out
