"""A level interrupted after a checkpoint resumes from it; its files equal an uninterrupted run's."""

import contextlib
import io
import json
import os
from unittest import mock

from absl.testing import absltest

from foundations import checkpoints
from foundations import experiment
from foundations import paths
from lottery.testing import tiny_run

FILES = ('initial.npz', 'masks.npz', 'final.npz', 'final_biases.npz', 'metrics.csv')


def level_files(out, level):
  """The level's files as bytes, and its summary without wall_seconds."""
  d = paths.run(out, 1, level, 'lottery')
  files = {}
  for name in FILES:
    with open(os.path.join(d, name), 'rb') as f:
      files[name] = f.read()
  with open(paths.summary(d)) as f:
    summary = json.load(f)
  del summary['wall_seconds']
  return files, summary


class LevelCheckpointTest(absltest.TestCase):

  def test_interrupted_level_resumes_to_identical_files_and_leaves_no_checkpoint(self):
    whole = self.create_tempdir().full_path
    with mock.patch.dict(os.environ, {checkpoints.ENV: 'off'}):
      tiny_run.run('lottery', whole, level_list=[0, 1])
    out = self.create_tempdir().full_path
    store = experiment.LevelStore(out, 1, 'lottery')
    checkpoint = paths.checkpoint(store.run_dir(1))
    real_save, saves = checkpoints.save, []

    def save_then_kill(*args, **kwargs):
      real_save(*args, **kwargs)
      saves.append(args[2].iteration)
      if len(saves) == 3:  # level 0 saved at 20 and 40; level 1 at 20, then the process dies
        raise KeyboardInterrupt()

    with mock.patch.dict(os.environ, {checkpoints.ENV: '0'}):
      with mock.patch.object(checkpoints, 'save', save_then_kill):
        with self.assertRaises(KeyboardInterrupt):
          tiny_run.run('lottery', out, level_list=[0, 1])
      self.assertEqual(saves, [20, 40, 20])
      self.assertTrue(os.path.exists(checkpoint))
      self.assertFalse(os.path.exists(paths.checkpoint(store.run_dir(0))))  # level 0 finished
      self.assertEqual(store.finished_levels(), [0])  # a checkpoint is no finished level
      stdout = io.StringIO()
      with contextlib.redirect_stdout(stdout):
        tiny_run.run('lottery', out, level_list=[0, 1])
    self.assertEqual(stdout.getvalue(), 'level 1: resuming at iteration 20 from checkpoint\n')
    self.assertFalse(os.path.exists(checkpoint))
    self.assertEqual(store.finished_levels(), [0, 1])
    for level in (0, 1):
      self.assertEqual(level_files(out, level), level_files(whole, level))
    self.assertEqual(sorted(os.listdir(store.run_dir(1))),
                     sorted(FILES + ('summary.json', 'tensorboard')))


if __name__ == '__main__':
  absltest.main()
