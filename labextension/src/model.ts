/**
 * The sidebar's model: what the server says about the course, its checkpoints and its jobs.
 *
 * It asks the REST API through `requestAPI`, follows jobs on the server's event bus (and, as a fallback,
 * by polling with back-off), and tells its views through `stateChanged`. No React and no JupyterLab widgets
 * here, so tests drive it with the request layer mocked.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { isMoreCommand, moduleActions, moduleArgs, runMode } from './commands';
import { lockedBecause } from './format';
import { IJobSummary, describeJob, summarize } from './jobs';
import { courseFolder, toContentsPath } from './paths';
import { TitoRequestError, requestAPI } from './request';
import {
  API_VERSION,
  ActionWord,
  ICheckpointRow,
  ICommandInfo,
  ICommandList,
  ICourse,
  IEngineEvent,
  IJob,
  IJobEmission,
  IModuleRow,
  INotebookModule,
  IOverview,
  ITimelineEntry,
  IVersionInfo,
  JOB_EVENT_SCHEMA,
  isActive
} from './types';
import { FRONTEND_VERSION } from './version.generated';

/** Where the sidebar stands with the server extension. */
export type Connection = 'connecting' | 'ready' | 'missing' | 'mismatch' | 'unreachable';

/** A job with the events received so far and what they mean. */
export interface IJobView {
  job: IJob;
  events: IEngineEvent[];
  summary: IJobSummary;
  title: string;
  /** The modules it works on (for a `%tito` cell without names, the notebook's module). */
  modules: string[];
}

/** Anything that emits the server's events, like `app.serviceManager.events.stream`. */
export interface IEventSource {
  connect(slot: (sender: unknown, emission: { schema_id: string }) => void, thisArg?: unknown): boolean;
  disconnect(slot: (sender: unknown, emission: { schema_id: string }) => void, thisArg?: unknown): boolean;
}

export interface IModelOptions {
  /** The server's event bus; without it, jobs are followed by polling alone. */
  events?: IEventSource | null;
  /** Saves these notebooks (contents paths) if they are open with unsaved changes. */
  saveNotebooks?: (paths: string[]) => Promise<void>;
  /** The server's root directory (PageConfig `serverRoot`), to turn course paths into contents paths. */
  serverRoot?: string;
  /** The version this frontend was built as; the server extension must say the same. */
  frontendVersion?: string;
  /** Polling intervals in milliseconds. */
  polling?: Partial<IPolling>;
}

export interface IPolling {
  /** First delay between `GET jobs/{id}` while a job runs; it grows while nothing new arrives. */
  jobMin: number;
  jobMax: number;
  /** Delay between background refreshes (jobs from `%tito` cells, terminals); grows while nothing changes. */
  idleMin: number;
  idleMax: number;
  factor: number;
}

const DEFAULT_POLLING: IPolling = { jobMin: 500, jobMax: 5000, idleMin: 5000, idleMax: 60000, factor: 1.5 };

/** What the jobs this panel starts say they came from. */
const SOURCE = 'sidebar';

/** How many finished jobs the model remembers. */
const KEEP_JOBS = 20;

const NOT_RUNNING =
  'The tito server extension is not running in this Jupyter server, so the sidebar cannot show your course. ' +
  'Install tito-jupyter in the environment that runs JupyterLab (`pip install tito-jupyter`), check that ' +
  '`jupyter server extension list` shows tito_jupyter enabled, then restart JupyterLab and reload this page.';

/** How the model follows one running job: a poll of `GET jobs/{id}`, slower while nothing new arrives. */
interface ITracker {
  poll: Poll;
  /** The wait before the next look; the poll reads it (its `frequency`) when it schedules that look. */
  delay: number;
  inflight: boolean;
  again: boolean;
  /** Events came from the bus: once it says the job ended, the next fetch takes the server's whole list. */
  fromBus: boolean;
  /** The bus said the job ended. */
  endedOnBus: boolean;
}

/** How many of a job's latest events a bus event is compared with, to drop one a poll already brought. */
const BUS_DEDUP_WINDOW = 50;

