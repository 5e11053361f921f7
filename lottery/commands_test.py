"""The command front: its list, registry-made commands, unknown commands, help defaults, TF env."""

import contextlib
import io
import os
import re
import subprocess
import sys

from absl.testing import absltest

from foundations import cli
from foundations import hparams
from lottery import commands
from lottery import networks
from lottery import procedures
from lottery import train_command

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXED = ['sweep', 'analyze', 'compare', 'export', 'interop', 'parity', 'supermask', 'bench',
         'bench_sweep', 'report_section2', 'report_transfer', 'report_deconstruction',
         'data']


def front(*args):
  """(exit code, stdout, stderr) of `python -m lottery ARGS` run in this process."""
  out, err = io.StringIO(), io.StringIO()
  with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = commands.main(['lottery', *args])
  return code, out.getvalue(), err.getvalue()


def python(code, *args, env=None):
  return subprocess.run([sys.executable, *code, *args], cwd=ROOT, capture_output=True, text=True,
                        timeout=300, check=False, env=env)


def bracket(help_text: str, flag: str) -> dict:
  """label -> value of the first [label: value, ...] list in --flag's help."""
  text = ' '.join(help_text.split())
  listed = re.search(rf'--{flag}: [^\[]*\[([^\]]*)\]', text).group(1)
  return dict(item.rsplit(': ', 1) for item in listed.split(', '))


class CommandListTest(absltest.TestCase):

  def test_lists_every_command_once_in_order_and_exits_0(self):
    code, out, err = front('--help')
    self.assertEqual((code, err), (0, ''))
    listed = re.findall(r'(?m)^  ([a-z_0-9*]+)  ', out.split('commands:\n', 1)[1])
    controls = [n for n in procedures.names() if n != 'lottery' and not procedures.get(n).family]
    # Registry order; a generated family is one line where its first member is registered.
    expected = []
    for name in procedures.names()[1:]:
      family = procedures.get(name).family
      line = f'{family}_*' if family else name
      if line not in expected:
        expected.append(line)
    self.assertEqual(listed, ['train', 'run', *expected, *FIXED])
    self.assertContainsSubset(['criterion_*', 'kept_*', 'pruned_*', 'transfer',
                               'supermask_learned'], expected)
    self.assertContainsSubset(['reinit', 'random_prune', 'one_shot', 'continued_training', 'gmp'],
                              controls)
    self.assertEqual(front(), (0, out, ''))  # no command: the same list
    self.assertIn('--network=lenet300_100|conv2|conv4|conv6', ' '.join(out.split()))

  def test_a_generated_family_is_one_line_naming_its_members_each_a_command(self):
    out = ' '.join(front()[1].split())
    self.assertIn('kept_* the ticket\'s mask, kept weights started otherwise than theta_0 (Zhou '
                  'et al. 2019): reshuffle, signed_reinit, signed_reshuffle, signed_constant, '
                  'rand_signed_constant', out)
    members = [n for n in procedures.names() if procedures.get(n).family]
    self.assertLen(members, 12 + 5 + 2)
    for name in members:
      self.assertIn(name, commands.table())
      self.assertNotIn(f' {name} ', out)
    code, helped, err = front('criterion_movement', '--help')
    self.assertEqual((code, err), (0, ''))
    self.assertIn('python -m lottery criterion_movement', helped)

  def test_train_offers_every_registered_network_lenet_first(self):
    self.assertEqual(commands.train_networks(), ['lenet300_100', 'conv2', 'conv4', 'conv6'])
    self.assertCountEqual(commands.train_networks(), networks.names())

  def test_unknown_command_is_one_error_line_and_exit_2(self):
    for args in (['bogus'], ['--network=conv2']):
      result = python(['-m', 'lottery', *args])
      self.assertEqual(result.returncode, 2, result.stderr)
      self.assertEqual(result.stdout, '')
      self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
      self.assertTrue(result.stderr.startswith(f'error: {args[0]}: not a command; expected one '
                                               'of train, run, reinit,'), result.stderr)

  def test_a_procedure_registered_at_run_time_is_a_command(self):
    register = ('import sys; from lottery import commands, procedures; '
                'procedures.register(procedures.Procedure(name="toy_control", start=None, '
                'requires=lambda level: [], default_levels=procedures.every_level, '
                'doc="a toy control")); '
                'sys.exit(commands.main(["lottery", *sys.argv[1:]]))')
    listing = python(['-c', register])
    self.assertEqual(listing.returncode, 0, listing.stderr)
    self.assertRegex(listing.stdout, r'(?m)^  toy_control +a toy control$')
    self.assertNotIn('toy_control', front()[1])  # this process never registered it
    helped = python(['-c', register, 'toy_control', '--help'])
    self.assertEqual(helped.returncode, 0, helped.stderr)
    self.assertTrue(helped.stdout.startswith('toy_control: a toy control.\n\n'
                                             '  python -m lottery toy_control --output_dir='),
                    helped.stdout)
    self.assertIn('--levels', helped.stdout)

  def test_a_procedure_named_like_a_command_is_refused(self):
    entry = procedures.Procedure(name='export', start=None, requires=lambda level: [],
                                 default_levels=procedures.every_level)
    procedures.register(entry)
    self.addCleanup(procedures._REGISTRY._entries.pop, 'export')  # pylint: disable=protected-access
    with self.assertRaisesRegex(ValueError, "procedure 'export' has the name of a command"):
      commands.table()


