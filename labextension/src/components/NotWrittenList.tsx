/**
 * What to write next: the functions a run's failing tests wait on (still `raise NotImplementedError`), in the
 * order to write them, the first one marked, each with a link to its notebook cell and its waiting tests folded.
 */
import * as React from 'react';
import { Button } from '@jupyterlab/ui-components';

import {
  cellTarget,
  ICellTarget,
  INotWritten,
  INotWrittenView,
  notWrittenHeading,
  notWrittenLead,
  placeOf,
  testName,
  testsWaiting
} from '../notWritten';

export interface INotWrittenListProps {
  view: INotWrittenView;
  /** Open the notebook (course-relative path) at the function's cell. */
  onOpenCell: (notebook: string, target: ICellTarget) => void;
}

export function NotWrittenList(props: INotWrittenListProps): JSX.Element {
  const { view } = props;
  const heading = notWrittenHeading(view);
  return (
    <section
      className="jp-TitoNotWritten"
      aria-label={heading}
      data-nothing-written={view.nothingWritten ? 'true' : 'false'}
    >
      <h4 className="jp-TitoNotWritten-heading">{heading}</h4>
      <p className="jp-TitoNotWritten-lead">{notWrittenLead(view)}</p>
      <ol className="jp-TitoNotWritten-list" aria-label="Functions to write, in order">
        {view.groups.map((group, i) => (
          <NotWrittenItem
            key={`${group.function}@${group.file}`}
            group={group}
            next={i === 0}
            onOpenCell={props.onOpenCell}
          />
        ))}
      </ol>
    </section>
  );
}

function NotWrittenItem(props: {
  group: INotWritten;
  next: boolean;
  onOpenCell: INotWrittenListProps['onOpenCell'];
}): JSX.Element {
  const { group, next } = props;
  const target = cellTarget(group);
  const place = placeOf(group);
  return (
    <li
      className="jp-TitoNotWritten-item"
      data-function={group.function}
      data-cell={group.cell ?? ''}
      data-next={next ? 'true' : 'false'}
      aria-current={next ? 'step' : undefined}
    >
      <div className="jp-TitoNotWritten-line">
        <code className="jp-TitoNotWritten-function">{group.function}</code>
        {next && <span className="jp-TitoNotWritten-next">write this next</span>}
      </div>
      <div className="jp-TitoNotWritten-where">
        {target && group.notebook ? (
          <Button
            minimal
            small
            className="jp-TitoButton jp-TitoNotWritten-go"
            aria-label={`Go to ${place}, where ${group.function} is written`}
            title={`Open ${group.notebook} at ${place.split(' of ')[0]}`}
            onClick={() => props.onOpenCell(group.notebook as string, target)}
          >
            Go to {place}
          </Button>
        ) : (
          <span>{place}</span>
        )}
      </div>
      <details className="jp-TitoNotWritten-tests">
        <summary>{testsWaiting(group.tests.length)} on it</summary>
        <ul aria-label={`Tests waiting on ${group.function}`}>
          {group.tests.map(id => (
            <li key={id} className="jp-TitoNotWritten-test" title={id}>
              {testName(id)}
            </li>
          ))}
        </ul>
      </details>
    </li>
  );
}
