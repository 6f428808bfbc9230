/**
 * The sidebar's model against a server in memory: the handshake, the course, actions, and following jobs
 * on the event bus or by polling.
 */
import { Signal } from '@lumino/signaling';

import { TitoModel } from '../src/model';
import { requestAPI } from '../src/request';
import { IEngineEvent, JOB_EVENT_SCHEMA } from '../src/types';
import { FakeServer, HELLO_COMMANDS, HttpError, arg, commandInfo, testEvent } from './fakeServer';

jest.mock('../src/request', () => ({ requestAPI: jest.fn() }));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

const POLLING = { jobMin: 100, jobMax: 1000, idleMin: 10000, idleMax: 60000, factor: 2 };

let server: FakeServer;
let bus: Signal<object, { schema_id: string }>;
let saved: string[][];
let model: TitoModel;

function makeModel(options: { events?: boolean; serverRoot?: string } = {}): TitoModel {
  return new TitoModel({
    events: options.events === false ? null : bus,
    saveNotebooks: paths => {
      saved.push(paths);
      server.log.push({ endPoint: `save ${paths.join(',')}`, method: 'SAVE', body: null });
      return Promise.resolve();
    },
    serverRoot: options.serverRoot ?? '/home/student/course',
    frontendVersion: '0.1.0',
    polling: POLLING
  });
}

/** Let pending promise chains run (no timers move). */
async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await Promise.resolve();
  }
}

function emission(jobId: string, state: string, event: object | '' = '', command = 'module.complete') {
  return {
    schema_id: JOB_EVENT_SCHEMA,
    job_id: jobId,
    command,
    state,
    event: event === '' ? '' : JSON.stringify(event)
  };
}

beforeEach(() => {
  jest.useFakeTimers();
  server = new FakeServer();
  bus = new Signal<object, { schema_id: string }>({});
  saved = [];
  request.mockReset();
  request.mockImplementation(server.handle);
  model = makeModel();
});

afterEach(() => {
  model.dispose();
  jest.useRealTimers();
  // Whatever a test made the fake say, the real server's document allows it.
  expect(server.violations).toEqual([]);
});

describe('the handshake', () => {
  it('loads the course when the server extension speaks the same version', async () => {
    await model.start();
    expect(model.connection).toBe('ready');
    expect(model.serverVersion).toBe('0.1.0');
    expect(model.modules.map(m => m.id)).toEqual(['01_numbers', '02_doubling']);
    expect(model.modulesTotal).toBe(2);
    expect(model.checkpoints[0].id).toBe('c01_arithmetic');
    expect(model.timeline).toHaveLength(3);
  });

  it('reads the course once, then where the student stands in one `GET overview` a refresh', async () => {
    await model.start();
    expect(server.calls()).toEqual(['GET version', 'GET course', 'GET overview', 'GET commands']);
    expect(model.course).toEqual(server.course());
    expect(model.checkpointsTotal).toBe(1);
    expect(model.checkpointsPassed).toBe(0);
    expect(model.modulesComplete).toBe(0);

    server.modules[0] = { ...server.modules[0], state: 'complete', last_run: 1500 };
    server.checkpoints[0] = { ...server.checkpoints[0], state: 'passed', missing_modules: [], passed_at: 1600 };
    server.warnings = ['progress.json was unreadable; tito started it afresh'];
    server.addJob('module.test', { modules: ['01_numbers'] }, 'magic');
    server.finish('job-1');
    server.log = [];
    await model.refresh();
    expect(server.calls()).toEqual(['GET overview', 'GET jobs/job-1?since=0']);
    expect(server.calls().filter(c => !c.startsWith('GET jobs/'))).toEqual(['GET overview']);
    expect(model.modules[0].state).toBe('complete');
    expect(model.modulesComplete).toBe(1);
    expect(model.modulesTotal).toBe(2);
    expect(model.checkpointsPassed).toBe(1);
    expect(model.checkpointsTotal).toBe(1);
    expect(model.timeline.map(e => `${e.kind} ${e.id} ${e.state}`)).toEqual([
      'module 01_numbers complete',
      'module 02_doubling not_started',
      'checkpoint c01_arithmetic passed'
    ]);
    expect(model.warnings).toEqual(['progress.json was unreadable; tito started it afresh']);
    expect(model.jobs.map(j => j.job.id)).toEqual(['job-1']);

    // Nothing new on the server: a refresh is that one request and nothing else.
    server.log = [];
    await model.refresh();
    expect(server.calls()).toEqual(['GET overview']);
  });

  it('says plainly that the server extension is missing when `version` is not found', async () => {
    server.foreign = true; // Jupyter's own 404: no tito extension answers, so no tito document applies
    server.versionError = new HttpError('Not Found', 404);
    await model.start();
    expect(model.connection).toBe('missing');
    expect(model.connectionMessage).toMatch(/tito server extension is not running/);
    expect(model.connectionMessage).toMatch(/pip install tito-jupyter/);
    expect(server.calls()).toEqual(['GET version']);
  });

  it('names both versions when they differ', async () => {
    server.version = { version: '0.2.0', api: 1 };
    await model.start();
    expect(model.connection).toBe('mismatch');
    expect(model.connectionMessage).toContain('0.1.0');
    expect(model.connectionMessage).toContain('0.2.0');
    expect(model.modules).toEqual([]);
  });

  it('treats another API version as a mismatch too', async () => {
    server.foreign = true; // a server of another API version answers by another document
    server.version = { version: '0.1.0', api: 2 };
    await model.start();
    expect(model.connection).toBe('mismatch');
  });

  it('says when the Jupyter server cannot be reached', async () => {
    server.versionError = new HttpError('Could not reach the Jupyter server.', 0, 'network');
    await model.start();
    expect(model.connection).toBe('unreachable');
    expect(model.connectionMessage).toMatch(/Could not reach/);
  });

  it('keeps the message of a course it cannot read', async () => {
    const handle = server.handle;
    request.mockImplementation((endPoint: string, init?: RequestInit) =>
      endPoint === 'course' || endPoint === 'overview'
        ? Promise.reject(new HttpError('No TinyTorch course found in /tmp.', 404, 'project_not_found'))
        : handle(endPoint, init)
    );
    await model.start();
    expect(model.connection).toBe('ready');
    expect(model.loadError).toMatch(/No TinyTorch course/);
  });
});

