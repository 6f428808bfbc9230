/**
 * What a job's engine events mean for people: its steps, its progress and its tests.
 *
 * Pure functions over the event list, so the sidebar renders the same picture whether the events
 * arrived live on the event bus or all at once from `GET jobs/{id}`.
 */
import { jobVerb } from './commands';
import { ICommandInfo, IEngineEvent, IJob, IResult, ITestCounts, JobState } from './types';

export interface IStepView {
  /** `export`, `test`, `checkpoint` or `record`. */
  step: string;
  /** `running`, `passed`, `failed` or `skipped`. */
  state: string;
  module: string | null;
  checkpoint: string | null;
  message: string | null;
}

export interface ITestView {
  /** The pytest node id, relative to the course root (`modules/01_x/01_x.ipynb::test_unit_y`). */
  id: string;
  /** The test function's name. */
  name: string;
  /** The file the test lives in, relative to the course root. */
  file: string;
  /** `passed`, `failed`, `error` or `skipped`. */
  outcome: string;
  message: string;
  where: string | null;
  /** The module being tested when this test ran, if the events said. */
  module: string | null;
}

export interface IProgressView {
  done: number;
  total: number;
  label: string;
}

/**
 * One run of pytest within a job: a module's tests or a checkpoint. A Complete has several (its tests, then
 * each checkpoint it unlocks), so they are counted apart and never summed against each other.
 */
export interface ITestRun {
  /** `test` (a module's tests) or `checkpoint`. */
  step: string;
  module: string | null;
  checkpoint: string | null;
  /** How many tests pytest collected for this run, when it said. */
  collected: number | null;
  passed: number;
  /** Failed or errored. */
  failed: number;
  /** Tests that reported so far. */
  reported: number;
}

/** The counts a test run line shows. */
export interface IRunCounts {
  passed: number;
  failed: number;
  total: number;
}

export interface IJobSummary {
  steps: IStepView[];
  /** Each pytest run of the job, in order, with its own counts. */
  runs: ITestRun[];
  progress: IProgressView | null;
  /** How many tests pytest collected in the current test step. */
  collected: number | null;
  tests: ITestView[];
  failures: ITestView[];
  logs: { message: string; level: string }[];
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** An event's field as text: a string or a number as it is, anything else (missing, an object) as `fallback`. */
function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
}

/** Fold a job's events into the picture the sidebar shows. */
export function summarize(events: ReadonlyArray<IEngineEvent>): IJobSummary {
  const steps: IStepView[] = [];
  const tests: ITestView[] = [];
  const logs: { message: string; level: string }[] = [];
  let progress: IProgressView | null = null;
  let collected: number | null = null;
  let currentModule: string | null = null;
  const runs: ITestRun[] = [];
  let run: ITestRun | null = null;

  for (const event of events) {
    switch (event.event) {
      case 'step': {
        const step: IStepView = {
          step: str(event.step),
          state: str(event.state),
          module: text(event.module),
          checkpoint: text(event.checkpoint),
          message: text(event.message)
        };
        currentModule = step.module ?? currentModule;
        // A step reports `running` then its outcome: keep one line per step and subject.
        const same = steps.findIndex(
          s => s.step === step.step && s.module === step.module && s.checkpoint === step.checkpoint
        );
        if (same >= 0) {
          steps[same] = { ...step, message: step.message ?? steps[same].message };
        } else {
          steps.push(step);
        }
        if (TEST_STEPS.includes(step.step) && step.state === 'running') {
          collected = null;
          run = newRun(step.step, step.module, step.checkpoint);
          runs.push(run);
        }
        break;
      }
      case 'collected':
        collected = Number(event.count ?? 0);
        if (!run) {
          run = newRun('test', currentModule, null);
          runs.push(run);
        }
        run.collected = collected;
        break;
      case 'test': {
        const id = str(event.id);
        const parts = id.split('::');
        const outcome = str(event.outcome);
        if (!run) {
          run = newRun('test', currentModule, null);
          runs.push(run);
        }
        run.reported += 1;
        run.passed += outcome === 'passed' ? 1 : 0;
        run.failed += outcome === 'failed' || outcome === 'error' ? 1 : 0;
        tests.push({
          id,
          name: parts[parts.length - 1] || id,
          file: parts.length > 1 ? parts[0] : '',
          outcome,
          message: str(event.message),
          where: text(event.where),
          module: currentModule
        });
        break;
      }
      case 'progress':
        progress = {
          done: Number(event.done ?? 0),
          total: Number(event.total ?? 0),
          label: str(event.label)
        };
        break;
      case 'log':
        logs.push({ message: str(event.message), level: str(event.level, 'info') });
        break;
    }
  }
  const failures = tests.filter(t => t.outcome === 'failed' || t.outcome === 'error');
  return { steps, runs, progress, collected, tests, failures, logs };
}

