/**
 * The shapes the tito REST API answers with, as the sidebar reads them.
 *
 * Each is the server's OpenAPI document's own schema (api.generated.ts, written by `npm run gen:types` from
 * tito_jupyter/server/openapi.json), named for the sidebar. Where the document leaves a part open (a module's
 * test counts, a result's error), the sidebar's reading of it is written here, on top of the document's type.
 */
import { components } from './api.generated';

type Schemas = components['schemas'];

/** `GET version`. */
export type IVersionInfo = Schemas['Version'];

/** The states a module goes through, in order. */
export type ModuleState = Schemas['ModuleRow']['state'];

/** A module's last test counts (the document says only "an object"). */
export interface ITestCounts {
  passed: number;
  failed: number;
  error: number;
  skipped?: number;
  total: number;
}

/** One row of `GET modules`. */
export type IModuleRow = Omit<Schemas['ModuleRow'], 'tests'> & { tests: ITestCounts | null };

/** `GET modules`. */
export type IModuleStatus = Omit<Schemas['ModuleStatus'], 'modules'> & { modules: IModuleRow[] };

export type CheckpointState = Schemas['CheckpointRow']['state'];

/** One row of `GET checkpoints`. */
export type ICheckpointRow = Schemas['CheckpointRow'];

/** `GET checkpoints`. */
export type ICheckpointStatus = Schemas['CheckpointStatus'];

/** One entry of `GET checkpoints/timeline`: a module, or a checkpoint after the module that unlocks it. */
export type ITimelineEntry = Schemas['Timeline']['timeline'][number];

/** `GET checkpoints/timeline`. */
export type ITimeline = Schemas['Timeline'];

/** `GET course`: the course's definitions (modules, checkpoints, milestones), no student state. */
export type ICourse = Schemas['Course'];

/** A milestone of `GET course`. */
export type ICourseMilestone = Schemas['CourseMilestone'];

/** `GET overview`: a sidebar refresh in one answer (modules, checkpoints, timeline, warnings, jobs). */
export type IOverview = Omit<Schemas['Overview'], 'modules' | 'jobs'> & { modules: IModuleRow[]; jobs: IJobAnswer[] };

/** `GET notebook?path=`: which module a notebook belongs to, by the server's (the engine's) rule. */
export type INotebookModule = Schemas['NotebookModule'];

/**
 * An engine event (the same in the CLI, the magics and the sidebar): the document's shape of its kind, told apart by
 * its `event` field (`step`, `collected`, `test`, `progress`, `log`, `graded`, `serving`).
 */
export type IEngineEvent = Schemas['Event'];

/** A `test` event: one test's outcome as it happens. */
export type ITestEvent = Schemas['TestEvent'];

export type JobState = Schemas['Job']['state'];

/** What a failed result says went wrong (the document says only "an object"). */
export interface IResultError {
  kind?: string;
  message?: string;
  hint?: string;
}

/** The engine's `Result.to_dict()`. */
export type IResult = Omit<Schemas['Result'], 'error'> & { error: IResultError | null };

/** A job as `GET jobs/{id}?since=N` answers it: `events` holds `events[since:]`. */
export type IJobAnswer = Omit<Schemas['Job'], 'result'> & { result: IResult | null };

/**
 * A job as the sidebar keeps it: its events live beside it (`IJobView`), and a job first heard of on the event
 * bus is known before `GET jobs/{id}` says where it came from (`origin`).
 */
export type IJob = Omit<IJobAnswer, 'events' | 'event_count' | 'origin'> &
  Partial<Pick<IJobAnswer, 'events' | 'event_count' | 'origin'>>;

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
export const API_VERSION: IVersionInfo['api'] = 1;

export const ACTIVE_JOB_STATES: ReadonlyArray<JobState> = ['queued', 'running'];

export function isActive(state: JobState): boolean {
  return ACTIVE_JOB_STATES.includes(state);
}

/** A REST action's word (`export`, `run`): the last word of a command the table makes an action. */
export type ActionWord = string;

/** One argument of a command (`GET commands`); `flags` empty means positional. */
export type ICommandArg = Schemas['CommandArg'];

/** One command of tito's command table (`GET commands`): a built-in, or one a package added. */
export type ICommandInfo = Schemas['Command'];

/** `GET commands`. */
export type ICommandList = Schemas['Commands'];
