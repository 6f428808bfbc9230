/** "What to write next" as the student sees it: the functions in order, the first marked, each a link to its cell. */
import * as React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { NotWrittenList } from '../src/components/NotWrittenList';
import { notWrittenOf } from '../src/notWritten';
import { IResult } from '../src/types';
import { completeResult, group, untouched } from './notWrittenFixtures';

function show(result: IResult, onOpenCell = jest.fn()) {
  render(<NotWrittenList view={notWrittenOf(result)!} onOpenCell={onOpenCell} />);
  return onOpenCell;
}

test('lists the functions in order, the first marked, its tests folded, and a click opens its cell', () => {
  const onOpenCell = show(untouched);
  const section = screen.getByRole('region', { name: 'Nothing written yet' });
  expect(section).toHaveTextContent('Start with Tensor.__init__ in cell 6; 90 tests wait on 3 functions.');
  const items = within(screen.getByRole('list', { name: 'Functions to write, in order' })).getAllByRole('listitem', {
    current: 'step'
  });
  expect(items).toHaveLength(1);
  expect(items[0]).toHaveTextContent(/^Tensor\.__init__write this next/);
  expect(screen.getAllByText('write this next')).toHaveLength(1);
  // Folded: the waiting tests are in a <details> the student opens.
  const details = screen.getByText('86 tests wait on it').closest('details')!;
  expect(details).not.toHaveAttribute('open');

  fireEvent.click(
    screen.getByRole('button', { name: 'Go to cell 6 of 01_tensor.ipynb, where Tensor.__init__ is written' })
  );
  expect(onOpenCell).toHaveBeenCalledWith('modules/01_tensor/01_tensor.ipynb', { cellId: 'tensor-06', cell: 6 });
});

test('shows the file and line, without a link, for code outside a notebook cell', () => {
  show(completeResult([{ module: '01_tensor', not_written: [group('helper', null, 1)] }]));
  expect(screen.getByText('tinytorch/core/tensor.py, line 23')).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /Go to/ })).toBeNull();
});

test('shows what the notebook names as text, never as markup', () => {
  const { container } = render(
    <NotWrittenList
      view={notWrittenOf(completeResult([{ module: '01_tensor', not_written: [group('<img src=x>', 3, 1)] }]))!}
      onOpenCell={jest.fn()}
    />
  );
  expect(container.querySelector('img')).toBeNull();
  expect(screen.getAllByText('<img src=x>').length).toBeGreaterThan(0);
});