describe('actions', () => {
  beforeEach(async () => {
    await model.start();
    server.log = [];
  });

  it('saves the module’s notebook, then starts the job', async () => {
    const job = await model.runModuleAction('01_numbers', 'complete');
    expect(job?.id).toBe('job-1');
    expect(saved).toEqual([['modules/01_numbers/01_numbers.ipynb']]);
    expect(server.calls()).toEqual([
      'SAVE save modules/01_numbers/01_numbers.ipynb',
      'POST modules/01_numbers/complete'
    ]);
    expect(server.log[1].body).toEqual({ notebook: 'modules/01_numbers/01_numbers.ipynb', source: 'sidebar' });
    expect(model.busy).toBe(true);
    expect(model.activeJob?.title).toBe('Complete 01_numbers');
  });

  it('does not start a second job while one runs', async () => {
    await model.runModuleAction('01_numbers', 'export');
    const second = await model.runModuleAction('02_doubling', 'test');
    expect(second).toBeNull();
    expect(model.actionError).toMatch(/Wait for “Export 01_numbers” to finish/);
    expect(server.calls().filter(c => c.startsWith('POST'))).toHaveLength(1);
  });

  it('shows the server’s reason when an action is refused', async () => {
    server.postError = new HttpError('Unknown module 09_nothing. Modules: 01_numbers, 02_doubling.', 404);
    const job = await model.runModuleAction('09_nothing', 'test');
    expect(job).toBeNull();
    expect(model.actionError).toMatch(/Unknown module 09_nothing/);
    expect(model.busy).toBe(false);
  });

  it('does not start the job when the notebook cannot be saved', async () => {
    model.dispose();
    model = new TitoModel({
      saveNotebooks: () => Promise.reject(new Error('disk full')),
      frontendVersion: '0.1.0',
      polling: POLLING
    });
    await model.start();
    server.log = [];
    expect(await model.runModuleAction('01_numbers', 'test')).toBeNull();
    expect(model.actionError).toMatch(/Could not save the notebook first: disk full/);
    expect(server.calls()).toEqual([]);
  });

  /** The two modules are complete: the checkpoint is ready to run. */
  const unlock = async () => {
    server.checkpoints[0] = { ...server.checkpoints[0], state: 'ready', missing_modules: [] };
    await model.refresh();
  };

  it('does not run a locked checkpoint, and says which modules to complete first', async () => {
    server.log = [];
    for (const action of ['run', 'test'] as const) {
      expect(await model.runCheckpointAction('c01_arithmetic', action)).toBeNull();
      expect(model.actionError).toBe(
        'c01_arithmetic: Locked: complete 01_numbers and 02_doubling first, then run this checkpoint.'
      );
    }
    expect(saved).toEqual([]);
    expect(server.calls().filter(c => c.startsWith('POST'))).toEqual([]);
  });

  it('shows the engine’s refusal when the server still finds the checkpoint locked', async () => {
    await unlock(); // the sidebar's view is stale: a module was reset in a terminal since
    // The server takes the job (202); the engine refuses it, and the job ends failed with the reason.
    const job = await model.runCheckpointAction('c01_arithmetic', 'run');
    server.finish(job!.id, 'failed', 'Checkpoint c01_arithmetic is locked: complete 02_doubling first.', {
      kind: 'checkpoint_locked',
      message: 'Checkpoint c01_arithmetic is locked: complete 02_doubling first.'
    });
    await jest.advanceTimersByTimeAsync(POLLING.jobMin);
    await settle();
    expect(model.busy).toBe(false);
    expect(model.currentJob?.job.state).toBe('failed');
    expect(model.currentJob?.job.result?.error?.kind).toBe('checkpoint_locked');
    expect(model.currentJob?.job.result?.summary).toMatch(/locked: complete 02_doubling first/);
  });

  it('saves the notebooks of the modules a checkpoint needs before running it', async () => {
    await unlock();
    await model.runCheckpointAction('c01_arithmetic', 'run');
    expect(saved).toEqual([['modules/01_numbers/01_numbers.ipynb', 'modules/02_doubling/02_doubling.ipynb']]);
    expect(server.calls()).toContain('POST checkpoints/c01_arithmetic/run');
    expect(model.activeJob?.title).toBe('Run checkpoint c01_arithmetic');
  });

  it('cancels a running job', async () => {
    await model.runModuleAction('01_numbers', 'test');
    await model.cancelJob('job-1');
    await settle();
    expect(server.calls()).toContain('DELETE jobs/job-1');
    expect(model.jobs[0].job.state).toBe('cancelled');
    expect(model.busy).toBe(false);
  });
});

