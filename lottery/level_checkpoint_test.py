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
from lottery import procedures
from lottery.testing import tiny_run

FILES = ('initial.npz', 'masks.npz', 'final.npz', 'final_biases.npz', 'metrics.csv')


def level_files(out, level, name):
  """The level's files as bytes, and its summary without wall_seconds."""
  d = paths.run(out, 1, level, name)
  files = {}
  for f in FILES:
    with open(os.path.join(d, f), 'rb') as handle:
      files[f] = handle.read()
  with open(paths.summary(d)) as handle:
    summary = json.load(handle)
  del summary['wall_seconds']
  return files, summary


class LevelCheckpointTest(absltest.TestCase):

  def check_resume(self, procedure, desc, levels, fresh, kill_after, saves_before_kill,
                   resumed_level, resumed_at):
    """Runs `levels` of `procedure` whole (no checkpoints) and killed after its kill_after-th
    checkpoint save then rerun (a save at every evaluation), each in a fresh() output dir."""
    name = procedures.get(procedure).experiment_name(desc)
    whole = fresh()
    with mock.patch.dict(os.environ, {checkpoints.ENV: 'off'}):
      tiny_run.run(procedure, whole, desc, level_list=levels)
    out = fresh()
    store = experiment.LevelStore(out, 1, name)
    checkpoint = paths.checkpoint(store.run_dir(resumed_level))
    finished_before = store.finished_levels()
    real_save, saves = checkpoints.save, []

    def save_then_kill(*args, **kwargs):
      real_save(*args, **kwargs)
      saves.append(args[2].iteration)
      if len(saves) == kill_after:
        raise KeyboardInterrupt()  # as Ctrl-C or SIGTERM (lottery.interrupt) would

    with mock.patch.dict(os.environ, {checkpoints.ENV: '0'}):
      with mock.patch.object(checkpoints, 'save', save_then_kill):
        with self.assertRaises(KeyboardInterrupt):
          tiny_run.run(procedure, out, desc, level_list=levels)
      self.assertEqual(saves, saves_before_kill)
      self.assertTrue(os.path.exists(checkpoint))
      self.assertEqual(store.finished_levels(),  # a checkpoint is no finished level
                       sorted(set(finished_before) | {l for l in levels if l < resumed_level}))
      stdout = io.StringIO()
      with contextlib.redirect_stdout(stdout):
        tiny_run.run(procedure, out, desc, level_list=levels)
    self.assertEqual(stdout.getvalue(),
                     f'level {resumed_level}: resuming at iteration {resumed_at} from checkpoint\n')
    for level in levels:
      self.assertEqual(level_files(out, level, name), level_files(whole, level, name))
      self.assertFalse(os.path.exists(paths.checkpoint(store.run_dir(level))))
    self.assertEqual(sorted(os.listdir(store.run_dir(resumed_level))),
                     sorted(FILES + ('summary.json', 'tensorboard')))

  def test_lottery_level_resumes_to_identical_files_and_leaves_no_checkpoint(self):
    # Level 0 saves at 20 and 40 (not at 60, the end); level 1 at 20, then the process dies.
    self.check_resume('lottery', tiny_run.DESC, [0, 1], lambda: self.create_tempdir().full_path,
                      kill_after=3, saves_before_kill=[20, 40, 20], resumed_level=1,
                      resumed_at=20)

  def test_gradual_pruning_resumes_with_tfmot_state(self):
    # Mask updates at steps 6, 16, 26 and 36 (begin 0.1, end 0.6 of 60): those after the
    # resume start from the checkpointed tfmot masks, thresholds and step counters.
    self.check_resume('gmp', tiny_run.DESC.replace(gmp_frequency=10), [1],
                      tiny_run.copy_of_shared_run, kill_after=1, saves_before_kill=[20],
                      resumed_level=1, resumed_at=20)


if __name__ == '__main__':
  absltest.main()
