/** How a job's engine events read in the sidebar. */
import { describeJob, progressFraction, runCounts, summarize } from '../src/jobs';
import { BUILTIN_COMMANDS, HELLO_COMMANDS, testEvent } from './fakeServer';
import { IResult } from '../src/types';
import { IEngineEvent } from '../src/types';

const COMPLETE_RUN: IEngineEvent[] = [
  { event: 'step', step: 'export', state: 'running', module: '01_numbers' },
  { event: 'step', step: 'export', state: 'passed', module: '01_numbers', message: null },
  { event: 'progress', done: 1, total: 1, label: '01_numbers' },
  { event: 'step', step: 'test', state: 'running', module: '01_numbers' },
  { event: 'collected', count: 3 },
  testEvent('modules/01_numbers/01_numbers.ipynb::test_unit_add', 'failed', {
    message: 'AssertionError: add(2, 3) gave -1',
    where: '/c/.tito/build/inline/test_01_numbers_inline.py:8'
  }),
  { event: 'progress', done: 1, total: 3, label: 'test_unit_add' },
  testEvent('modules/01_numbers/01_numbers.ipynb::test_unit_add_negative', 'passed', { message: '' }),
  testEvent('tests/modules/01_numbers/test_numbers.py::test_add_floats', 'error', { message: 'boom' }),
  { event: 'progress', done: 3, total: 3, label: 'test_add_floats' },
  { event: 'step', step: 'test', state: 'failed', module: '01_numbers', message: '1 of 3 passed' },
  { event: 'log', message: 'tinytorch/core/numbers.py is out of date', level: 'warning' }
];

describe('summarize', () => {
  const summary = summarize(COMPLETE_RUN);

  it('keeps one line per step, with its latest state and message', () => {
    expect(summary.steps).toEqual([
      { step: 'export', state: 'passed', module: '01_numbers', checkpoint: null, message: null },
      { step: 'test', state: 'failed', module: '01_numbers', checkpoint: null, message: '1 of 3 passed' }
    ]);
  });

  it('lists the tests with their outcome, file and module', () => {
    expect(summary.collected).toBe(3);
    expect(summary.tests.map(t => [t.name, t.outcome, t.file])).toEqual([
      ['test_unit_add', 'failed', 'modules/01_numbers/01_numbers.ipynb'],
      ['test_unit_add_negative', 'passed', 'modules/01_numbers/01_numbers.ipynb'],
      ['test_add_floats', 'error', 'tests/modules/01_numbers/test_numbers.py']
    ]);
    expect(summary.tests.every(t => t.module === '01_numbers')).toBe(true);
  });

  it('counts errors as failures and keeps their messages', () => {
    expect(summary.failures.map(f => [f.name, f.message])).toEqual([
      ['test_unit_add', 'AssertionError: add(2, 3) gave -1'],
      ['test_add_floats', 'boom']
    ]);
  });

  it('follows the latest progress event', () => {
    expect(summary.progress).toEqual({ done: 3, total: 3, label: 'test_add_floats' });
    expect(progressFraction(summarize(COMPLETE_RUN.slice(0, 7)), 'running')).toBeCloseTo(1 / 3);
    expect(progressFraction(summarize([]), 'running')).toBeNull();
    expect(progressFraction(summarize([]), 'succeeded')).toBe(1);
  });

  it('keeps logs', () => {
    expect(summary.logs).toEqual([{ message: 'tinytorch/core/numbers.py is out of date', level: 'warning' }]);
  });

  it('tells checkpoint steps apart from module steps', () => {
    const steps = summarize([
      { event: 'step', step: 'export', state: 'passed', module: '02_doubling' },
      { event: 'step', step: 'checkpoint', state: 'running', checkpoint: 'c01_arithmetic' },
      { event: 'step', step: 'checkpoint', state: 'passed', checkpoint: 'c01_arithmetic' }
    ]).steps;
    expect(steps.map(s => `${s.step}:${s.state}:${s.checkpoint ?? s.module}`)).toEqual([
      'export:passed:02_doubling',
      'checkpoint:passed:c01_arithmetic'
    ]);
  });
});