/** The steps whose events carry tests. */
const TEST_STEPS = ['test', 'checkpoint'];

function newRun(step: string, module: string | null, checkpoint: string | null): ITestRun {
  return { step, module, checkpoint, collected: null, passed: 0, failed: 0, reported: 0 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asCounts(value: unknown): ITestCounts | null {
  return isRecord(value) && typeof value.total === 'number' ? (value as unknown as ITestCounts) : null;
}

/**
 * What the job's result says this run counted: `module.test` and `module.complete` report per module (complete
 * per step), `checkpoint.run`/`test` report the checkpoint's run. Null when the result does not say.
 */
function resultCounts(run: ITestRun, result: IResult | null): ITestCounts | null {
  const data = result?.data;
  if (!isRecord(data)) {
    return null;
  }
  if (run.step === 'checkpoint' && data.checkpoint === run.checkpoint) {
    return asCounts(data.counts);
  }
  const modules = Array.isArray(data.modules) ? data.modules.filter(isRecord) : [];
  for (const report of modules) {
    const steps = Array.isArray(report.steps) ? report.steps.filter(isRecord) : [];
    const step = steps.find(
      s =>
        s.step === run.step &&
        (run.step === 'checkpoint' ? s.checkpoint === run.checkpoint : report.module === run.module)
    );
    if (step) {
      return asCounts(step.counts);
    }
    if (run.step === 'test' && report.module === run.module && !steps.length) {
      return asCounts(report.counts);
    }
  }
  return null;
}

/** A run's counts: the result's once the job has one, else what its events said so far. */
export function runCounts(run: ITestRun, result: IResult | null): IRunCounts {
  const counts = resultCounts(run, result);
  if (counts) {
    return {
      passed: counts.passed ?? 0,
      failed: (counts.failed ?? 0) + (counts.error ?? 0),
      total: counts.total
    };
  }
  return { passed: run.passed, failed: run.failed, total: Math.max(run.collected ?? 0, run.reported) };
}

/**
 * A job's title for people: "Complete 01_tensor", "Run checkpoint c01_tensors", by its command in the table
 * (`commands`, from `GET commands`); a command the table does not have is named as it is.
 */
export function describeJob(
  job: Pick<IJob, 'command' | 'args'> & Partial<Pick<IJob, 'modules'>>,
  commands: readonly ICommandInfo[] = []
): string {
  const command = commands.find(c => c.name === job.command);
  const verb = command ? jobVerb(command) : job.command;
  const args = job.args ?? {};
  const subjects: string[] = [];
  if (Array.isArray(args.modules)) {
    subjects.push(...args.modules.map(String));
  } else if (typeof args.module === 'string') {
    subjects.push(args.module);
  }
  if (typeof args.checkpoint === 'string') {
    subjects.push(args.checkpoint);
  }
  if (args.all_ === true) {
    subjects.push('all modules');
  }
  if (!subjects.length) {
    // Named by none of its arguments: the modules the server says it works on (its notebook's, for a `%tito` cell).
    subjects.push(...(job.modules ?? []));
  }
  return subjects.length ? `${verb} ${subjects.join(', ')}` : verb;
}

const STATE_LABELS: Record<JobState, string> = {
  queued: 'Waiting',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  timed_out: 'Timed out'
};

export function jobStateLabel(state: JobState): string {
  return STATE_LABELS[state] ?? state;
}

/**
 * The fraction of the job done, 0..1, or null when unknown.
 *
 * While tests run, the share of collected tests that reported; otherwise the latest progress event.
 */
export function progressFraction(summary: IJobSummary, state: JobState): number | null {
  if (state === 'succeeded') {
    return 1;
  }
  const p = summary.progress;
  if (!p || p.total <= 0) {
    return null;
  }
  return Math.max(0, Math.min(1, p.done / p.total));
}
