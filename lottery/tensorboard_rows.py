"""A level's metrics rows written to TensorBoard as scalars, one graph call per row."""

# TensorBoard tag and metrics-row key of each scalar written per evaluation.
SCALARS = tuple((f'{split}/{what}', f'{split}_{what}') for split in ('train', 'val', 'test')
                for what in ('loss', 'accuracy'))


def _scalar(tf, tag: str, value):
  """tf.summary.scalar under exactly `tag` (inside tf.cond the tag would gain 'cond_N/')."""
  scope, name = tag.rsplit('/', 1)
  with tf.name_scope(scope + '/'):  # a trailing '/' names the scope absolutely
    return tf.summary.scalar(name, value)


def _not_row_writer_retracing(record) -> bool:
  """Drops TensorFlow's "frequent retracing" warning about write_present: the function is made
  (and traced once) per level on purpose, as each level has its own summary writer."""
  return 'write_present' not in record.getMessage()


def writer(summary_writer):
  """write(row): the row's scalars (NaNs skipped) in one graph call, not six eager summary
  writes (0.3 s less per 50-evaluation level). Which are present is a boolean tensor, so one
  trace serves every row (a Python pattern per row retraced up to five times a level).

  A row is a metrics row: 'iteration' and the SCALARS keys (floats, NaN when not evaluated).
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  logger = tf.get_logger()
  if _not_row_writer_retracing not in logger.filters:
    logger.addFilter(_not_row_writer_retracing)

  @tf.function(autograph=False)
  def write_present(iteration, values, present):
    with summary_writer.as_default(step=iteration):
      for i, (tag, _) in enumerate(SCALARS):
        tf.cond(present[i], lambda i=i, tag=tag: _scalar(tf, tag, values[i]),
                lambda: tf.constant(False))

  def write(row):
    values = tf.constant([float('nan') if row[key] is None else row[key] for _, key in SCALARS],
                         tf.float32)
    write_present(tf.constant(int(row['iteration']), tf.int64), values,
                  tf.logical_not(tf.math.is_nan(values)))

  return write
