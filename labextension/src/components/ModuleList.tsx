/**
 * The course's modules in order: state, last run, prerequisites, and a button for each command the table makes a
 * module action (`GET commands`: export, test, complete, validate, or what a package adds).
 */
import * as React from 'react';
import { Button, LabIcon, checkIcon, notebookIcon, runIcon, shareIcon } from '@jupyterlab/ui-components';

import { actionLabel, restAction } from '../commands';
import { fullTime, list, moduleBadge, testCounts, timeAgo } from '../format';
import { ActionWord, ICommandInfo, IModuleRow } from '../types';

export interface IModuleListProps {
  modules: IModuleRow[];
  /** The commands each row offers (`TitoModel.moduleActions`). */
  actions: ICommandInfo[];
  /** Actions are off while a job runs. */
  busy: boolean;
  /** The module an active job works on, if any. */
  activeModules: string[];
  onOpen: (module: IModuleRow) => void;
  onAction: (module: IModuleRow, action: ActionWord) => void;
}

export function ModuleList(props: IModuleListProps): JSX.Element {
  if (!props.modules.length) {
    return <p className="jp-TitoSidebar-empty">This course has no modules yet.</p>;
  }
  return (
    <ol className="jp-TitoModules" aria-label="Modules">
      {props.modules.map(module => (
        <ModuleItem
          key={module.id}
          module={module}
          actions={props.actions}
          busy={props.busy}
          working={props.activeModules.includes(module.id)}
          onOpen={props.onOpen}
          onAction={props.onAction}
        />
      ))}
    </ol>
  );
}

interface IModuleItemProps {
  module: IModuleRow;
  actions: ICommandInfo[];
  busy: boolean;
  working: boolean;
  onOpen: (module: IModuleRow) => void;
  onAction: (module: IModuleRow, action: ActionWord) => void;
}

/** How an action looks (what it does comes from the table): a few known words have their own icon. */
const ICONS: Record<string, LabIcon> = { export: shareIcon, complete: checkIcon };

function ModuleItem(props: IModuleItemProps): JSX.Element {
  const { module, busy, working } = props;
  const name = `${module.id}`;
  const title = module.title || module.name;
  const details: string[] = [];
  const counts = testCounts(module.tests);
  const badge = moduleBadge(module);
  if (counts) {
    details.push(counts);
  }
  return (
    <li className="jp-TitoModule" data-module={module.id} data-state={module.state} aria-busy={working || undefined}>
      <div className="jp-TitoModule-head">
        <span className="jp-TitoModule-number" aria-hidden="true">
          {String(module.number).padStart(2, '0')}
        </span>
        <button
          type="button"
          className="jp-TitoModule-title"
          aria-label={`Open the notebook of ${name}: ${title}`}
          title={`${title} (open ${module.notebook})`}
          onClick={() => props.onOpen(module)}
        >
          <notebookIcon.react tag="span" className="jp-TitoButton-icon" />
          <span className="jp-TitoModule-titleText">{title}</span>
        </button>
      </div>
      {/* The state sits under the title, so a long title has the row's whole width to wrap in. */}
      <div className="jp-TitoModule-meta">
        <span
          className="jp-TitoBadge"
          data-state={badge.state}
          aria-label={`State: ${badge.label}`}
          title={badge.title}
        >
          {badge.label}
        </span>{' '}
        {module.last_run ? (
          <span title={fullTime(module.last_run)}>Last run {timeAgo(module.last_run)}</span>
        ) : (
          <span>Never run</span>
        )}
        {details.map(d => (
          <span key={d}> · {d}</span>
        ))}
        {module.changed && <span className="jp-TitoModule-changed"> · notebook changed since</span>}
      </div>
      {module.missing_prerequisites.length > 0 && (
        <div className="jp-TitoModule-needs" role="note">
          Needs {list(module.missing_prerequisites)} complete first.
        </div>
      )}
      <div className="jp-TitoModule-actions" role="group" aria-label={`Actions for ${name}`}>
        {props.actions.map(command => {
          const action = restAction(command) ?? '';
          const label = actionLabel(command);
          const Icon = ICONS[action] ?? runIcon;
          return (
            <Button
              key={command.name}
              minimal
              small
              className="jp-TitoButton"
              data-action={action}
              disabled={busy}
              aria-label={`${label} ${name}`}
              title={busy ? 'Wait for the running job to finish' : command.help}
              onClick={() => props.onAction(module, action)}
            >
              <Icon.react tag="span" className="jp-TitoButton-icon" />
              {label}
            </Button>
          );
        })}
      </div>
    </li>
  );
}
