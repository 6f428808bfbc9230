/**
 * A tito server in memory, answering `requestAPI` as docs/rest-api.md says, for the model's tests.
 *
 * Every answer and every error it gives is checked against the server's OpenAPI document (openapiContract.ts):
 * what breaks the document lands in `violations`, which the tests expect empty, so the fake cannot drift from the
 * real server's promise unnoticed.
 */
import {
  ICheckpointRow,
  IResultError,
  ICommandArg,
  ICommandInfo,
  ICourse,
  ICourseMilestone,
  IEngineEvent,
  IJobAnswer,
  IModuleRow,
  ITestEvent,
  ITimelineEntry,
  JobState
} from '../src/types';
import { IClassView } from '../src/classView';
import { contractViolation } from './openapiContract';

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason = ''
  ) {
    super(message);
  }
}

export interface IRequestLog {
  endPoint: string;
  method: string;
  body: unknown;
}

/** A `test` event as the engine sends it (every field of its kind), with ``fields`` over the defaults. */
export function testEvent(id: string, outcome: ITestEvent['outcome'], fields: Partial<ITestEvent> = {}): ITestEvent {
  return { event: 'test', id, outcome, phase: 'call', duration: 0.01, message: '', where: null, ...fields };
}

export function moduleRow(id: string, overrides: Partial<IModuleRow> = {}): IModuleRow {
  const [num, name] = id.split('_');
  return {
    id,
    number: Number(num),
    name,
    title: name[0].toUpperCase() + name.slice(1),
    notebook: `modules/${id}/${id}.ipynb`,
    export_target: `tinytorch.core.${name}`,
    targets: [`tinytorch/core/${name}.py`],
    requires: [],
    inline_tests: 3,
    test_files: [`tests/${id}/test_${name}.py`],
    problems: [],
    state: 'not_started',
    last_run: null,
    changed: false,
    completed_earlier: false,
    tests: null,
    missing_prerequisites: [],
    ...overrides
  };
}

/** One row of `GET checkpoints`, as the server answers it. */
export function checkpointRow(id: string, overrides: Partial<ICheckpointRow> = {}): ICheckpointRow {
  const [num, ...words] = id.replace(/^c/, '').split('_');
  const name = words.join('_');
  return {
    id,
    number: Number(num),
    name,
    question: `Can I do ${name} with my own functions?`,
    path: `checkpoints/${id}.py`,
    requires: [],
    unlocked_by: null,
    problems: [],
    state: 'ready',
    missing_modules: [],
    passed_at: null,
    last_run: null,
    ...overrides
  };
}

export function arg(name: string, overrides: Partial<ICommandArg> = {}): ICommandArg {
  return { name, help: name, flags: [], kind: 'str', nargs: null, choices: null, default: null, ...overrides };
}

export function commandInfo(name: string, overrides: Partial<ICommandInfo> = {}): ICommandInfo {
  return {
    name,
    path: name.split('.'),
    help: `Run ${name}.`,
    description: '',
    args: [],
    shortcut: false,
    long_running: false,
    acts_on: null,
    action: null,
    source: 'tito_jupyter',
    ...overrides
  };
}

const MODULES_ARG = arg('modules', { nargs: '*' });

/** The table's module and checkpoint actions (as tito_jupyter/commands.py has them), and a command of no resource. */
export const BUILTIN_COMMANDS: ICommandInfo[] = [
  ...['export', 'test', 'complete', 'validate'].map(word =>
    commandInfo(`module.${word}`, {
      help: `The ${word} of a module.`,
      args: [MODULES_ARG, arg('all_', { flags: ['--all'], kind: 'bool' })],
      acts_on: 'module',
      shortcut: true,
      long_running: true,
      action: word
    })
  ),
  commandInfo('module.status', { args: [MODULES_ARG], acts_on: 'module', shortcut: true, action: null }),
  ...['test', 'run'].map(word =>
    commandInfo(`checkpoint.${word}`, {
      args: [arg('checkpoint')],
      acts_on: 'checkpoint',
      long_running: true,
      action: word
    })
  ),
  commandInfo('system.doctor', { action: null })
];

