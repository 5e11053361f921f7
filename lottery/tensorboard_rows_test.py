"""The TensorBoard row writer: one trace per level's writer, no retracing warnings."""

import logging
import os

import foundations  # pylint: disable=unused-import  (first: sets up tf_keras before TensorFlow)

import tensorflow as tf  # pylint: disable=g-import-not-at-top

from lottery import tensorboard_rows


class RowWriterTest(tf.test.TestCase):

  def test_a_writer_per_level_for_many_levels_warns_of_no_retracing(self):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    tf.get_logger().addHandler(handler)
    self.addCleanup(tf.get_logger().removeHandler, handler)
    nan = float('nan')
    for level in range(7):  # TensorFlow warns from the fifth trace of the same code on
      writer = tf.summary.create_file_writer(os.path.join(self.get_temp_dir(), str(level)))
      write = tensorboard_rows.writer(writer)
      for iteration, train, test in ((0, nan, 0.5), (100, 0.3, nan), (200, 0.2, 0.6)):
        write(dict(iteration=iteration, train_loss=train, train_accuracy=train, val_loss=0.4,
                   val_accuracy=0.9, test_loss=test, test_accuracy=test))
      writer.close()
    self.assertEqual([r.getMessage() for r in records if 'retracing' in r.getMessage()], [])


if __name__ == '__main__':
  tf.test.main()