export class TitoModel implements IDisposable {
  constructor(options: IModelOptions = {}) {
    this._events = options.events ?? null;
    this._saveNotebooks = options.saveNotebooks ?? (() => Promise.resolve());
    this._serverRoot = options.serverRoot ?? '';
    this.frontendVersion = options.frontendVersion ?? FRONTEND_VERSION;
    this._polling = { ...DEFAULT_POLLING, ...options.polling };
    this._idleDelay = this._polling.idleMin;
    this._idle = new Poll({
      auto: false,
      name: 'tito:background-look',
      factory: () => this._look(),
      frequency: { interval: this._idleDelay, max: this._polling.idleMax, backoff: false },
      // Hidden, or not connected: the poll keeps its turn without asking the server.
      standby: () => !this._visible || this.connection !== 'ready'
    });
    // Lumino binds the slot to `this` (its second argument), and the same pair disconnects it in `dispose`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this._events?.connect(this._onEmission, this);
  }

  /** Emitted whenever anything the views show changes. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  readonly frontendVersion: string;
  connection: Connection = 'connecting';
  /** Why the sidebar cannot work, in words for the student (empty when it can). */
  connectionMessage = '';
  serverVersion: string | null = null;

  course: ICourse | null = null;
  modules: IModuleRow[] = [];
  modulesComplete = 0;
  modulesTotal = 0;
  /** The module to work on next, as the server says (the overview's `next_module`). */
  nextModule: string | null = null;
  checkpoints: ICheckpointRow[] = [];
  checkpointsPassed = 0;
  checkpointsTotal = 0;
  timeline: ITimelineEntry[] = [];
  /** Newest first. */
  jobs: IJobView[] = [];
  /** Why the course could not be read (for example, Jupyter does not run in a course folder). */
  loadError: string | null = null;
  /** Why the last action did not start. */
  actionError: string | null = null;
  warnings: string[] = [];
  /** tito's command table (`GET commands`): every command a job may run, built-ins first. */
  commands: ICommandInfo[] = [];
  /** Commands that installed packages add to tito, and those of tito's own offered with them (`MORE_BUILTINS`). */
  pluginCommands: ICommandInfo[] = [];

