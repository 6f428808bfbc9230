/**
 * The whole panel over the real model and the fake server (checked against openapi.json): what a student sees on
 * each connection state, and what a click sends to the server.
 */
import * as React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { UseSignal } from '@jupyterlab/ui-components';

import { ISidebarActions, Sidebar } from '../src/components/Sidebar';
import { TitoModel } from '../src/model';
import { requestAPI } from '../src/request';
import { FakeServer, HELLO_COMMANDS, HttpError } from './fakeServer';

jest.mock('../src/request', () => ({ requestAPI: jest.fn() }));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

let server: FakeServer;
let model: TitoModel;
let actions: jest.Mocked<ISidebarActions>;

beforeEach(() => {
  server = new FakeServer();
  request.mockReset();
  request.mockImplementation(server.handle);
  model = new TitoModel({
    serverRoot: '/home/student/course',
    frontendVersion: '0.1.0',
    // Slow background looks: the tests drive every change themselves.
    polling: { jobMin: 50, jobMax: 200, idleMin: 600000, idleMax: 600000 }
  });
  actions = { openCourseFile: jest.fn(), openCourseCell: jest.fn() };
});

afterEach(() => {
  model.dispose();
  expect(server.violations).toEqual([]);
});

/** The panel as the widget shows it: rendered again on every change of the model. */
async function showStarted(): Promise<void> {
  render(<UseSignal signal={model.stateChanged}>{() => <Sidebar model={model} actions={actions} />}</UseSignal>);
  await act(() => model.start());
}

test('a student sees where they stand, the modules with the table’s verbs, and the checkpoints', async () => {
  server.modules[0] = { ...server.modules[0], state: 'complete' };
  await showStarted();
  const overall = screen.getByRole('region', { name: 'Overall progress' });
  expect(overall).toHaveTextContent('1 of 2 modules complete');
  expect(overall).toHaveTextContent('0 of 1 checkpoints passed');
  expect(within(overall).getByRole('progressbar', { name: 'Modules complete' })).toHaveAttribute('aria-valuenow', '50');
  expect(screen.getByRole('group', { name: 'Actions for 02_doubling' })).toHaveTextContent(
    'ExportTestCompleteValidate'
  );
  expect(screen.getByRole('list', { name: 'Checkpoint timeline' })).toBeInTheDocument();
  // No package adds commands: no "More commands" section.
  expect(screen.queryByRole('heading', { name: 'More commands' })).toBeNull();
});

test('Complete sends the module’s action; the job shows, and every action waits while it runs', async () => {
  await showStarted();
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Complete 01_numbers' }));
    await Promise.resolve();
  });
  expect(server.log.filter(l => l.method === 'POST')).toEqual([
    {
      endPoint: 'modules/01_numbers/complete',
      method: 'POST',
      body: { notebook: 'modules/01_numbers/01_numbers.ipynb', source: 'sidebar' }
    }
  ]);
  expect(await screen.findByRole('region', { name: 'Job Complete 01_numbers' })).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Export 02_doubling' })).toBeDisabled();

  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Cancel Complete 01_numbers' }));
    await Promise.resolve();
  });
  expect(server.calls()).toContain('DELETE jobs/job-1');
  expect(await screen.findByRole('status', { name: 'Complete 01_numbers: Cancelled' })).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Export 02_doubling' })).toBeEnabled();
});

test('a module’s title opens its notebook', async () => {
  await showStarted();
  fireEvent.click(screen.getByRole('button', { name: 'Open the notebook of 02_doubling: Doubling' }));
  expect(actions.openCourseFile).toHaveBeenCalledWith('modules/02_doubling/02_doubling.ipynb');
});

test('a refused action is said in words, and Dismiss takes it away', async () => {
  server.postError = new HttpError('Too many jobs are running; wait for one to end.', 429, 'too_many_jobs');
  await showStarted();
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Test 01_numbers' }));
    await Promise.resolve();
  });
  expect(await screen.findByRole('alert')).toHaveTextContent('Too many jobs are running; wait for one to end.');
  fireEvent.click(screen.getByRole('button', { name: 'Dismiss this message' }));
  expect(screen.queryByRole('alert')).toBeNull();
});

test('commands packages add appear under More commands', async () => {
  server.commands = [...server.commands, ...HELLO_COMMANDS];
  await showStarted();
  expect(screen.getByRole('heading', { name: 'More commands' })).toBeInTheDocument();
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Run hello.wave' }));
    await Promise.resolve();
  });
  expect(server.log.find(l => l.method === 'POST')?.body).toEqual({ command: 'hello.wave', source: 'sidebar' });
});

test('a server extension of another version: the panel says so, names both, and offers to try again', async () => {
  server.version = { version: '0.2.0', api: 1 };
  await showStarted();
  const alert = screen.getByRole('alert');
  expect(alert).toHaveTextContent('The sidebar and the server extension do not match');
  expect(alert).toHaveTextContent('0.1.0');
  expect(alert).toHaveTextContent('0.2.0');
  expect(screen.queryByRole('list', { name: 'Modules' })).toBeNull();

  server.version = { version: '0.1.0', api: 1 };
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Try connecting again' }));
    await Promise.resolve();
  });
  expect(await screen.findByRole('list', { name: 'Modules' })).toBeInTheDocument();
});

test('no tito server extension: the panel says how to install it', async () => {
  server.foreign = true; // Jupyter's own 404
  server.versionError = new HttpError('Not Found', 404);
  await showStarted();
  expect(screen.getByRole('alert')).toHaveTextContent('The tito server extension is missing');
  // The command to type is shown as code.
  expect(within(screen.getByRole('alert')).getByText('pip install tito-jupyter').tagName).toBe('CODE');
});