describe('following a job by polling', () => {
  beforeEach(async () => {
    model.dispose();
    model = makeModel({ events: false });
    await model.start();
  });

  it('asks only for new events, shows steps and tests as they come, and refreshes at the end', async () => {
    await model.runModuleAction('01_numbers', 'complete');
    server.log = [];
    server.emit('job-1', { event: 'step', step: 'export', state: 'running', module: '01_numbers' });
    await jest.advanceTimersByTimeAsync(100);
    expect(server.calls()).toEqual(['GET jobs/job-1?since=0']);
    expect(model.activeJob?.summary.steps).toEqual([
      { step: 'export', state: 'running', module: '01_numbers', checkpoint: null, message: null }
    ]);

    server.emit('job-1', { event: 'step', step: 'export', state: 'passed', module: '01_numbers' });
    server.emit('job-1', { event: 'step', step: 'test', state: 'running', module: '01_numbers' });
    server.emit('job-1', { event: 'collected', count: 2 });
    server.emit(
      'job-1',
      testEvent('modules/01_numbers/01_numbers.ipynb::test_unit_add', 'failed', {
        message: 'AssertionError: add(2, 3) gave -1',
        where: null
      })
    );
    server.emit('job-1', { event: 'progress', done: 1, total: 2, label: 'test_unit_add' });
    await jest.advanceTimersByTimeAsync(100);
    expect(server.calls()).toEqual(['GET jobs/job-1?since=0', 'GET jobs/job-1?since=1']);
    const summary = model.activeJob!.summary;
    expect(summary.steps.map(s => `${s.step}:${s.state}`)).toEqual(['export:passed', 'test:running']);
    expect(summary.progress).toEqual({ done: 1, total: 2, label: 'test_unit_add' });
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]).toMatchObject({
      name: 'test_unit_add',
      file: 'modules/01_numbers/01_numbers.ipynb',
      message: 'AssertionError: add(2, 3) gave -1',
      module: '01_numbers'
    });

    server.modules[0] = { ...server.modules[0], state: 'tests_failing', last_run: 1500 };
    server.finish('job-1', 'failed', '01_numbers: tests failed.');
    server.log = [];
    await jest.advanceTimersByTimeAsync(100);
    expect(server.calls()).toEqual(['GET jobs/job-1?since=6', 'GET overview']);
    expect(model.busy).toBe(false);
    expect(model.currentJob?.job.result?.summary).toBe('01_numbers: tests failed.');
    expect(model.modules[0].state).toBe('tests_failing');
  });

  it('backs off while nothing new arrives, and speeds up again when something does', async () => {
    await model.runModuleAction('01_numbers', 'test');
    server.log = [];
    // 100, then 200, 400, 800, 1000 (the cap), 1000: polls at 100, 300, 700, 1500, 2500, 3500.
    await jest.advanceTimersByTimeAsync(3500);
    expect(server.calls()).toHaveLength(6);
    server.emit('job-1', { event: 'log', message: 'hello', level: 'info' });
    server.log = [];
    await jest.advanceTimersByTimeAsync(1000);
    // Found the event at 4500, then back to 100 ms: 4600.
    await jest.advanceTimersByTimeAsync(100);
    expect(server.calls()).toEqual(['GET jobs/job-1?since=0', 'GET jobs/job-1?since=1']);
  });

  it('pauses while the panel is hidden and catches up when it is shown', async () => {
    await model.runModuleAction('01_numbers', 'test');
    model.setVisible(false);
    server.log = [];
    server.emit('job-1', { event: 'step', step: 'test', state: 'running', module: '01_numbers' });
    await jest.advanceTimersByTimeAsync(30000);
    expect(server.calls()).toEqual([]);

    model.setVisible(true);
    await settle();
    expect(server.calls()).toContain('GET overview');
    expect(server.calls()).toContain('GET jobs/job-1?since=0');
    expect(model.activeJob?.summary.steps).toHaveLength(1);
  });

  it('plans no look while hidden, also when hidden during a look under way', async () => {
    await model.runModuleAction('01_numbers', 'test');
    let answer: () => void = () => undefined;
    request.mockImplementationOnce(
      (endPoint, init) =>
        new Promise(resolve => {
          answer = () => resolve(server.handle(endPoint, init));
        })
    );
    await jest.advanceTimersByTimeAsync(POLLING.jobMin); // the poll's look: on its way, not answered yet
    model.setVisible(false);
    answer();
    await settle();
    server.log = [];
    await jest.advanceTimersByTimeAsync(60000);
    expect(server.calls()).toEqual([]);
    model.setVisible(true);
    await settle();
    expect(server.calls()).toContain('GET jobs/job-1?since=0');
  });

  it('stops following every job when disposed', async () => {
    await model.runModuleAction('01_numbers', 'test');
    await jest.advanceTimersByTimeAsync(POLLING.jobMin);
    model.dispose();
    server.log = [];
    await jest.advanceTimersByTimeAsync(60000);
    expect(server.calls()).toEqual([]);
  });

  it('finds a job started from a %tito cell on the next look', async () => {
    server.addJob('module.complete', { modules: ['02_doubling'] }, 'magic');
    server.emit('job-1', { event: 'step', step: 'export', state: 'running', module: '02_doubling' });
    await jest.advanceTimersByTimeAsync(10000);
    expect(model.activeJob?.job.source).toBe('magic');
    expect(model.activeJob?.title).toBe('Complete 02_doubling');
    expect(model.activeJob?.summary.steps).toHaveLength(1);
    expect(model.busy).toBe(true);

    server.modules[1] = { ...server.modules[1], state: 'complete' };
    server.finish('job-1');
    await jest.advanceTimersByTimeAsync(1000);
    expect(model.busy).toBe(false);
    expect(model.modules[1].state).toBe('complete');
  });

  it('stops following a job the server forgot', async () => {
    await model.runModuleAction('01_numbers', 'test');
    server.jobs = [];
    await jest.advanceTimersByTimeAsync(100);
    expect(model.busy).toBe(false);
    server.log = [];
    await jest.advanceTimersByTimeAsync(5000);
    expect(server.calls().filter(c => c.startsWith('GET jobs/'))).toEqual([]);
  });
});

