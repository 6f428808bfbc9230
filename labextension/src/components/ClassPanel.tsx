/** The instructor's panel: students × modules from the gradebook, and who is stuck where. Nothing for students. */
import * as React from 'react';

import { IClassStatus, IClassView, STATE_LABELS, cellText, classRows, fetchClassView, shownName } from '../classView';

export interface IClassPanelProps {
  /** How to ask the server (tests pass their own). */
  load?: () => Promise<IClassView>;
}

/** Asks the server once when shown (and on Refresh); renders only for an instructor. */
export function ClassPanel(props: IClassPanelProps): JSX.Element | null {
  const load = props.load ?? fetchClassView;
  const [view, setView] = React.useState<IClassView | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [loading, setLoading] = React.useState(false);

  const refresh = React.useCallback(() => {
    setLoading(true);
    load()
      .then(answer => {
        setView(answer);
        setError(null);
      })
      .catch((e: Error) => setError(e.message))
      .finally(() => setLoading(false));
  }, [load]);

  React.useEffect(refresh, [refresh]);

  if (!view?.instructor) {
    return null; // a student's sidebar has no class panel, not even an empty one
  }
  return (
    <section className="jp-TitoSection jp-TitoClass" aria-labelledby="jp-TitoClass-heading">
      <h3 id="jp-TitoClass-heading" className="jp-TitoSection-title jp-TitoClass-header">
        <span>Class</span>
        {/* A plain button: JupyterLab's own are ES modules, which the unit tests (plain Node) cannot load. */}
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mod-small jp-TitoButton"
          aria-label="Refresh the class"
          title="Refresh the class"
          disabled={loading}
          onClick={refresh}
        >
          ↻
        </button>
      </h3>
      {error && (
        <div className="jp-TitoNotice" data-kind="error" role="alert">
          {error}
        </div>
      )}
      {view.class ? (
        <ClassGrid status={view.class} />
      ) : (
        <div className="jp-TitoNotice" data-kind="info" role="status">
          {view.message ?? 'No class to show yet.'}
        </div>
      )}
    </section>
  );
}

/** The grid itself: a table with a row per student and a column per module. */
export function ClassGrid(props: { status: IClassStatus }): JSX.Element {
  const { status } = props;
  if (status.students.length === 0) {
    return (
      <div className="jp-TitoNotice" data-kind="info" role="status">
        No students in the gradebook yet. Collect submissions with <code>tito nbgrader collect MODULE</code>.
      </div>
    );
  }
  const rows = classRows(status);
  return (
    <>
      <div className="jp-TitoClass-scroll">
        <table className="jp-TitoClass-grid" aria-label="Class grid">
          <thead>
            <tr>
              <th scope="col">student</th>
              {status.assignments.map(a => (
                <th scope="col" key={a}>
                  {a}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(row => (
              <tr key={row.student} data-student={row.student}>
                <th scope="row">{shownName(status, row.student)}</th>
                {row.cells.map(cell => {
                  const stuckHere = row.stuck?.assignment === cell.assignment;
                  return (
                    <td
                      key={cell.assignment}
                      data-assignment={cell.assignment}
                      data-state={cell.state}
                      data-stuck={stuckHere ? 'true' : undefined}
                      title={`${STATE_LABELS[cell.state]}${stuckHere ? `; stuck: ${row.stuck?.detail}` : ''}`}
                    >
                      {cellText(cell)}
                      {stuckHere && <span aria-label="stuck here"> !</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {status.stuck.length > 0 && (
        <ul className="jp-TitoClass-stuck" aria-label="Stuck students">
          {status.stuck.map(s => (
            <li key={s.student} data-student={s.student}>
              <strong>{shownName(status, s.student)}</strong>: {s.detail}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