  /** The commands a module's row and the palette offer (the table's REST actions on a module), in its order. */
  get moduleActions(): ICommandInfo[] {
    return moduleActions(this.commands);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  get visible(): boolean {
    return this._visible;
  }

  /** The job that runs now (or waits to), if any. */
  get activeJob(): IJobView | null {
    return this.jobs.find(j => isActive(j.job.state)) ?? null;
  }

  /** True while a job runs: actions that would start another one are off. */
  get busy(): boolean {
    return this.activeJob !== null;
  }

  /** The job the panel shows in detail: the running one, or else the newest. */
  get currentJob(): IJobView | null {
    return this.activeJob ?? this.jobs[0] ?? null;
  }

  /** Check the server extension is there and speaks our version, then load the course. */
  async start(): Promise<void> {
    this.connection = 'connecting';
    this._emit();
    let info: IVersionInfo;
    try {
      info = await requestAPI<IVersionInfo>('version');
    } catch (error) {
      const failure = error as TitoRequestError;
      if (failure.status === 404) {
        this._setConnection('missing', NOT_RUNNING);
      } else if (failure.status === 0) {
        this._setConnection('unreachable', failure.message);
      } else {
        this._setConnection('missing', `${NOT_RUNNING} (The server answered: ${failure.message})`);
      }
      return;
    }
    this.serverVersion = info?.version ?? null;
    if (!info || info.version !== this.frontendVersion || info.api !== API_VERSION) {
      this._setConnection(
        'mismatch',
        `This sidebar is version ${this.frontendVersion} (API ${API_VERSION}) but the tito server extension is ` +
          `version ${info?.version ?? 'unknown'} (API ${info?.api ?? 'unknown'}). They come from the same ` +
          'package: reinstall tito-jupyter (`pip install --force-reinstall tito-jupyter`), restart JupyterLab and ' +
          'reload this page.'
      );
      return;
    }
    this._setConnection('ready', '');
    await Promise.all([this.refresh(), this._loadCommands()]);
    this._scheduleIdle();
  }

  /**
   * The module "More commands" runs module commands for: the one the student picked, else the one the server says
   * comes next (`next_module`: where the student stands).
   */
  get commandModule(): string | null {
    const picked = this.modules.find(m => m.id === this._commandModule);
    return picked?.id ?? this.nextModule;
  }

  /** Pick the module that "More commands" runs module commands for. */
  setCommandModule(moduleId: string): void {
    if (moduleId !== this._commandModule) {
      this._commandModule = moduleId;
      this._emit();
    }
  }

  /**
   * Run a plugin command as a job: bare, or for a module (by default `commandModule`), after saving that
   * module's notebook. Commands that need more than a module are refused (they run from `%tito`).
   */
  async runCommand(name: string, moduleId: string | null = this.commandModule): Promise<IJob | null> {
    const command = this.pluginCommands.find(c => c.name === name);
    const mode = command ? runMode(command) : null;
    if (!command || !mode) {
      this.actionError = command
        ? `${name} needs arguments the sidebar cannot give; run it in a notebook: %tito ${command.path.join(' ')} …`
        : `There is no command ${name} to run from the sidebar.`;
      this._emit();
      return null;
    }
    if (mode === 'bare') {
      return this._startJob([], 'jobs', { command: name, source: SOURCE });
    }
    const module = this.modules.find(m => m.id === moduleId);
    if (!module) {
      this.actionError = `Choose a module to run ${name} for.`;
      this._emit();
      return null;
    }
    const notebook = this.contentsPath(module.notebook);
    return this._startJob([notebook], 'jobs', {
      command: name,
      args: moduleArgs(command, module.id),
      notebook,
      source: SOURCE
    });
  }

  /**
   * Read where the student stands again: one `GET overview` (modules, checkpoints, timeline, warnings and jobs from
   * one read of the progress), and `GET course` the first time.
   */
  async refresh(): Promise<void> {
    if (this.connection !== 'ready' || this._isDisposed) {
      return;
    }
    const before = this._fingerprint();
    try {
      const [course, overview] = await Promise.all([
        this.course ? Promise.resolve(this.course) : requestAPI<ICourse>('course'),
        requestAPI<IOverview>('overview')
      ]);
      this.course = course;
      if (overview.modules.map(m => m.id).join('/') !== this.modules.map(m => m.id).join('/')) {
        // Another set of modules (a folder added or renamed): the server's answers about notebooks may differ now.
        this._notebookModules.clear();
      }
      this.modules = overview.modules;
      this.modulesComplete = overview.complete;
      this.modulesTotal = overview.total;
      this.nextModule = overview.next_module;
      this.warnings = overview.warnings;
      this.checkpoints = overview.checkpoints;
      this.checkpointsPassed = overview.checkpoints_passed;
      this.checkpointsTotal = overview.checkpoints.length;
      this.timeline = overview.timeline;
      this.loadError = null;
      this._mergeJobList(overview.jobs);
    } catch (error) {
      this.loadError = (error as Error).message;
    }
    if (this._fingerprint() !== before) {
      this._setIdleDelay(this._polling.idleMin);
    }
    this._emit();
  }

  /** Export, test or complete a module, after saving its notebook if it is open with changes. */
  async runModuleAction(moduleId: string, action: ActionWord): Promise<IJob | null> {
    const module = this.modules.find(m => m.id === moduleId);
    const notebooks = module ? [this.contentsPath(module.notebook)] : [];
    // The server takes `notebook` as the contents API names it (relative to its root folder).
    const body = module ? { notebook: notebooks[0], source: SOURCE } : { source: SOURCE };
    return this._startJob(notebooks, `modules/${encodeURIComponent(moduleId)}/${action}`, body);
  }

  /** Run or test a checkpoint, after saving the notebooks of the modules it needs. */
  async runCheckpointAction(checkpointId: string, action: ActionWord): Promise<IJob | null> {
    const checkpoint = this.checkpoints.find(c => c.id === checkpointId);
    const locked = checkpoint ? lockedBecause(checkpoint) : null;
    if (locked) {
      // The button is off for a locked checkpoint; this covers any other way of asking (a stale view).
      this.actionError = `${checkpointId}: ${locked}`;
      this._emit();
      return null;
    }
    const notebooks = (checkpoint?.requires ?? [])
      .map(id => this.modules.find(m => m.id === id))
      .filter((m): m is IModuleRow => !!m)
      .map(m => this.contentsPath(m.notebook));
    return this._startJob(notebooks, `checkpoints/${encodeURIComponent(checkpointId)}/${action}`, {
      source: SOURCE
    });
  }

  /** Stop a running job. */
  async cancelJob(jobId: string): Promise<void> {
    try {
      await requestAPI<unknown>(`jobs/${encodeURIComponent(jobId)}`, { method: 'DELETE' });
      this.actionError = null;
    } catch (error) {
      this.actionError = (error as Error).message;
    }
    await this._fetchJob(jobId);
  }

  /**
   * The module a notebook (a contents path) belongs to, as the server last said (`GET notebook`), or null: none,
   * or not asked yet. {@link lookUpNotebook} asks; the rule (any notebook in a module's folder) is the engine's.
   */
  moduleOfNotebook(contentsPath: string): string | null {
    return this._notebookModules.get(contentsPath) ?? null;
  }

  /** Ask the server which module a notebook belongs to, once per notebook; views hear when the answer lands. */
  async lookUpNotebook(contentsPath: string): Promise<string | null> {
    if (this._notebookModules.has(contentsPath)) {
      return this.moduleOfNotebook(contentsPath);
    }
    if (this.connection !== 'ready' || this._isDisposed) {
      return null;
    }
    // One question per notebook at a time: whoever asks meanwhile waits for the same answer.
    let asking = this._asking.get(contentsPath);
    if (!asking) {
      asking = this._askNotebook(contentsPath).finally(() => this._asking.delete(contentsPath));
      this._asking.set(contentsPath, asking);
    }
    return asking;
  }

  private async _askNotebook(contentsPath: string): Promise<string | null> {
    let module: string | null = null;
    try {
      module = (await requestAPI<INotebookModule>(`notebook?path=${encodeURIComponent(contentsPath)}`)).module;
    } catch (error) {
      if ((error as TitoRequestError).status === 0) {
        // No answer (the server is unreachable): not known, so asked again next time.
        return null;
      }
      // The server refused the path (not a usable notebook path): it belongs to no module.
    }
    if (!this._isDisposed) {
      this._notebookModules.set(contentsPath, module);
      this._emit();
    }
    return module;
  }

  /** False when the course lies outside Jupyter's root folder, so its notebooks cannot be opened from here. */
  get courseIsReachable(): boolean {
    return !this.course || courseFolder(this.course.root, this._serverRoot) !== null;
  }

  /** A course-relative path as JupyterLab opens it. */
  contentsPath(coursePath: string): string {
    return this.course ? toContentsPath(coursePath, this.course.root, this._serverRoot) : coursePath;
  }

  /** Forget the last action's error. */
  clearActionError(): void {
    if (this.actionError !== null) {
      this.actionError = null;
      this._emit();
    }
  }

  /** The panel was shown or hidden: polling pauses while nobody looks, and catches up on return. */
  setVisible(visible: boolean): void {
    if (visible === this._visible) {
      return;
    }
    this._visible = visible;
    if (!visible) {
      this._stopPolls();
      return;
    }
    if (this.connection !== 'ready') {
      return;
    }
    this._setIdleDelay(this._polling.idleMin);
    void this.refresh().then(() => {
      for (const view of this.jobs) {
        if (isActive(view.job.state)) {
          this._track(view.job.id, true);
        }
      }
      this._scheduleIdle();
    });
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this._events?.disconnect(this._onEmission, this);
    this._idle.dispose();
    for (const jobId of [...this._trackers.keys()]) {
      this._untrack(jobId);
    }
    Signal.clearData(this);
  }

  /** `GET commands`, once per connection: the table only changes when the server restarts. */
  private async _loadCommands(): Promise<void> {
    try {
      const list = await requestAPI<ICommandList>('commands');
      this.commands = list?.commands ?? [];
    } catch (error) {
      // Without the table the course still shows; its verbs cannot be offered, and the student is told why.
      this.commands = [];
      this.actionError = `Could not read tito's commands, so the sidebar offers none: ${(error as Error).message}`;
    }
    this.pluginCommands = this.commands.filter(isMoreCommand);
    // Jobs listed before the table arrived are named by it now.
    for (const view of this.jobs) {
      Object.assign(view, this._describe(view.job));
    }
    this._emit();
  }

  private async _startJob(notebooks: string[], endPoint: string, body: object): Promise<IJob | null> {
    const running = this.activeJob;
    if (running) {
      this.actionError = `Wait for “${running.title}” to finish first.`;
      this._emit();
      return null;
    }
    this.actionError = null;
    try {
      // The action must see what the student sees, unsaved edits included.
      await this._saveNotebooks(notebooks);
    } catch (error) {
      this.actionError = `Could not save the notebook first: ${(error as Error).message}`;
      this._emit();
      return null;
    }
    let job: IJob;
    try {
      job = await requestAPI<IJob>(endPoint, { method: 'POST', body: JSON.stringify(body) });
    } catch (error) {
      this.actionError = (error as Error).message;
      this._emit();
      return null;
    }
    this._addJob(job);
    this._emit();
    if (isActive(job.state)) {
      this._track(job.id, false);
    } else {
      await this._fetchJob(job.id);
    }
    return job;
  }

  private _addJob(job: IJob, events: IEngineEvent[] = []): IJobView {
    const existing = this.jobs.find(j => j.job.id === job.id);
    if (existing) {
      return existing;
    }
    const { events: _ignored, ...rest } = job;
    const view: IJobView = { job: rest, events, summary: summarize(events), ...this._describe(rest) };
    this.jobs = [view, ...this.jobs].sort((a, b) => (b.job.created ?? 0) - (a.job.created ?? 0)).slice(0, KEEP_JOBS);
    return view;
  }

  /** Take in `GET jobs`: new jobs (from a `%tito` cell, another tab) appear, running ones are followed. */
  private _mergeJobList(jobs: IJob[]): void {
    for (const job of jobs) {
      const known = this.jobs.find(j => j.job.id === job.id);
      if (!known) {
        const events = job.events ?? [];
        const complete = (job.event_count ?? events.length) === events.length;
        this._addJob(job, complete ? [...events] : []);
      }
      if (isActive(job.state) && !this._trackers.has(job.id)) {
        this._track(job.id, true);
      }
    }
    // The newest job is shown in detail: make sure its events are there.
    const newest = this.jobs[0];
    if (newest && !this._trackers.has(newest.job.id) && !newest.events.length && !this._loaded.has(newest.job.id)) {
      this._loaded.add(newest.job.id);
      void this._fetchJob(newest.job.id);
    }
  }

  /**
   * Follow a job until it ends: look now or after a while, then again and again (a Lumino `Poll`), less often
   * while nothing new arrives.
   */
  private _track(jobId: string, now: boolean): void {
    let tracker = this._trackers.get(jobId);
    if (!tracker) {
      const delay = this._polling.jobMin;
      tracker = {
        poll: new Poll({
          auto: false,
          name: `tito:job-${jobId}`,
          factory: () => this._fetchJob(jobId),
          frequency: { interval: delay, max: this._polling.jobMax, backoff: false },
          // Hidden, the model stops the poll itself (`setVisible`), and looks again when shown.
          standby: 'never'
        }),
        delay,
        inflight: false,
        again: false,
        fromBus: false,
        endedOnBus: false
      };
      this._trackers.set(jobId, tracker);
    }
    if (now) {
      void this._fetchJob(jobId);
    } else {
      this._lookAfter(tracker, tracker.delay);
    }
  }

  /** The next look at a job in `delay` ms (not while nobody looks), and the looks after it as often. */
  private _lookAfter(tracker: ITracker, delay: number): void {
    this._setJobDelay(tracker, delay);
    if (this._isDisposed) {
      return;
    }
    // Hidden: no next look (a look under way would otherwise let the poll plan one); `setVisible` looks again.
    void (this._visible ? tracker.poll.schedule({ interval: delay, phase: 'started' }) : tracker.poll.stop());
  }

  private _setJobDelay(tracker: ITracker, delay: number): void {
    tracker.delay = delay;
    tracker.poll.frequency = { interval: delay, max: this._polling.jobMax, backoff: false };
  }

  /** Stop following a job. */
  private _untrack(jobId: string): void {
    this._trackers.get(jobId)?.poll.dispose();
    this._trackers.delete(jobId);
  }

  /** `GET jobs/{id}?since=N`: append what is new; when a job we saw running has ended, refresh the course. */
  private async _fetchJob(jobId: string): Promise<void> {
    const tracker = this._trackers.get(jobId);
    if (tracker?.inflight) {
      tracker.again = true;
      return;
    }
    if (tracker) {
      tracker.inflight = true;
      tracker.again = false;
    }
    const before = this.jobs.find(j => j.job.id === jobId);
    const wasActive = before ? isActive(before.job.state) : true;
    // A job followed on the bus is read whole once it ended: what the student keeps is the server's list.
    const resync = !!tracker?.fromBus && tracker.endedOnBus;
    const since = resync ? 0 : (before?.events.length ?? 0);
    let job: IJob | null = null;
    try {
      job = await requestAPI<IJob>(`jobs/${encodeURIComponent(jobId)}?since=${since}`);
    } catch (error) {
      if ((error as TitoRequestError).status === 404) {
        // The server no longer knows it (it restarted): stop following it.
        this._untrack(jobId);
        if (before && isActive(before.job.state)) {
          before.job = { ...before.job, state: 'cancelled' };
          this._emit();
        }
        return;
      }
    } finally {
      if (tracker) {
        tracker.inflight = false;
      }
    }
    if (this._isDisposed) {
      return;
    }
    let fresh = false;
    if (job) {
      this._loaded.add(jobId);
      const view = this.jobs.find(j => j.job.id === jobId) ?? this._addJob(job);
      if (resync && job.events) {
        fresh = JSON.stringify(view.events) !== JSON.stringify(job.events);
        view.events = [...job.events];
        view.summary = summarize(view.events);
      } else {
        // Another answer may have landed meanwhile: keep only what continues the list.
        const added = (job.events ?? []).slice(Math.max(0, view.events.length - since));
        if (added.length) {
          view.events = [...view.events, ...added];
          view.summary = summarize(view.events);
          fresh = true;
        }
      }
      const { events: _ignored, ...rest } = job;
      fresh = fresh || view.job.state !== job.state || (!!job.result && !view.job.result);
      view.job = { ...rest, args: rest.args ?? view.job.args };
      Object.assign(view, this._describe(view.job));
    }
    const ended = job !== null && !isActive(job.state);
    if (fresh) {
      this._emit();
    }
    if (!tracker || !this._trackers.has(jobId)) {
      if (ended && wasActive) {
        await this.refresh();
      }
      return;
    }
    if (ended) {
      this._untrack(jobId);
      if (wasActive) {
        // The job changed the course: show where the student stands now.
        await this.refresh();
      }
      return;
    }
    const delay = fresh ? this._polling.jobMin : Math.min(tracker.delay * this._polling.factor, this._polling.jobMax);
    if (tracker.again) {
      // Asked for while this look was on its way (a bus event the model could not take in): look again now.
      this._setJobDelay(tracker, delay);
      void this._fetchJob(jobId);
    } else {
      // The next look, whoever asked for this one (the poll, the bus, a refresh): the poll's next tick replaces any
      // it had planned, so a job is never looked at twice for one reason.
      this._lookAfter(tracker, delay);
    }
  }

  /** A job's title and the modules it works on, as the server says them (`job.modules`). */
  private _describe(job: IJob): { title: string; modules: string[] } {
    return { title: describeJob(job, this.commands), modules: job.modules ?? [] };
  }

  /** An event from the server's bus: a tito job moved on. */
  private _onEmission(_sender: unknown, emission: { schema_id: string }): void {
    if (emission.schema_id !== JOB_EVENT_SCHEMA || this._isDisposed || this.connection !== 'ready') {
      return;
    }
    const payload = emission as IJobEmission;
    if (!payload.job_id) {
      return;
    }
    this._setIdleDelay(this._polling.idleMin);
    if (!this._visible) {
      // Caught up by `setVisible(true)`.
      return;
    }
    const known = this.jobs.find(j => j.job.id === payload.job_id);
    if (!known) {
      // Started elsewhere (a `%tito` cell, another tab): show it too.
      this._addJob({
        id: payload.job_id,
        command: payload.command,
        args: {},
        notebook: null,
        modules: [],
        source: '',
        state: payload.state,
        result: null,
        created: Date.now() / 1000,
        started: null,
        finished: null
      });
      this._emit();
    } else if (this._follow(known, payload)) {
      return;
    }
    this._track(payload.job_id, true);
  }

  /**
   * Take a bus payload's event and state into a job the model has in step with the server (fetched, no answer
   * on its way): no request per event. Polling stays on as the fallback, at its slowest while the bus carries
   * the job. When the payload says the job ended, it is fetched once more: for its result, and to check no
   * event was missed (the payload has no sequence number; `_fetchJob` compares the server's count).
   * False when the job is not in step (the caller fetches it instead).
   */
  private _follow(view: IJobView, payload: IJobEmission): boolean {
    const tracker = this._trackers.get(view.job.id);
    if (!tracker || tracker.inflight || !this._loaded.has(view.job.id) || !isActive(view.job.state)) {
      return false;
    }
    let event: IEngineEvent | null = null;
    if (payload.event) {
      try {
        event = JSON.parse(payload.event) as IEngineEvent;
      } catch {
        return false; // not an event we can read: ask the server
      }
    }
    tracker.fromBus = true;
    // A fallback poll may have brought this event already (events carry their time, so equal text is the same).
    const seen = view.events.slice(-BUS_DEDUP_WINDOW).some(e => JSON.stringify(e) === payload.event);
    if (event && !seen) {
      view.events = [...view.events, event];
      view.summary = summarize(view.events);
    }
    if (!isActive(payload.state)) {
      // Ended: fetch the result, and the server's whole list of events (the payload has no sequence number).
      tracker.endedOnBus = true;
      return false;
    }
    view.job = { ...view.job, state: payload.state };
    this._lookAfter(tracker, this._polling.jobMax);
    this._emit();
    return true;
  }

  /** While nothing runs, look again now and then: jobs from `%tito` cells, `tito` in a terminal. */
  private _scheduleIdle(): void {
    if (!this._visible || this._isDisposed || this.connection !== 'ready') {
      return;
    }
    void this._idle.schedule({ interval: this._idleDelay, phase: 'started' });
  }

  /** One background look: read the course again (not while a job runs), and look less often while nothing changes. */
  private async _look(): Promise<void> {
    const before = this._fingerprint();
    if (!this.busy) {
      await this.refresh();
    }
    if (this._fingerprint() === before) {
      this._setIdleDelay(Math.min(this._idleDelay * this._polling.factor, this._polling.idleMax));
    }
  }

  /** The wait before the next background look (the poll reads it when it schedules that look). */
  private _setIdleDelay(delay: number): void {
    this._idleDelay = delay;
    this._idle.frequency = { interval: delay, max: this._polling.idleMax, backoff: false };
  }

  /** Nobody looks: no more requests until the panel is shown again (`setVisible`). */
  private _stopPolls(): void {
    for (const tracker of this._trackers.values()) {
      void tracker.poll.stop();
    }
    void this._idle.stop();
  }

  private _fingerprint(): string {
    return JSON.stringify([
      this.modules.map(m => [m.id, m.state, m.last_run, m.changed]),
      this.checkpoints.map(c => [c.id, c.state]),
      this.jobs.map(j => [j.job.id, j.job.state])
    ]);
  }

  private _setConnection(connection: Connection, message: string): void {
    this.connection = connection;
    this.connectionMessage = message;
    this._emit();
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._stateChanged.emit();
    }
  }

  private _events: IEventSource | null;
  private _saveNotebooks: (paths: string[]) => Promise<void>;
  private _serverRoot: string;
  private _commandModule: string | null = null;
  /** The server's answers to `GET notebook`: contents path -> module (null: none). */
  private _notebookModules = new Map<string, string | null>();
  private _asking = new Map<string, Promise<string | null>>();
  private _polling: IPolling;
  private _trackers = new Map<string, ITracker>();
  private _loaded = new Set<string>();
  private _idle: Poll;
  private _idleDelay: number;
  private _visible = true;
  private _isDisposed = false;
  private _stateChanged = new Signal<this, void>(this);
}
