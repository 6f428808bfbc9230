/** The module list as a student sees it, with JupyterLab's real buttons: states, prerequisites, and the table's verbs. */
import * as React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { moduleActions } from '../src/commands';
import { ModuleList } from '../src/components/ModuleList';
import { ICommandInfo, IModuleRow } from '../src/types';
import { BUILTIN_COMMANDS, commandInfo, moduleRow } from './fakeServer';

const ACTIONS = moduleActions(BUILTIN_COMMANDS);

function show(modules: IModuleRow[], options: { busy?: boolean; actions?: ICommandInfo[]; active?: string[] } = {}) {
  const onAction = jest.fn();
  const onOpen = jest.fn();
  render(
    <ModuleList
      modules={modules}
      actions={options.actions ?? ACTIONS}
      busy={options.busy ?? false}
      activeModules={options.active ?? []}
      onOpen={onOpen}
      onAction={onAction}
    />
  );
  return { onAction, onOpen };
}

const row = (id: string) =>
  screen.getByRole('button', { name: new RegExp(`^Open the notebook of ${id}`) }).closest('li')!;

test('lists the modules in order, each with its state, when it last ran and its counts', () => {
  const now = Date.now() / 1000;
  show([
    moduleRow('01_numbers', {
      state: 'tests_failing',
      last_run: now - 120,
      tests: { passed: 2, failed: 1, error: 0, total: 3 },
      changed: true
    }),
    moduleRow('02_doubling', { missing_prerequisites: ['01_numbers'] })
  ]);
  const items = within(screen.getByRole('list', { name: 'Modules' })).getAllByRole('listitem');
  expect(items.map(i => i.getAttribute('data-module'))).toEqual(['01_numbers', '02_doubling']);
  expect(items[0]).toHaveTextContent('Tests failing');
  expect(items[0]).toHaveTextContent('Last run 2 min ago');
  expect(items[0]).toHaveTextContent('2 of 3 tests passed, 1 failed');
  expect(items[0]).toHaveTextContent('notebook changed since');
  expect(items[1]).toHaveTextContent('Not started');
  expect(items[1]).toHaveTextContent('Never run');
  expect(within(items[1]).getByRole('note')).toHaveTextContent('Needs 01_numbers complete first.');
});

test('offers the table’s module actions, each sending its word for its own module', () => {
  const { onAction } = show([moduleRow('01_numbers'), moduleRow('02_doubling')]);
  const buttons = within(screen.getByRole('group', { name: 'Actions for 02_doubling' })).getAllByRole('button');
  expect(buttons.map(b => b.textContent)).toEqual(['Export', 'Test', 'Complete', 'Validate']);
  expect(buttons[2]).toHaveAttribute('title', 'The complete of a module.');

  fireEvent.click(screen.getByRole('button', { name: 'Complete 02_doubling' }));
  expect(onAction).toHaveBeenCalledTimes(1);
  expect(onAction).toHaveBeenCalledWith(expect.objectContaining({ id: '02_doubling' }), 'complete');
  fireEvent.click(screen.getByRole('button', { name: 'Validate 01_numbers' }));
  expect(onAction).toHaveBeenLastCalledWith(expect.objectContaining({ id: '01_numbers' }), 'validate');
});

test('a package’s module action gets its button too, and a table without actions offers none', () => {
  const lint = commandInfo('lint.check', { help: 'Lint it.', acts_on: 'module', source: 'tito-lint', action: 'lint' });
  const { onAction } = show([moduleRow('01_numbers')], { actions: [...ACTIONS, lint] });
  fireEvent.click(screen.getByRole('button', { name: 'Lint 01_numbers' }));
  expect(onAction).toHaveBeenCalledWith(expect.objectContaining({ id: '01_numbers' }), 'lint');
});

test('a row without actions shows its module and no buttons', () => {
  show([moduleRow('01_numbers')], { actions: [] });
  expect(within(row('01_numbers')).queryAllByRole('button', { name: /01_numbers$/ })).toHaveLength(0);
});

test('while a job runs every action is off and says why; the module it works on is marked busy', () => {
  const { onAction } = show([moduleRow('01_numbers'), moduleRow('02_doubling')], {
    busy: true,
    active: ['01_numbers']
  });
  const complete = screen.getByRole('button', { name: 'Complete 02_doubling' });
  expect(complete).toBeDisabled();
  expect(complete).toHaveAttribute('title', 'Wait for the running job to finish');
  fireEvent.click(complete);
  expect(onAction).not.toHaveBeenCalled();
  expect(row('01_numbers')).toHaveAttribute('aria-busy', 'true');
  expect(row('02_doubling')).not.toHaveAttribute('aria-busy');
});

test('clicking the title opens the module’s notebook', () => {
  const { onOpen } = show([moduleRow('01_numbers')]);
  fireEvent.click(screen.getByRole('button', { name: 'Open the notebook of 01_numbers: Numbers' }));
  expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ notebook: 'modules/01_numbers/01_numbers.ipynb' }));
});

test('says so when the course has no modules', () => {
  show([]);
  expect(screen.getByText('This course has no modules yet.')).toBeInTheDocument();
});
