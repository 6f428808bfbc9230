/** The whole panel: where the student stands, the running job, the modules and the checkpoint timeline. */
import * as React from 'react';
import { Button, refreshIcon } from '@jupyterlab/ui-components';

import { ITestView } from '../jobs';
import { IJobView, TitoModel } from '../model';
import { ICellTarget } from '../notWritten';
import { ActionWord, ICheckpointRow, IModuleRow } from '../types';
import { CheckpointTimeline } from './CheckpointTimeline';
import { ClassPanel } from './ClassPanel';
import { JobView } from './JobView';
import { ModuleList } from './ModuleList';
import { MoreCommands } from './MoreCommands';
import { ProgressBar } from './ProgressBar';

/** What the panel asks JupyterLab to do. */
export interface ISidebarActions {
  /** Open a course file (course-relative path); for a notebook, optionally go to the cell defining `testName`. */
  openCourseFile(coursePath: string, testName?: string): void;
  /** Open a course notebook (course-relative path) and select the cell `target` names. */
  openCourseCell(coursePath: string, target: ICellTarget): void;
}

export interface ISidebarProps {
  model: TitoModel;
  actions: ISidebarActions;
}

export function Sidebar(props: ISidebarProps): JSX.Element {
  const { model, actions } = props;

  const onRefresh = () => {
    if (model.connection === 'ready') {
      void model.refresh();
    } else {
      void model.start();
    }
  };

  const header = (
    <header className="jp-TitoSidebar-header">
      <h2 className="jp-TitoSidebar-title">TinyTorch</h2>
      <Button
        minimal
        small
        className="jp-TitoButton"
        aria-label="Refresh the course"
        title="Refresh"
        onClick={onRefresh}
      >
        <refreshIcon.react tag="span" className="jp-TitoButton-icon" />
      </Button>
    </header>
  );

  if (model.connection !== 'ready') {
    return (
      <div className="jp-TitoSidebar-content">
        {header}
        <ConnectionNotice model={model} onRetry={() => void model.start()} />
      </div>
    );
  }

  const active = model.activeJob;
  const activeModules = active?.modules ?? [];
  const current = model.currentJob;

  const onOpenModule = (module: IModuleRow) => actions.openCourseFile(module.notebook);
  const onModuleAction = (module: IModuleRow, action: ActionWord) => void model.runModuleAction(module.id, action);
  const onRunCheckpoint = (checkpoint: ICheckpointRow) => void model.runCheckpointAction(checkpoint.id, 'run');
  const onOpenTest = (test: ITestView, view: IJobView) => {
    if (test.file.endsWith('.ipynb')) {
      actions.openCourseFile(test.file, test.name);
      return;
    }
    // An external test: the code to fix is in the module's notebook.
    const moduleId = test.module ?? view.modules[0];
    const module = model.modules.find(m => m.id === moduleId);
    const notebook = module?.notebook ?? view.job.notebook;
    actions.openCourseFile(notebook ?? test.file);
  };

  const moduleFraction = model.modulesTotal ? model.modulesComplete / model.modulesTotal : 0;
  return (
    <div className="jp-TitoSidebar-content">
      {header}
      {model.loadError && (
        <div className="jp-TitoNotice" data-kind="error" role="alert">
          {model.loadError}
        </div>
      )}
      {!model.courseIsReachable && (
        <div className="jp-TitoNotice" data-kind="warning" role="note">
          The course ({model.course?.root}) is outside the folder Jupyter serves, so its notebooks cannot be opened from
          here. Start JupyterLab in the course folder (<code>tito dev serve</code>).
        </div>
      )}
      <section className="jp-TitoOverall" aria-label="Overall progress">
        <div className="jp-TitoOverall-line">
          <span>
            <strong>{model.modulesComplete}</strong> of {model.modulesTotal} modules complete
          </span>
          <span>
            <strong>{model.checkpointsPassed}</strong> of {model.checkpointsTotal} checkpoints passed
          </span>
        </div>
        <ProgressBar
          fraction={moduleFraction}
          label="Modules complete"
          valueText={`${model.modulesComplete} of ${model.modulesTotal} modules complete`}
          tone="good"
        />
      </section>
      {model.actionError && (
        <div className="jp-TitoNotice" data-kind="error" role="alert">
          <span>{model.actionError}</span>
          <Button
            minimal
            small
            className="jp-TitoButton"
            aria-label="Dismiss this message"
            onClick={() => model.clearActionError()}
          >
            ×
          </Button>
        </div>
      )}
      {current && (
        <JobView
          view={current}
          onCancel={view => void model.cancelJob(view.job.id)}
          onOpenTest={onOpenTest}
          onOpenCell={(notebook, target) => actions.openCourseCell(notebook, target)}
        />
      )}
      <section className="jp-TitoSection" aria-labelledby="jp-TitoModules-heading">
        <h3 id="jp-TitoModules-heading" className="jp-TitoSection-title">
          Modules
        </h3>
        <ModuleList
          modules={model.modules}
          actions={model.moduleActions}
          busy={model.busy}
          activeModules={activeModules}
          onOpen={onOpenModule}
          onAction={onModuleAction}
        />
      </section>
      <section className="jp-TitoSection" aria-labelledby="jp-TitoCheckpoints-heading">
        <h3 id="jp-TitoCheckpoints-heading" className="jp-TitoSection-title">
          Checkpoints
        </h3>
        <CheckpointTimeline
          timeline={model.timeline}
          modules={model.modules}
          checkpoints={model.checkpoints}
          busy={model.busy}
          onRun={onRunCheckpoint}
        />
      </section>
      <ClassPanel />
      {model.pluginCommands.length > 0 && (
        <section className="jp-TitoSection" aria-labelledby="jp-TitoMore-heading">
          <h3 id="jp-TitoMore-heading" className="jp-TitoSection-title">
            More commands
          </h3>
          <MoreCommands
            commands={model.pluginCommands}
            modules={model.modules}
            module={model.commandModule}
            busy={model.busy}
            onSelectModule={id => model.setCommandModule(id)}
            onRun={command => void model.runCommand(command.name)}
          />
        </section>
      )}
      {model.warnings.map((warning, i) => (
        <div key={i} className="jp-TitoNotice" data-kind="warning">
          {warning}
        </div>
      ))}
    </div>
  );
}

function ConnectionNotice(props: { model: TitoModel; onRetry: () => void }): JSX.Element {
  const { model } = props;
  if (model.connection === 'connecting') {
    return (
      <div className="jp-TitoNotice" data-kind="info" role="status">
        Connecting to the tito server extension…
      </div>
    );
  }
  const title =
    model.connection === 'mismatch'
      ? 'The sidebar and the server extension do not match'
      : model.connection === 'missing'
        ? 'The tito server extension is missing'
        : 'Cannot reach the Jupyter server';
  return (
    <div className="jp-TitoNotice" data-kind="error" role="alert" data-connection={model.connection}>
      <strong className="jp-TitoNotice-title">{title}</strong>
      <p>{withCode(model.connectionMessage)}</p>
      <Button className="jp-TitoButton" small aria-label="Try connecting again" onClick={props.onRetry}>
        Try again
      </Button>
    </div>
  );
}

/** Text whose `backticked` parts are commands, shown as code. */
function withCode(text: string): React.ReactNode[] {
  return text.split('`').map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part));
}
