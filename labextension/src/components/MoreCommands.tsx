/** Commands that installed packages add to tito: a run button each, and one module picker for those acting on one. */
import * as React from 'react';
import { Button, HTMLSelect, runIcon } from '@jupyterlab/ui-components';

import { commandLine, runMode } from '../commands';
import { ICommandInfo, IModuleRow } from '../types';

export interface IMoreCommandsProps {
  commands: ICommandInfo[];
  modules: IModuleRow[];
  /** The module that module commands run for. */
  module: string | null;
  busy: boolean;
  onSelectModule: (moduleId: string) => void;
  onRun: (command: ICommandInfo) => void;
}

export function MoreCommands(props: IMoreCommandsProps): JSX.Element {
  const { commands, busy } = props;
  const needsModule = commands.some(c => runMode(c) === 'module');
  return (
    <div className="jp-TitoMore">
      {needsModule && (
        <label className="jp-TitoMore-module">
          <span>For module</span>
          <HTMLSelect
            aria-label="Module for these commands"
            value={props.module ?? ''}
            onChange={event => props.onSelectModule(event.currentTarget.value)}
            options={props.modules.map(m => ({ value: m.id, label: m.id }))}
          />
        </label>
      )}
      <ul className="jp-TitoMore-list" aria-label="More commands">
        {commands.map(command => {
          const mode = runMode(command);
          const target = mode === 'module' ? ` for ${props.module ?? 'a module'}` : '';
          const title = busy ? 'Wait for the running job to finish' : command.help;
          return (
            <li key={command.name} className="jp-TitoMore-command" data-command={command.name}>
              <div className="jp-TitoMore-head">
                <code className="jp-TitoMore-name">{command.name}</code>
                {mode && (
                  <Button
                    minimal
                    small
                    className="jp-TitoButton"
                    data-action="run"
                    disabled={busy || (mode === 'module' && !props.module)}
                    aria-label={`Run ${command.name}${target}`}
                    title={title}
                    onClick={() => props.onRun(command)}
                  >
                    <runIcon.react tag="span" className="jp-TitoButton-icon" />
                    Run
                  </Button>
                )}
              </div>
              <div className="jp-TitoMore-help">{command.help}</div>
              <div className="jp-TitoModule-meta">
                From {command.source}
                {!mode && (
                  <>
                    ; it takes arguments: run <code>%tito {commandLine(command)} …</code> in a notebook
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
