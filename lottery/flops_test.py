"""FLOP counts of LeNet-300-100: the figures the benchmark's floors are built on."""

from absl.testing import absltest

from lottery import flops
from lottery import networks


class FlopsTest(absltest.TestCase):

  def test_lenet_step_and_evaluation(self):
    shapes = networks.get('lenet300_100').shapes
    step = flops.dense_step_flops(shapes, 60)
    # forward 2*60*266,200 = 31.9M; kernel gradients the same; input gradients of layers 1, 2:
    # 2*60*(300*100 + 100*10) = 3.72M.
    self.assertEqual(step['matmul'], 2 * 60 * 266200 * 2 + 2 * 60 * 31000)
    self.assertAlmostEqual(step['matmul'] / 1e6, 67.608, places=3)
    self.assertEqual(step['elementwise'], 266200 * 13)
    self.assertEqual(flops.dense_forward_flops(shapes, 15000), 2 * 15000 * 266200)  # 8.0 GFLOP

  def test_conv_kernels_are_refused(self):
    with self.assertRaisesRegex(ValueError, 'fully-connected kernels'):
      flops.dense_step_flops(networks.get('conv2').shapes, 60)


if __name__ == '__main__':
  absltest.main()
