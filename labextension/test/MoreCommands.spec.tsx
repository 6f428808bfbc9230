/** "More commands": what installed packages add, a Run button each, and the module those acting on one run for. */
import * as React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { MoreCommands } from '../src/components/MoreCommands';
import { ICommandInfo } from '../src/types';
import { HELLO_COMMANDS, arg, commandInfo, moduleRow } from './fakeServer';

const NEEDS_ARGS = commandInfo('hello.say', {
  help: 'Say something.',
  args: [arg('words', { nargs: '+' })],
  source: 'tito-hello'
});

function show(commands: ICommandInfo[], options: { module?: string | null; busy?: boolean } = {}) {
  const handlers = { onRun: jest.fn(), onSelectModule: jest.fn() };
  render(
    <MoreCommands
      commands={commands}
      modules={[moduleRow('01_numbers'), moduleRow('02_doubling')]}
      module={options.module === undefined ? '01_numbers' : options.module}
      busy={options.busy ?? false}
      {...handlers}
    />
  );
  return handlers;
}

test('lists each command with its help and source; Run sends it, for the module picked', () => {
  const { onRun, onSelectModule } = show([...HELLO_COMMANDS, NEEDS_ARGS]);
  const items = within(screen.getByRole('list', { name: 'More commands' })).getAllByRole('listitem');
  expect(items.map(i => i.getAttribute('data-command'))).toEqual(['hello.greet', 'hello.wave', 'hello.say']);
  expect(items[0]).toHaveTextContent('Say hello to a module.');
  expect(items[0]).toHaveTextContent('From tito-hello');

  fireEvent.click(screen.getByRole('button', { name: 'Run hello.greet for 01_numbers' }));
  expect(onRun).toHaveBeenCalledWith(HELLO_COMMANDS[0]);
  fireEvent.click(screen.getByRole('button', { name: 'Run hello.wave' }));
  expect(onRun).toHaveBeenLastCalledWith(HELLO_COMMANDS[1]);

  fireEvent.change(screen.getByRole('combobox', { name: 'Module for these commands' }), {
    target: { value: '02_doubling' }
  });
  expect(onSelectModule).toHaveBeenCalledWith('02_doubling');
});

test('a command that needs arguments has no button, and says how to run it', () => {
  show([NEEDS_ARGS]);
  expect(screen.queryByRole('button')).toBeNull();
  expect(screen.getByText(/it takes arguments: run/)).toHaveTextContent('%tito hello say …');
  // No command acts on a module: no module picker.
  expect(screen.queryByRole('combobox')).toBeNull();
});

test('while a job runs, or with no module to run for, Run is off', () => {
  show(HELLO_COMMANDS, { busy: true });
  expect(screen.getByRole('button', { name: 'Run hello.wave' })).toBeDisabled();
  expect(screen.getByRole('button', { name: 'Run hello.wave' })).toHaveAttribute(
    'title',
    'Wait for the running job to finish'
  );
});

test('a module command cannot run while no module is chosen', () => {
  show(HELLO_COMMANDS, { module: null });
  expect(screen.getByRole('button', { name: 'Run hello.greet for a module' })).toBeDisabled();
  expect(screen.getByRole('button', { name: 'Run hello.wave' })).toBeEnabled();
});
