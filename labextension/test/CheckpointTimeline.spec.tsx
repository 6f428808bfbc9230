/** The checkpoint timeline: modules in order, each checkpoint after the module that unlocks it, and its Run button. */
import * as React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { CheckpointTimeline } from '../src/components/CheckpointTimeline';
import { ICheckpointRow, ITimelineEntry } from '../src/types';
import { checkpointRow, moduleRow } from './fakeServer';

function checkpoint(overrides: Partial<ICheckpointRow> = {}): ICheckpointRow {
  return checkpointRow('c01_arithmetic', {
    question: 'Can I do arithmetic with my own functions?',
    requires: ['01_numbers'],
    unlocked_by: '01_numbers',
    ...overrides
  });
}

const TIMELINE: ITimelineEntry[] = [
  { kind: 'module', id: '01_numbers', title: 'Numbers', state: 'complete' },
  { kind: 'checkpoint', id: 'c01_arithmetic', title: 'Can I do arithmetic?', state: 'ready' },
  { kind: 'module', id: '02_doubling', title: 'Doubling', state: 'not_started' }
];

function show(rows: ICheckpointRow[], busy = false) {
  const onRun = jest.fn();
  render(
    <CheckpointTimeline
      timeline={TIMELINE}
      modules={[moduleRow('01_numbers', { state: 'complete' }), moduleRow('02_doubling')]}
      checkpoints={rows}
      busy={busy}
      onRun={onRun}
    />
  );
  return onRun;
}

test('shows the course in order, a ready checkpoint’s question, and Run sends that checkpoint', () => {
  const onRun = show([checkpoint()]);
  const items = within(screen.getByRole('list', { name: 'Checkpoint timeline' })).getAllByRole('listitem');
  expect(items.map(i => i.getAttribute('aria-label') ?? i.getAttribute('data-checkpoint'))).toEqual([
    'Module 01_numbers: Complete',
    'c01_arithmetic',
    'Module 02_doubling: Not started'
  ]);
  expect(items[1]).toHaveTextContent('Can I do arithmetic with my own functions?');
  expect(within(items[1]).getByLabelText('State: Ready to run')).toBeInTheDocument();
  fireEvent.click(screen.getByRole('button', { name: 'Run checkpoint c01_arithmetic' }));
  expect(onRun).toHaveBeenCalledWith(expect.objectContaining({ id: 'c01_arithmetic' }));
});

test('a locked checkpoint says which modules to complete and cannot be run', () => {
  const onRun = show([checkpoint({ state: 'locked', missing_modules: ['01_numbers'] })]);
  expect(screen.getByRole('note')).toHaveTextContent('Needs 01_numbers complete first.');
  const run = screen.getByRole('button', { name: 'Run checkpoint c01_arithmetic' });
  expect(run).toBeDisabled();
  expect(run).toHaveAttribute('title', 'Locked: complete 01_numbers first, then run this checkpoint.');
  fireEvent.click(run);
  expect(onRun).not.toHaveBeenCalled();
});

test('a passed checkpoint says when; while a job runs, Run waits', () => {
  show([checkpoint({ state: 'passed', passed_at: Date.now() / 1000 - 7200 })], true);
  expect(screen.getByText('Passed 2 h ago')).toBeInTheDocument();
  const run = screen.getByRole('button', { name: 'Run checkpoint c01_arithmetic' });
  expect(run).toBeDisabled();
  expect(run).toHaveAttribute('title', 'Wait for the running job to finish');
});

test('says so when the course has no checkpoints', () => {
  show([]);
  expect(screen.getByText('This course has no checkpoints.')).toBeInTheDocument();
});