/** What the tito-hello package adds (the same plugin the Python tests install). */
export const HELLO_COMMANDS: ICommandInfo[] = [
  commandInfo('hello.greet', {
    help: 'Say hello to a module.',
    args: [arg('module')],
    acts_on: 'module',
    source: 'tito-hello'
  }),
  commandInfo('hello.wave', { help: 'Wave at the course.', source: 'tito-hello' })
];

/** The body of a POST, as far as the fake reads it. */
interface IPostBody {
  command?: string;
  args?: Record<string, unknown>;
  notebook?: string;
  source?: string;
}

interface IServerJob {
  job: IJobAnswer;
  events: IEngineEvent[];
}

export class FakeServer {
  version: unknown = { version: '0.1.0', api: 1 };
  versionError: HttpError | null = null;
  root = '/home/student/course';
  modules: IModuleRow[] = [
    moduleRow('01_numbers'),
    moduleRow('02_doubling', { requires: ['01_numbers'], missing_prerequisites: ['01_numbers'] })
  ];
  checkpoints: ICheckpointRow[] = [
    checkpointRow('c01_arithmetic', {
      question: 'Can I do arithmetic with my own functions?',
      requires: ['01_numbers', '02_doubling'],
      unlocked_by: '02_doubling',
      state: 'locked',
      missing_modules: ['01_numbers', '02_doubling']
    })
  ];
  /** The course's milestones (`GET course`). */
  milestones: ICourseMilestone[] = [
    {
      id: 'm1957_perceptron',
      year: 1957,
      name: 'perceptron',
      title: 'The perceptron',
      script: 'milestones/01_1957_perceptron/perceptron.py',
      requires: ['01_numbers', '02_doubling'],
      problems: []
    }
  ];
  /**
   * The overview's `next_module`; by default the engine's rule (the first module not complete, else the first).
   * Tests set it to show the sidebar takes the server's word.
   */
  nextModule: string | null | undefined = undefined;
  /** `GET notebook?path=`: contents path -> module; by default the engine's rule (any notebook in its folder). */
  notebookModules: Record<string, string | null> = {};
  /** What `GET modules`, `GET checkpoints`, `GET checkpoints/timeline` and `GET overview` warn about. */
  warnings: string[] = [];
  /** `GET commands`: the built-ins the sidebar offers, and one it does not; tests add plugin commands. */
  commands: ICommandInfo[] = [...BUILTIN_COMMANDS];
  commandsError: HttpError | null = null;
  /** `GET class`: a student's answer unless a test makes the user an instructor. */
  classView: IClassView = { instructor: false, reason: 'not an instructor of this course', class: null, message: null };
  jobs: IServerJob[] = [];
  log: IRequestLog[] = [];
  /** An error the next POST answers with. */
  postError: HttpError | null = null;
  private _next = 1;

  /** What the fake answered that the OpenAPI document does not allow (the tests expect none). */
  violations: string[] = [];
  /**
   * Set by tests of a server from another version (the handshake's mismatch): its answers follow another
   * document, so they are not checked against this one.
   */
  foreign = false;