describe('following a job on the event bus', () => {
  beforeEach(async () => {
    await model.start();
  });

  it('fetches new events as soon as the bus says the job moved', async () => {
    await model.runModuleAction('01_numbers', 'complete');
    server.log = [];
    const event: IEngineEvent = { event: 'step', step: 'export', state: 'running', module: '01_numbers' };
    server.emit('job-1', event);
    bus.emit(emission('job-1', 'running', event));
    await settle();
    expect(server.calls()).toEqual(['GET jobs/job-1?since=0']);
    expect(model.activeJob?.summary.steps).toHaveLength(1);
  });

  it('asks once at a time however many events arrive together', async () => {
    await model.runModuleAction('01_numbers', 'complete');
    server.log = [];
    for (let i = 0; i < 5; i++) {
      const event: IEngineEvent = { event: 'log', message: `line ${i}`, level: 'info' };
      server.emit('job-1', event);
      bus.emit(emission('job-1', 'running', event));
    }
    await settle();
    // The first answer brings the first event; one more request brings the other four.
    expect(server.calls()).toEqual(['GET jobs/job-1?since=0', 'GET jobs/job-1?since=1']);
    expect(model.activeJob?.events).toHaveLength(5);
  });

  describe('once the model has the job in step with the server', () => {
    /** A running job the model has fetched once (so the bus alone can carry it on). */
    async function following(): Promise<void> {
      await model.runModuleAction('01_numbers', 'complete');
      await jest.advanceTimersByTimeAsync(POLLING.jobMin);
      await settle();
      server.log = [];
    }
    const step = (state: 'running' | 'passed' | 'failed'): IEngineEvent => ({
      event: 'step',
      step: 'test',
      state,
      module: '01_numbers'
    });

    it('takes the events from the bus payloads without asking the server', async () => {
      await following();
      for (let i = 0; i < 5; i++) {
        const event: IEngineEvent = { event: 'log', message: `line ${i}`, level: 'info', time: i };
        server.emit('job-1', event);
        bus.emit(emission('job-1', 'running', event));
      }
      await settle();
      expect(server.calls()).toEqual([]);
      expect(model.activeJob?.events.map(e => (e.event === 'log' ? e.message : null))).toEqual([
        'line 0',
        'line 1',
        'line 2',
        'line 3',
        'line 4'
      ]);
      expect(model.activeJob?.summary.logs).toHaveLength(5);
    });

    it('polls only as the fallback, at its slowest, while the bus carries the job', async () => {
      await following();
      server.emit('job-1', step('running'));
      bus.emit(emission('job-1', 'running', step('running')));
      await settle();
      await jest.advanceTimersByTimeAsync(POLLING.jobMax - 1);
      expect(server.calls()).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      await settle();
      expect(server.calls()).toEqual(['GET jobs/job-1?since=1']);
      // The same event on the bus after a poll brought it is not counted twice.
      const late: IEngineEvent = { event: 'log', message: 'late', level: 'info', time: 9 };
      server.emit('job-1', late);
      await jest.advanceTimersByTimeAsync(POLLING.jobMax);
      await settle();
      bus.emit(emission('job-1', 'running', late));
      await settle();
      expect(model.activeJob?.events.filter(e => e.event === 'log' && e.message === 'late')).toHaveLength(1);
    });

    it('when the job ends, reads its result and the server’s whole list, so a lost bus event still shows', async () => {
      await following();
      const events = [step('running'), { event: 'collected', count: 2 } as IEngineEvent, step('passed')];
      events.forEach(e => server.emit('job-1', e));
      // The bus drops the middle one.
      bus.emit(emission('job-1', 'running', events[0]));
      bus.emit(emission('job-1', 'running', events[2]));
      await settle();
      expect(model.activeJob?.events).toHaveLength(2);

      server.finish('job-1');
      bus.emit(emission('job-1', 'succeeded'));
      await settle();
      expect(server.calls()).toEqual(['GET jobs/job-1?since=0', 'GET overview']);
      const view = model.jobs[0];
      expect(view.job.state).toBe('succeeded');
      expect(view.job.result?.summary).toBe('Done.');
      expect(view.events).toEqual(events);
      expect(view.summary.collected).toBe(2);
    });
  });

  it('shows a job started from a %tito cell and refreshes the course when it ends', async () => {
    server.addJob('module.complete', { modules: ['01_numbers'] }, 'magic');
    bus.emit(emission('job-1', 'running'));
    await settle();
    expect(model.activeJob?.job.source).toBe('magic');
    expect(model.activeJob?.title).toBe('Complete 01_numbers');

    server.modules[0] = { ...server.modules[0], state: 'complete', last_run: 1900 };
    server.finish('job-1');
    server.log = [];
    bus.emit(emission('job-1', 'succeeded'));
    await settle();
    expect(server.calls()).toEqual(['GET jobs/job-1?since=0', 'GET overview']);
    expect(model.busy).toBe(false);
    expect(model.modules[0].state).toBe('complete');
    expect(model.modulesComplete).toBe(1);
  });

  it('names the module of a %tito cell that names none, as the server says (job.modules)', async () => {
    // A second notebook in a module's folder belongs to that module: the engine's rule, which the sidebar (that
    // matched only the module's own notebook) does not repeat.
    server.addJob('module.complete', { modules: [] }, 'magic', 'modules/02_doubling/scratch.ipynb');
    bus.emit(emission('job-1', 'running'));
    await settle();
    expect(model.activeJob?.title).toBe('Complete 02_doubling');
    expect(model.activeJob?.modules).toEqual(['02_doubling']);
    server.finish('job-1');
    bus.emit(emission('job-1', 'succeeded'));
    await settle();
    // The server's word, whatever the notebook's name suggests.
    const entry = server.addJob('module.test', {}, 'magic', 'modules/02_doubling/02_doubling.ipynb');
    entry.job.modules = ['01_numbers'];
    bus.emit(emission('job-2', 'running', '', 'module.test'));
    await settle();
    expect(model.activeJob?.title).toBe('Test 01_numbers');
    expect(model.activeJob?.modules).toEqual(['01_numbers']);
  });

  it('ignores other schemas on the bus', async () => {
    server.log = [];
    bus.emit({ schema_id: 'https://events.jupyter.org/jupyter_server/contents_service/v1' });
    await settle();
    expect(server.calls()).toEqual([]);
  });

  it('stops listening when disposed', async () => {
    model.dispose();
    server.addJob('module.test', { modules: ['01_numbers'] }, 'magic');
    server.log = [];
    bus.emit(emission('job-1', 'running'));
    await settle();
    expect(server.calls()).toEqual([]);
  });
});

