/**
 * The shapes the tito REST API answers with (docs/rest-api.md), as the sidebar reads them.
 */

/** `GET version`. */
export interface IVersionInfo {
  version: string;
  api: number;
}

/** The states a module goes through, in order. */
export type ModuleState = 'not_started' | 'exported' | 'tests_failing' | 'tests_passing' | 'complete';

export interface ITestCounts {
  passed: number;
  failed: number;
  error: number;
  skipped?: number;
  total: number;
}

/** One row of `GET modules`. */
export interface IModuleRow {
  id: string;
  number: number;
  name: string;
  title: string;
  /** Relative to the course root. */
  notebook: string;
  export_target: string | null;
  requires: string[];
  state: ModuleState;
  /** Seconds since the epoch. */
  last_run: number | null;
  changed: boolean;
  /** Complete once, then a later test run failed (its state is then `tests_failing`). */
  completed_earlier: boolean;
  tests: ITestCounts | null;
  missing_prerequisites: string[];
}

/** `GET modules`. */
export interface IModuleStatus {
  modules: IModuleRow[];
  complete: number;
  total: number;
  warnings: string[];
}

export type CheckpointState = 'locked' | 'ready' | 'passed' | 'failed';

/** One row of `GET checkpoints`. */
export interface ICheckpointRow {
  id: string;
  question: string;
  requires: string[];
  unlocked_by: string | null;
  state: CheckpointState;
  missing_modules: string[];
  passed_at: number | null;
}

/** `GET checkpoints`. */
export interface ICheckpointStatus {
  checkpoints: ICheckpointRow[];
  passed: number;
  total: number;
}

export interface ITimelineEntry {
  kind: 'module' | 'checkpoint';
  id: string;
  title: string;
  state: ModuleState | CheckpointState;
}

/** `GET checkpoints/timeline`. */
export interface ITimeline {
  timeline: ITimelineEntry[];
}

/** `GET course` (only what the sidebar uses). */
export interface ICourse {
  root: string;
  package: string;
}

/** An engine event (the same in the CLI, the magics and the sidebar). */
export interface IEngineEvent {
  event: 'step' | 'collected' | 'test' | 'progress' | 'log' | string;
  time?: number;
  [key: string]: unknown;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';

/** The engine's `Result.to_dict()`. */
export interface IResult {
  command: string;
  ok: boolean;
  summary: string;
  data: Record<string, unknown>;
  error: { kind?: string; message?: string; hint?: string } | null;
  duration: number;
}

/** A job as the server reports it; `events` holds `events[since:]` of `GET jobs/{id}?since=N`. */
export interface IJob {
  id: string;
  command: string;
  args: Record<string, unknown>;
  notebook: string | null;
  source: string;
  /** `server`: a job the server runs; `terminal`: `tito` typed in a terminal, which the server follows. */
  origin?: 'server' | 'terminal' | string;
  state: JobState;
  events?: IEngineEvent[];
  event_count?: number;
  result: IResult | null;
  created: number | null;
  started: number | null;
  finished: number | null;
}

/** The payload of an event on jupyter_server's event bus with the tito job schema. */
export interface IJobEmission {
  schema_id: string;
  job_id: string;
  command: string;
  state: JobState;
  /** The engine event as a JSON string, or "" for a bare state change. */
  event: string;
}

/** The schema id of tito's job events on the server's event bus. */
export const JOB_EVENT_SCHEMA = 'https://tito-jupyter.org/events/job';

/** The REST API version this sidebar speaks. */
export const API_VERSION = 1;

export const ACTIVE_JOB_STATES: ReadonlyArray<JobState> = ['queued', 'running'];

export function isActive(state: JobState): boolean {
  return ACTIVE_JOB_STATES.includes(state);
}

export type ModuleAction = 'export' | 'test' | 'complete';
export type CheckpointAction = 'run' | 'test';

/** One argument of a command (`GET commands`); `flags` empty means positional. */
export interface ICommandArg {
  name: string;
  help: string;
  flags: string[];
  kind: 'str' | 'int' | 'float' | 'bool' | 'seconds' | 'path' | 'database' | string;
  nargs: '?' | '*' | '+' | null;
  choices: string[] | null;
  default: unknown;
}

/** One command of tito's command table (`GET commands`): a built-in, or one a package added. */
export interface ICommandInfo {
  /** The dotted name `POST jobs` takes (`hello.greet`). */
  name: string;
  path: string[];
  help: string;
  description?: string;
  args: ICommandArg[];
  shortcut?: boolean;
  long_running: boolean;
  acts_on: string | null;
  /** `tito_jupyter` for built-ins, else the name of the package that added it. */
  source: string;
}

/** `GET commands`. */
export interface ICommandList {
  commands: ICommandInfo[];
}
