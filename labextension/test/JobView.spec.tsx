/** One job as the student watches it: its steps, its progress, its tests and failures, its summary, and Cancel. */
import * as React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { JobView } from '../src/components/JobView';
import { summarize } from '../src/jobs';
import { IJobView } from '../src/model';
import { IEngineEvent, IJob, IResult } from '../src/types';
import { completeResult, group } from './notWrittenFixtures';
import { testEvent } from './fakeServer';

const NB = 'modules/01_numbers/01_numbers.ipynb';

function jobView(overrides: Partial<IJob>, events: IEngineEvent[] = []): IJobView {
  const job: IJob = {
    id: 'job-1',
    command: 'module.complete',
    args: { modules: ['01_numbers'] },
    notebook: NB,
    modules: ['01_numbers'],
    source: 'sidebar',
    origin: 'server',
    state: 'running',
    result: null,
    created: 1000,
    started: 1000,
    finished: null,
    ...overrides
  };
  return { job, events, summary: summarize(events), title: 'Complete 01_numbers', modules: ['01_numbers'] };
}

function show(view: IJobView) {
  const handlers = { onCancel: jest.fn(), onOpenTest: jest.fn(), onOpenCell: jest.fn() };
  render(<JobView view={view} {...handlers} />);
  return handlers;
}

const RUNNING: IEngineEvent[] = [
  { event: 'step', step: 'export', state: 'passed', module: '01_numbers' },
  { event: 'step', step: 'test', state: 'running', module: '01_numbers' },
  { event: 'collected', count: 3 },
  testEvent(`${NB}::test_add`, 'passed'),
  testEvent(`${NB}::test_sub`, 'failed', { message: 'assert 1 == 2' }),
  { event: 'progress', done: 2, total: 3, label: 'tests' }
];

test('a running job: its state, steps, progress, counts, the failure in view, and Cancel sends the job', () => {
  const view = jobView({}, RUNNING);
  const { onCancel, onOpenTest } = show(view);
  const job = screen.getByRole('region', { name: 'Job Complete 01_numbers' });
  expect(within(job).getByRole('status', { name: 'Complete 01_numbers: Running' })).toHaveTextContent('Running');
  const steps = within(screen.getByRole('list', { name: 'Steps' })).getAllByRole('listitem');
  expect(steps.map(s => s.textContent)).toEqual(['✓Export 01_numbers: passed', '…Tests 01_numbers: running']);
  const bar = screen.getByRole('progressbar', { name: 'Progress of Complete 01_numbers' });
  expect(bar).toHaveAttribute('aria-valuenow', '67');
  expect(bar).toHaveAttribute('aria-valuetext', '2 of 3');
  expect(job).toHaveTextContent('Tests 01_numbers: 1 of 3 tests passed, 1 failed');
  // The failure stays in view with its message; what passed folds into "1 passed".
  const failing = screen.getByRole('list', { name: 'Tests not passed' });
  expect(failing).toHaveTextContent('test_sub');
  expect(failing).toHaveTextContent('assert 1 == 2');
  expect(screen.getByText('1 passed').closest('details')).not.toHaveAttribute('open');

  fireEvent.click(screen.getByRole('button', { name: 'Go to test_sub in the notebook' }));
  expect(onOpenTest).toHaveBeenCalledWith(expect.objectContaining({ name: 'test_sub', file: NB }), view);
  fireEvent.click(screen.getByRole('button', { name: 'Cancel Complete 01_numbers' }));
  expect(onCancel).toHaveBeenCalledWith(view);
});

test('a finished job: no Cancel, its result counts and summary with the hint', () => {
  const result: IResult = {
    command: 'module.complete',
    ok: false,
    summary: '01_numbers: 2 of 3 tests passed.',
    data: { modules: [{ module: '01_numbers', counts: { passed: 2, failed: 1, error: 0, total: 3 } }] },
    error: { kind: 'tests_failed', message: 'Tests failed.', hint: 'Fix test_sub, then complete it again.' },
    duration: 3
  };
  show(jobView({ state: 'failed', result, finished: 1003 }, RUNNING));
  expect(screen.queryByRole('button', { name: /^Cancel/ })).toBeNull();
  expect(screen.getByRole('status', { name: 'Complete 01_numbers: Failed' })).toBeInTheDocument();
  // The result's counts win over what the events had reported so far.
  expect(screen.getByText('Tests 01_numbers: 2 of 3 tests passed, 1 failed')).toBeInTheDocument();
  const summary = screen.getByText('01_numbers: 2 of 3 tests passed.');
  expect(summary).toHaveAttribute('data-ok', 'false');
  expect(summary).toHaveTextContent('Fix test_sub, then complete it again.');
});

test('a failed run whose tests wait on functions not written shows what to write, not each test', () => {
  const waiting = group('add', 4, 2);
  const result = completeResult([{ module: '01_tensor', not_written: [waiting], nothing_written: false }]);
  const events: IEngineEvent[] = [
    { event: 'step', step: 'test', state: 'running', module: '01_tensor' },
    ...waiting.tests.map(id => testEvent(id, 'failed', { message: 'NotImplementedError' }))
  ];
  const { onOpenCell } = show(jobView({ state: 'failed', result }, events));
  expect(screen.getByRole('region', { name: '1 function to write' })).toBeInTheDocument();
  expect(screen.queryByRole('list', { name: 'Tests not passed' })).toBeNull();
  fireEvent.click(screen.getByRole('button', { name: /^Go to cell 4 of 01_tensor.ipynb/ }));
  expect(onOpenCell).toHaveBeenCalledWith('modules/01_tensor/01_tensor.ipynb', { cellId: 'tensor-04', cell: 4 });
});

test('a run typed in a terminal says so, and its Cancel says what it does', () => {
  show(jobView({ origin: 'terminal', source: 'terminal', notebook: null }));
  expect(screen.getByText('from a terminal')).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Cancel Complete 01_numbers' })).toHaveAttribute(
    'title',
    'Stop this run (tito in the terminal is interrupted, as by Ctrl-C)'
  );
});

test('a job from a %tito cell is marked as such; warnings and errors of its log show, info does not', () => {
  show(
    jobView({ source: 'magic' }, [
      { event: 'log', message: 'exporting', level: 'info' },
      { event: 'log', message: 'notebook has unsaved changes', level: 'warning' }
    ])
  );
  expect(screen.getByTitle('Started from a %tito cell')).toHaveTextContent('%tito');
  expect(screen.getByText('notebook has unsaved changes')).toHaveAttribute('data-level', 'warning');
  expect(screen.queryByText('exporting')).toBeNull();
});