describe('the background look', () => {
  it('refreshes now and then while visible, less often while nothing changes', async () => {
    await model.start();
    server.log = [];
    await jest.advanceTimersByTimeAsync(10000);
    expect(server.calls().filter(c => c === 'GET overview')).toHaveLength(1);
    // Nothing changed: the next look waits 20 s.
    await jest.advanceTimersByTimeAsync(19000);
    expect(server.calls().filter(c => c === 'GET overview')).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(server.calls().filter(c => c === 'GET overview')).toHaveLength(2);
  });

  it('looks at the first interval again once something changed', async () => {
    await model.start();
    // Two looks, nothing new: the next waits 40 s.
    await jest.advanceTimersByTimeAsync(10000);
    await settle();
    await jest.advanceTimersByTimeAsync(20000);
    await settle();
    server.modules[0] = { ...server.modules[0], state: 'exported', last_run: 1500 };
    await jest.advanceTimersByTimeAsync(40000);
    await settle();
    expect(model.modules[0].state).toBe('exported');
    server.log = [];
    await jest.advanceTimersByTimeAsync(10000);
    await settle();
    expect(server.calls().filter(c => c === 'GET overview')).toHaveLength(1);
  });

  it('does not look while hidden', async () => {
    await model.start();
    model.setVisible(false);
    server.log = [];
    await jest.advanceTimersByTimeAsync(120000);
    expect(server.calls()).toEqual([]);
  });
});