class HelpDefaultsTest(absltest.TestCase):

  def test_rounds_help_of_sweep_and_train_shows_the_rounds_each_network_runs(self):
    expected = {'lenet300_100 paper': '18', 'lenet300_100 reference': '18', 'conv2 paper': '18',
                'conv4 paper': '21', 'conv6 paper': '22'}
    for args in (['sweep', '--help'], ['train', '--network=conv4', '--help']):
      code, out, _ = front(*args)
      self.assertEqual(code, 0, ' '.join(args))
      self.assertEqual(bracket(out, 'rounds'), expected, ' '.join(args))

  def test_every_default_shown_is_the_one_resolved(self):
    names = commands.train_networks()
    shown = train_command.train_flags(names)
    for network in names:
      for preset in networks.get(network).presets(0.0):
        label = f'{network} {preset}'
        for dropout in (None, '0.5'):
          fv = train_command.train_flags(names)
          cli.parse(fv, ['p', f'--network={network}', f'--preset={preset}'] +
                    ([f'--dropout={dropout}'] if dropout else []))
          resolved = hparams.to_flat(train_command.resolve_desc(fv, names))
          for _, field in hparams.leaf_fields():
            if field.name == 'dropout' or not hparams.has_flag(field):
              continue
            text = ' '.join(shown[hparams.flag_name(field)].help.split())
            default = re.search(r'\[([^\]]*)\]', text).group(1)
            variant = re.search(r'\[with --dropout > 0: ([^\]]*)\]', text)
            listed = dict(item.rsplit(': ', 1) for item in default.split(', '))
            if dropout and variant:
              listed.update(item.rsplit(': ', 1) for item in variant.group(1).split(', '))
            self.assertEqual(listed[label], str(resolved[field.name]),
                             f'{label} --dropout={dropout} --{field.name}')


class EnvironmentTest(absltest.TestCase):

  def test_help_starts_no_tensorflow_and_tensorflow_then_gets_tf_keras(self):
    env = {k: v for k, v in os.environ.items()
           if k not in ('TF_USE_LEGACY_KERAS', 'TF_CPP_MIN_LOG_LEVEL', 'RAY_USAGE_STATS_ENABLED')}
    code = ('import contextlib, io, os, sys\n'
            'from lottery import commands\n'
            'for name in commands.table():\n'
            '  with contextlib.redirect_stdout(io.StringIO()):\n'
            '    assert commands.main(["lottery", name, "--help"]) == 0, name\n'
            'print("tensorflow" in sys.modules)\n'
            'print(os.environ["TF_USE_LEGACY_KERAS"], os.environ["TF_CPP_MIN_LOG_LEVEL"], '
            'os.environ["RAY_USAGE_STATS_ENABLED"])\n'
            'import tensorflow as tf, tf_keras\n'
            'print(tf.keras.layers.Dense is tf_keras.layers.Dense)\n')
    result = python(['-c', code], env=env)
    self.assertEqual(result.returncode, 0, result.stderr)
    self.assertEqual(result.stdout.splitlines(), ['False', '1 2 0', 'True'])


if __name__ == '__main__':
  absltest.main()
