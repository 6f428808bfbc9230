/** The course as a timeline: each module, then the capability checkpoints it unlocks, with a run button. */
import * as React from 'react';
import { Button, runIcon } from '@jupyterlab/ui-components';

import { checkpointStateLabel, fullTime, list, lockedBecause, moduleBadge, timeAgo } from '../format';
import { ICheckpointRow, IModuleRow, ITimelineEntry, ModuleState } from '../types';

export interface ICheckpointTimelineProps {
  timeline: ITimelineEntry[];
  /** The module rows, so a module reads the same here as in the module list. */
  modules?: IModuleRow[];
  checkpoints: ICheckpointRow[];
  busy: boolean;
  onRun: (checkpoint: ICheckpointRow) => void;
}

export function CheckpointTimeline(props: ICheckpointTimelineProps): JSX.Element {
  const { checkpoints } = props;
  if (!checkpoints.length) {
    return <p className="jp-TitoSidebar-empty">This course has no checkpoints.</p>;
  }
  // The server's timeline lists every checkpoint (the version check rules out a server without one).
  const entries: ITimelineEntry[] = props.timeline;
  return (
    <ol className="jp-TitoTimeline" aria-label="Checkpoint timeline">
      {entries.map(entry => {
        if (entry.kind === 'module') {
          const row = props.modules?.find(m => m.id === entry.id);
          const badge = moduleBadge(
            row ?? { state: entry.state as ModuleState, tests: null, completed_earlier: false }
          );
          return (
            <li
              key={`m-${entry.id}`}
              className="jp-TitoTimeline-module"
              data-state={badge.state}
              aria-label={`Module ${entry.id}: ${badge.label}`}
            >
              <span className="jp-TitoTimeline-dot" aria-hidden="true" />
              <span className="jp-TitoTimeline-label">{entry.title}</span>
            </li>
          );
        }
        const checkpoint = checkpoints.find(c => c.id === entry.id);
        return checkpoint ? (
          <CheckpointItem key={`c-${entry.id}`} checkpoint={checkpoint} busy={props.busy} onRun={props.onRun} />
        ) : null;
      })}
    </ol>
  );
}

function CheckpointItem(props: {
  checkpoint: ICheckpointRow;
  busy: boolean;
  onRun: (checkpoint: ICheckpointRow) => void;
}): JSX.Element {
  const { checkpoint, busy } = props;
  const state = checkpointStateLabel(checkpoint.state);
  const locked = lockedBecause(checkpoint);
  return (
    <li className="jp-TitoCheckpoint" data-checkpoint={checkpoint.id} data-state={checkpoint.state}>
      <span className="jp-TitoTimeline-dot jp-TitoTimeline-dot-checkpoint" aria-hidden="true" />
      <div className="jp-TitoCheckpoint-body">
        <div className="jp-TitoCheckpoint-head">
          <span className="jp-TitoCheckpoint-id">{checkpoint.id}</span>
          <span className="jp-TitoBadge" data-state={checkpoint.state} aria-label={`State: ${state}`}>
            {state}
          </span>
        </div>
        <div className="jp-TitoCheckpoint-question">{checkpoint.question}</div>
        {checkpoint.missing_modules.length > 0 && (
          <div className="jp-TitoModule-needs" role="note">
            Needs {list(checkpoint.missing_modules)} complete first.
          </div>
        )}
        {checkpoint.passed_at && (
          <div className="jp-TitoModule-meta" title={fullTime(checkpoint.passed_at)}>
            Passed {timeAgo(checkpoint.passed_at)}
          </div>
        )}
        <div className="jp-TitoModule-actions">
          <Button
            minimal
            small
            className="jp-TitoButton"
            data-action="run"
            disabled={busy || locked !== null}
            aria-label={`Run checkpoint ${checkpoint.id}`}
            title={
              locked ??
              (busy
                ? 'Wait for the running job to finish'
                : 'Export the modules it needs, then run its capability test')
            }
            onClick={() => props.onRun(checkpoint)}
          >
            <runIcon.react tag="span" className="jp-TitoButton-icon" />
            Run
          </Button>
        </div>
      </div>
    </li>
  );
}
