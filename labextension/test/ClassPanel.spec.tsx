/** The instructor's class panel: nothing for a student; for an instructor, the grid, who is stuck, and Refresh. */
import * as React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';

import { IClassStatus, IClassView } from '../src/classView';
import { ClassPanel } from '../src/components/ClassPanel';

const STATUS: IClassStatus = {
  course_dir: '/course/nbgrader',
  assignments: ['01_numbers', '02_doubling'],
  students: ['alice', 'bob'],
  last_released: '01_numbers',
  shown: { alice: 'alice', bob: 'bob' },
  states: ['not_submitted', 'submitted', 'graded', 'feedback_ready', 'feedback_returned'],
  cells: [
    {
      student: 'alice',
      assignment: '01_numbers',
      state: 'graded',
      score: 3,
      max_score: 3,
      percent: 100.0,
      timestamp: null
    },
    { student: 'bob', assignment: '01_numbers', state: 'graded', score: 0, max_score: 3, percent: 0.0, timestamp: null }
  ],
  stuck: [{ student: 'bob', assignment: '01_numbers', reason: 'low_score', detail: '01_numbers scored 0 of 3' }],
  counts: {}
};

const instructor = (status: IClassStatus | null, message: string | null = null): IClassView => ({
  instructor: true,
  reason: 'owns the nbgrader course',
  class: status,
  message
});

async function show(load: () => Promise<IClassView>) {
  let result: ReturnType<typeof render> | null = null;
  await act(async () => {
    result = render(<ClassPanel load={load} />);
    await Promise.resolve();
  });
  return result!;
}

test('a student sees no class panel at all', async () => {
  const load = jest.fn(() => Promise.resolve<IClassView>({ ...instructor(null), instructor: false }));
  const { container } = await show(load);
  expect(load).toHaveBeenCalledTimes(1);
  expect(container).toBeEmptyDOMElement();
});

test('an instructor sees a row per student, each cell’s score, and who is stuck where', async () => {
  await show(() => Promise.resolve(instructor(STATUS)));
  const grid = screen.getByRole('table', { name: 'Class grid' });
  const rows = within(grid).getAllByRole('row');
  expect(rows.map(r => r.textContent)).toEqual(['student01_numbers02_doubling', 'alice3/3–', 'bob0/3 !–']);
  expect(within(grid).getByLabelText('stuck here')).toBeInTheDocument();
  expect(screen.getByRole('list', { name: 'Stuck students' })).toHaveTextContent('bob: 01_numbers scored 0 of 3');
});

test('an instructor without a class yet is told why', async () => {
  await show(() => Promise.resolve(instructor(null, 'No nbgrader course yet: run tito nbgrader init.')));
  expect(screen.getByRole('status')).toHaveTextContent('No nbgrader course yet: run tito nbgrader init.');
});

test('Refresh asks again; a failed refresh keeps the grid and says what went wrong', async () => {
  const load = jest
    .fn<Promise<IClassView>, []>()
    .mockResolvedValueOnce(instructor(STATUS))
    .mockRejectedValueOnce(new Error('The gradebook is locked by another process.'));
  await show(load);
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Refresh the class' }));
    await Promise.resolve();
  });
  expect(load).toHaveBeenCalledTimes(2);
  expect(screen.getByRole('alert')).toHaveTextContent('The gradebook is locked by another process.');
  expect(screen.getByRole('table', { name: 'Class grid' })).toBeInTheDocument();
});