describe('counting tests per run', () => {
  /** A Complete: the module's 46 tests, then the checkpoint it unlocks (3 tests). */
  const events: IEngineEvent[] = [
    { event: 'step', step: 'test', state: 'running', module: '01_tensor' },
    { event: 'collected', count: 46 },
    ...Array.from({ length: 46 }, (_, i) => testEvent(`m.ipynb::test_${i}`, 'passed')),
    { event: 'step', step: 'test', state: 'passed', module: '01_tensor' },
    { event: 'step', step: 'checkpoint', state: 'running', checkpoint: 'c01_tensors' },
    { event: 'collected', count: 3 },
    testEvent('c.py::test_a', 'passed'),
    testEvent('c.py::test_b', 'failed', { message: 'no' }),
    testEvent('c.py::test_c', 'error', { message: 'boom' }),
    { event: 'step', step: 'checkpoint', state: 'failed', checkpoint: 'c01_tensors' }
  ];

  it('keeps each run apart: never 46 of 3', () => {
    const { runs } = summarize(events);
    expect(runs.map(r => [r.step, r.checkpoint ?? r.module, runCounts(r, null)])).toEqual([
      ['test', '01_tensor', { passed: 46, failed: 0, total: 46 }],
      ['checkpoint', 'c01_tensors', { passed: 1, failed: 2, total: 3 }]
    ]);
  });

  it('counts a run still going against what pytest collected for it', () => {
    const { runs } = summarize(events.slice(0, 12));
    expect(runs.map(r => runCounts(r, null))).toEqual([{ passed: 10, failed: 0, total: 46 }]);
  });

  it('takes the counts from the result once the job has one', () => {
    const result: IResult = {
      command: 'module.complete',
      ok: false,
      summary: '01_tensor: checkpoint c01_tensors failed.',
      error: null,
      duration: 1,
      data: {
        modules: [
          {
            module: '01_tensor',
            steps: [
              { step: 'export', ok: true },
              { step: 'test', ok: true, counts: { passed: 51, failed: 0, error: 0, total: 51 } },
              {
                step: 'checkpoint',
                checkpoint: 'c01_tensors',
                ok: false,
                counts: { passed: 1, failed: 1, error: 1, total: 3 }
              }
            ]
          }
        ]
      }
    };
    const { runs } = summarize(events);
    expect(runs.map(r => runCounts(r, result))).toEqual([
      { passed: 51, failed: 0, total: 51 },
      { passed: 1, failed: 2, total: 3 }
    ]);
    const tested: IResult = {
      ...result,
      command: 'module.test',
      data: { modules: [{ module: '01_tensor', counts: { passed: 44, failed: 7, error: 0, total: 51 } }] }
    };
    expect(runCounts(runs[0], tested)).toEqual({ passed: 44, failed: 7, total: 51 });
    const checkpoint: IResult = {
      ...result,
      command: 'checkpoint.run',
      data: { checkpoint: 'c01_tensors', counts: { passed: 3, failed: 0, error: 0, total: 3 } }
    };
    expect(runCounts(runs[1], checkpoint)).toEqual({ passed: 3, failed: 0, total: 3 });
  });
});

describe('describeJob', () => {
  const table = [...BUILTIN_COMMANDS, ...HELLO_COMMANDS];

  it('names the action, by the command table, and what it acts on', () => {
    const named = (command: string, args: Record<string, unknown>) => describeJob({ command, args }, table);
    expect(named('module.complete', { modules: ['01_numbers'] })).toBe('Complete 01_numbers');
    expect(named('module.validate', { modules: ['01_numbers'] })).toBe('Validate 01_numbers');
    expect(named('checkpoint.run', { checkpoint: 'c01_arithmetic' })).toBe('Run checkpoint c01_arithmetic');
    expect(named('module.export', { modules: [], all_: true })).toBe('Export all modules');
    expect(named('system.doctor', {})).toBe('system.doctor');
    expect(named('hello.greet', { module: '01_numbers' })).toBe('hello.greet 01_numbers');
  });

  it('names what a job works on by the server’s word when its arguments name nothing (a %tito cell)', () => {
    const job = { command: 'module.complete', args: {}, modules: ['02_doubling'] };
    expect(describeJob(job, table)).toBe('Complete 02_doubling');
    // The arguments' own names come first: the server's list is the same modules, resolved.
    expect(describeJob({ ...job, args: { modules: ['2'] } }, table)).toBe('Complete 2');
    expect(describeJob({ ...job, modules: [] }, table)).toBe('Complete');
  });

  it('names a command the table does not have as it is', () => {
    expect(describeJob({ command: 'module.complete', args: { modules: ['01_numbers'] } })).toBe(
      'module.complete 01_numbers'
    );
  });
});