describe('paths', () => {
  it('asks the server which module a notebook belongs to, once per notebook', async () => {
    await model.start();
    expect(model.contentsPath('modules/01_numbers/01_numbers.ipynb')).toBe('modules/01_numbers/01_numbers.ipynb');
    const changed = jest.fn();
    model.stateChanged.connect(changed);
    server.log = [];
    expect(model.moduleOfNotebook('modules/02_doubling/02_doubling.ipynb')).toBeNull(); // not asked yet
    await expect(model.lookUpNotebook('modules/02_doubling/02_doubling.ipynb')).resolves.toBe('02_doubling');
    expect(model.moduleOfNotebook('modules/02_doubling/02_doubling.ipynb')).toBe('02_doubling');
    expect(changed).toHaveBeenCalledTimes(1); // the palette's "current module" commands hear the answer
    // Any notebook in the module's folder, by the server's rule; and the server's word, not a rule of the sidebar.
    await model.lookUpNotebook('modules/01_numbers/notes/scratch.ipynb');
    expect(model.moduleOfNotebook('modules/01_numbers/notes/scratch.ipynb')).toBe('01_numbers');
    server.notebookModules['modules/02_doubling/odd.ipynb'] = null;
    await model.lookUpNotebook('modules/02_doubling/odd.ipynb');
    expect(model.moduleOfNotebook('modules/02_doubling/odd.ipynb')).toBeNull();
    await model.lookUpNotebook('scratch.ipynb');
    expect(model.moduleOfNotebook('scratch.ipynb')).toBeNull();
    // Asked once each: the answers are kept, also "none", and a question under way is not asked twice.
    await Promise.all([
      model.lookUpNotebook('scratch.ipynb'),
      model.lookUpNotebook('modules/02_doubling/02_doubling.ipynb')
    ]);
    server.notebookModules['a.ipynb'] = '01_numbers';
    expect(await Promise.all([model.lookUpNotebook('a.ipynb'), model.lookUpNotebook('a.ipynb')])).toEqual([
      '01_numbers',
      '01_numbers'
    ]);
    expect(server.calls()).toEqual([
      'GET notebook?path=modules%2F02_doubling%2F02_doubling.ipynb',
      'GET notebook?path=modules%2F01_numbers%2Fnotes%2Fscratch.ipynb',
      'GET notebook?path=modules%2F02_doubling%2Fodd.ipynb',
      'GET notebook?path=scratch.ipynb',
      'GET notebook?path=a.ipynb'
    ]);
  });

  it('asks again about a notebook once the course has other modules, or after no answer', async () => {
    await model.start();
    server.notebookModules['modules/03_new/03_new.ipynb'] = null;
    await model.lookUpNotebook('modules/03_new/03_new.ipynb');
    expect(model.moduleOfNotebook('modules/03_new/03_new.ipynb')).toBeNull();
    server.modules.push({ ...server.modules[1], id: '03_new', notebook: 'modules/03_new/03_new.ipynb' });
    server.notebookModules['modules/03_new/03_new.ipynb'] = '03_new';
    await model.refresh();
    await model.lookUpNotebook('modules/03_new/03_new.ipynb');
    expect(model.moduleOfNotebook('modules/03_new/03_new.ipynb')).toBe('03_new');

    request.mockImplementationOnce(() => Promise.reject(Object.assign(new Error('offline'), { status: 0 })));
    await expect(model.lookUpNotebook('later.ipynb')).resolves.toBeNull();
    server.notebookModules['later.ipynb'] = '01_numbers';
    await expect(model.lookUpNotebook('later.ipynb')).resolves.toBe('01_numbers');
    // A path the server refuses (400) is a notebook of no module, not asked again.
    await expect(model.lookUpNotebook('../x.ipynb')).resolves.toBeNull();
    server.log = [];
    await model.lookUpNotebook('../x.ipynb');
    expect(server.calls()).toEqual([]);
  });

  it('maps notebooks when the course sits below Jupyter’s root', async () => {
    model.dispose();
    model = makeModel({ serverRoot: '/home/student' });
    await model.start();
    expect(model.contentsPath('modules/01_numbers/01_numbers.ipynb')).toBe(
      'course/modules/01_numbers/01_numbers.ipynb'
    );
    await model.runModuleAction('01_numbers', 'export');
    expect(saved).toEqual([['course/modules/01_numbers/01_numbers.ipynb']]);
    // The server reads `notebook` relative to its root folder, as the contents API does.
    expect(server.log.find(l => l.method === 'POST')?.body).toEqual({
      notebook: 'course/modules/01_numbers/01_numbers.ipynb',
      source: 'sidebar'
    });
    expect(model.courseIsReachable).toBe(true);
  });

  it('knows when the course lies outside Jupyter’s root folder', async () => {
    model.dispose();
    model = makeModel({ serverRoot: '/home/student/course/modules' });
    await model.start();
    expect(model.courseIsReachable).toBe(false);
  });
});