  /** The `requestAPI` stand-in: the answer, checked against the OpenAPI document. */
  handle = (endPoint: string, init: RequestInit = {}): Promise<unknown> => {
    const method = init.method ?? 'GET';
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    this.log.push({ endPoint, method, body });
    const path = endPoint.split('?')[0];
    let answer: unknown;
    try {
      answer = this._answer(endPoint, method, body as IPostBody | undefined);
    } catch (error) {
      if (error instanceof HttpError) {
        this._check(method, path, error.status, { message: error.message, reason: error.reason });
      }
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this._check(method, path, method === 'POST' ? 202 : 200, answer);
    // As over HTTP: the client gets its own copy, never the server's objects.
    return Promise.resolve(answer === undefined ? answer : JSON.parse(JSON.stringify(answer)));
  };

  private _check(method: string, path: string, status: number, body: unknown): void {
    // Status 0 is no answer at all (the server could not be reached): nothing to check.
    const violation = this.foreign || status === 0 ? null : contractViolation(method, path, status, body);
    if (violation) {
      this.violations.push(violation);
    }
  }

  private _answer(endPoint: string, method: string, body: IPostBody | undefined): unknown {
    const [path, query] = endPoint.split('?');
    const parts = path.split('/').map(decodeURIComponent);

    if (path === 'version') {
      if (this.versionError) {
        throw this.versionError;
      }
      return this.version;
    }
    if (path === 'course') {
      return this.course();
    }
    if (path === 'modules' && method === 'GET') {
      return { ...this._moduleStatus(), warnings: this.warnings };
    }
    if (path === 'checkpoints') {
      const passed = this._checkpointsPassed();
      return { checkpoints: this.checkpoints, passed, total: this.checkpoints.length, warnings: this.warnings };
    }
    if (path === 'checkpoints/timeline') {
      return { timeline: this._timeline(), warnings: this.warnings };
    }
    if (path === 'notebook') {
      const notebook = new URLSearchParams(query ?? '').get('path') ?? '';
      if (!notebook || notebook.includes('..')) {
        throw new HttpError('Say which notebook.', 400, 'invalid_notebook');
      }
      return { notebook, module: this.moduleOfNotebook(notebook) };
    }
    if (path === 'overview') {
      const next = this.modules.find(m => m.state !== 'complete') ?? this.modules[0];
      return {
        ...this._moduleStatus(),
        next_module: this.nextModule === undefined ? (next?.id ?? null) : this.nextModule,
        checkpoints: this.checkpoints,
        checkpoints_passed: this._checkpointsPassed(),
        timeline: this._timeline(),
        warnings: this.warnings,
        jobs: this._jobList()
      };
    }
    if (path === 'class') {
      return this.classView;
    }
    if (path === 'commands') {
      if (this.commandsError) {
        throw this.commandsError;
      }
      return { commands: this.commands };
    }
    if (path === 'jobs' && method === 'POST') {
      const command = this.commands.find(c => c.name === body?.command);
      if (!command) {
        throw new HttpError(`There is no command '${body?.command}'.`, 400, 'unknown_command');
      }
      return this.addJob(command.name, body?.args ?? {}, body?.source ?? 'rest', body?.notebook ?? null).job;
    }
    if (path === 'jobs' && method === 'GET') {
      return { jobs: this._jobList() };
    }
    if (parts[0] === 'jobs' && parts.length === 2) {
      const found = this.jobs.find(j => j.job.id === parts[1]);
      if (!found) {
        throw new HttpError(`No job ${parts[1]}.`, 404, 'not_found');
      }
      if (method === 'DELETE') {
        this.finish(found.job.id, 'cancelled');
        return found.job;
      }
      const since = Number(new URLSearchParams(query ?? '').get('since') ?? 0);
      return { ...found.job, events: found.events.slice(since), event_count: found.events.length };
    }
    if (method === 'POST' && (parts[0] === 'modules' || parts[0] === 'checkpoints') && parts.length === 3) {
      if (this.postError) {
        const error = this.postError;
        this.postError = null;
        throw error;
      }
      const command = `${parts[0] === 'modules' ? 'module' : 'checkpoint'}.${parts[2]}`;
      const args = parts[0] === 'modules' ? { modules: [parts[1]] } : { checkpoint: parts[1] };
      return this.addJob(command, args, 'sidebar').job;
    }
    throw new HttpError(`No route ${method} ${endPoint}`, 404);
  }

  /** `GET course`: the course's definitions (the data of module.list), no student state. */
  course(): ICourse {
    return {
      root: this.root,
      package: 'tinytorch',
      modules: this.modules.map(m => ({
        id: m.id,
        number: m.number,
        name: m.name,
        title: m.title,
        notebook: m.notebook,
        export_target: m.export_target,
        targets: m.targets,
        requires: m.requires,
        inline_tests: m.inline_tests,
        test_files: m.test_files,
        problems: m.problems
      })),
      checkpoints: this.checkpoints.map(c => ({
        id: c.id,
        number: c.number,
        name: c.name,
        question: c.question,
        path: c.path,
        requires: c.requires,
        unlocked_by: c.unlocked_by,
        problems: c.problems
      })),
      milestones: this.milestones
    };
  }

  private _moduleStatus(): { modules: IModuleRow[]; complete: number; total: number } {
    const complete = this.modules.filter(m => m.state === 'complete').length;
    return { modules: this.modules, complete, total: this.modules.length };
  }

  private _checkpointsPassed(): number {
    return this.checkpoints.filter(c => c.state === 'passed').length;
  }

  /** Each module in order, then the checkpoints it unlocks; those no module unlocks last (engine/checkpoints.py). */
  private _timeline(): ITimelineEntry[] {
    const entry = (c: ICheckpointRow): ITimelineEntry => ({
      kind: 'checkpoint',
      id: c.id,
      title: c.question,
      state: c.state
    });
    return [
      ...this.modules.flatMap(m => [
        { kind: 'module' as const, id: m.id, title: m.title, state: m.state },
        ...this.checkpoints.filter(c => c.unlocked_by === m.id).map(entry)
      ]),
      ...this.checkpoints.filter(c => c.unlocked_by === null).map(entry)
    ];
  }

  /** `GET jobs`: newest first. */
  private _jobList(): IJobAnswer[] {
    return this.jobs.map(j => ({ ...j.job, event_count: j.events.length })).reverse();
  }

  /** The engine's rule, as the fake knows it: a notebook anywhere in a module's folder belongs to it. */
  moduleOfNotebook(notebook: string): string | null {
    if (notebook in this.notebookModules) {
      return this.notebookModules[notebook];
    }
    const folder = (m: IModuleRow) => m.notebook.slice(0, m.notebook.lastIndexOf('/') + 1);
    return this.modules.find(m => notebook.startsWith(folder(m)))?.id ?? null;
  }

  /** The modules a job works on, as the server says them (engine/modules.modules_meant). */
  private _modulesMeant(command: string, args: Record<string, unknown>, notebook: string | null): string[] {
    if (!command.startsWith('module.') && !this.commands.some(c => c.name === command && c.acts_on === 'module')) {
      return [];
    }
    if (args.all_ === true) {
      return this.modules.map(m => m.id);
    }
    if (Array.isArray(args.modules) && args.modules.length) {
      return args.modules.map(String);
    }
    if (typeof args.module === 'string') {
      return [args.module];
    }
    const module = notebook === null ? null : this.moduleOfNotebook(notebook);
    return module ? [module] : [];
  }

  addJob(command: string, args: Record<string, unknown>, source: string, notebook: string | null = null): IServerJob {
    const job: IJobAnswer = {
      id: `job-${this._next++}`,
      command,
      args,
      notebook,
      modules: this._modulesMeant(command, args, notebook),
      source,
      origin: 'server',
      state: 'running',
      result: null,
      created: 1000 + this._next,
      started: 1000 + this._next,
      finished: null,
      event_count: 0,
      events: []
    };
    const entry = { job, events: [] };
    this.jobs.push(entry);
    return entry;
  }

  emit(jobId: string, event: IEngineEvent): void {
    this.jobs.find(j => j.job.id === jobId)!.events.push(event);
  }

  finish(jobId: string, state: JobState = 'succeeded', summary = 'Done.', error: IResultError | null = null): void {
    const entry = this.jobs.find(j => j.job.id === jobId)!;
    entry.job = {
      ...entry.job,
      state,
      finished: 2000,
      result: {
        command: entry.job.command,
        ok: state === 'succeeded',
        summary,
        data: {},
        error,
        duration: 1
      }
    };
  }

  /** Requests made, as "GET jobs/job-1?since=0" lines. */
  calls(): string[] {
    return this.log.map(l => `${l.method} ${l.endPoint}`);
  }
}
