"""The sweep's embedded Ray node: which head-node services it starts, and that Ray's own
classes are left as they were."""

import argparse
import os

from absl.testing import absltest


def _pid() -> int:
  return os.getpid()


class EmbeddedNodeTest(absltest.TestCase):

  def test_embedded_node_runs_tasks_without_the_idle_services_and_ray_is_left_as_it_was(self):
    import ray  # pylint: disable=g-import-not-at-top
    from ray._private import ray_constants  # pylint: disable=g-import-not-at-top
    from lottery.sweep import driver  # pylint: disable=g-import-not-at-top
    node_class = ray._private.node.Node  # pylint: disable=protected-access
    methods = lambda: {name: getattr(node_class, name) for name in driver._IDLE_SERVICES}  # pylint: disable=protected-access
    before = methods()
    saved_path = os.environ.get('PYTHONPATH')  # _init_ray puts the repo on it for the workers
    self.addCleanup(lambda: os.environ.pop('PYTHONPATH') if saved_path is None
                    else os.environ.__setitem__('PYTHONPATH', saved_path))
    args = argparse.Namespace(ray_address=None, workers=1, gpus_per_task=0)
    started = driver._init_ray(args)  # pylint: disable=protected-access
    try:
      kinds = set(ray._private.worker._global_node.all_processes)  # pylint: disable=protected-access
      self.assertTrue({ray_constants.PROCESS_TYPE_GCS_SERVER,
                       ray_constants.PROCESS_TYPE_RAYLET} <= kinds, kinds)
      self.assertFalse({ray_constants.PROCESS_TYPE_MONITOR, ray_constants.PROCESS_TYPE_LOG_MONITOR,
                        ray_constants.PROCESS_TYPE_DASHBOARD} & kinds, kinds)
      self.assertNotEqual(ray.get(ray.remote(_pid).remote()), os.getpid())  # ran on a worker
    finally:
      driver._shutdown_ray(*started)  # pylint: disable=protected-access
    self.assertFalse(ray.is_initialized())
    self.assertEqual(methods(), before)

  def test_a_ray_without_those_methods_starts_as_shipped(self):
    from lottery.sweep import driver  # pylint: disable=g-import-not-at-top
    with driver._without_idle_services(argparse.Namespace()):  # pylint: disable=protected-access
      pass  # nothing to replace, nothing raised


if __name__ == '__main__':
  absltest.main()