describe('commands installed packages add', () => {
  it('lists none, and asks only once, when no package adds any', async () => {
    await model.start();
    expect(server.calls().filter(c => c === 'GET commands')).toHaveLength(1);
    expect(model.pluginCommands).toEqual([]);
    await model.refresh();
    expect(server.calls().filter(c => c === 'GET commands')).toHaveLength(1);
  });

  it('lists only the plugins’ commands, in the table’s order', async () => {
    server.commands.push(...HELLO_COMMANDS);
    await model.start();
    expect(model.pluginCommands.map(c => c.name)).toEqual(['hello.greet', 'hello.wave']);
  });

  it('lists tito benchmark with them, and no other built-in', async () => {
    server.commands.push(commandInfo('module.export'), commandInfo('benchmark'), ...HELLO_COMMANDS);
    await model.start();
    expect(model.pluginCommands.map(c => c.name)).toEqual(['benchmark', 'hello.greet', 'hello.wave']);
  });

  it('still shows the course when the list cannot be read', async () => {
    server.commandsError = new HttpError('You may not read this.', 403, 'forbidden');
    await model.start();
    expect(model.connection).toBe('ready');
    expect(model.modules).toHaveLength(2);
    expect(model.pluginCommands).toEqual([]);
    // The module verbs come from the table too: without it none is offered, and the student is told why.
    expect(model.moduleActions).toEqual([]);
    expect(model.actionError).toMatch(
      /Could not read tito's commands, so the sidebar offers none: You may not read this/
    );
  });

  it('offers the table’s module actions, and names jobs by it', async () => {
    await model.start();
    expect(model.moduleActions.map(c => c.name)).toEqual([
      'module.export',
      'module.test',
      'module.complete',
      'module.validate'
    ]);
    await model.runModuleAction('01_numbers', 'validate');
    expect(server.calls()).toContain('POST modules/01_numbers/validate');
    expect(model.activeJob?.title).toBe('Validate 01_numbers');
  });

  describe('run', () => {
    beforeEach(async () => {
      server.commands.push(...HELLO_COMMANDS);
      await model.start();
      server.log = [];
    });

    it('a bare command as a job of its own', async () => {
      const job = await model.runCommand('hello.wave');
      expect(job?.command).toBe('hello.wave');
      expect(server.log.find(l => l.method === 'POST')).toEqual({
        endPoint: 'jobs',
        method: 'POST',
        body: { command: 'hello.wave', source: 'sidebar' }
      });
      expect(saved).toEqual([[]]);
      expect(model.activeJob?.title).toBe('hello.wave');
      server.finish('job-1', 'succeeded', 'Waving at 2 modules.');
      await jest.advanceTimersByTimeAsync(POLLING.jobMin);
      await settle();
      expect(model.currentJob?.job.result?.summary).toBe('Waving at 2 modules.');
    });

    it('a module command for the module the server says comes next, saving its notebook first', async () => {
      server.modules[0] = { ...server.modules[0], state: 'complete' };
      await model.refresh();
      expect(model.nextModule).toBe('02_doubling');
      expect(model.commandModule).toBe('02_doubling');
      // The server's word, not a rule of the sidebar's (which would still say 02 here).
      server.nextModule = '01_numbers';
      await model.refresh();
      expect(model.commandModule).toBe('01_numbers');
      server.nextModule = null; // a course without modules to offer
      await model.refresh();
      expect(model.commandModule).toBeNull();
      server.nextModule = '02_doubling';
      await model.refresh();
      await model.runCommand('hello.greet');
      expect(saved).toEqual([['modules/02_doubling/02_doubling.ipynb']]);
      expect(server.log.find(l => l.method === 'POST')?.body).toEqual({
        command: 'hello.greet',
        args: { module: '02_doubling' },
        notebook: 'modules/02_doubling/02_doubling.ipynb',
        source: 'sidebar'
      });
      expect(model.activeJob?.title).toBe('hello.greet 02_doubling');
      expect(model.activeJob?.modules).toEqual(['02_doubling']);
    });

    it('a module command for the module the student picked, or the one given', async () => {
      const changed = jest.fn();
      model.stateChanged.connect(changed);
      model.setCommandModule('02_doubling');
      expect(changed).toHaveBeenCalledTimes(1);
      expect(model.commandModule).toBe('02_doubling');
      await model.runCommand('hello.greet');
      expect(server.jobs[0].job.args).toEqual({ module: '02_doubling' });
      server.finish('job-1');
      await jest.advanceTimersByTimeAsync(POLLING.jobMin);
      await settle();
      expect(model.busy).toBe(false);
      await model.runCommand('hello.greet', '01_numbers');
      expect(server.jobs[1].job.args).toEqual({ module: '01_numbers' });
    });

    it('refuses what it cannot run, in words', async () => {
      server.commands.push(commandInfo('hello.shout', { args: [arg('words')], source: 'tito-hello' }));
      model.dispose();
      model = makeModel();
      await model.start();
      server.log = [];
      expect(await model.runCommand('hello.shout')).toBeNull();
      expect(model.actionError).toMatch(/%tito hello shout/);
      expect(await model.runCommand('module.export')).toBeNull();
      expect(model.actionError).toMatch(/no command module.export/);
      expect(await model.runCommand('hello.greet', '09_nothing')).toBeNull();
      expect(model.actionError).toMatch(/Choose a module/);
      expect(server.calls().filter(c => c.startsWith('POST'))).toEqual([]);
    });

    it('not while another job runs', async () => {
      await model.runModuleAction('01_numbers', 'export');
      expect(await model.runCommand('hello.wave')).toBeNull();
      expect(model.actionError).toMatch(/Wait for “Export 01_numbers”/);
    });
  });
});
