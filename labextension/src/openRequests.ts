/**
 * Requests to open a module's notebook (`tito module start 02` in a terminal): the server extension publishes
 * them on jupyter_server's event bus (`POST tito/api/open`), and every Lab page opens the notebook.
 */
import { IEventSource } from './model';

/** The schema id of an open request (tito_jupyter/server/open-event.schema.json). */
export const OPEN_EVENT_SCHEMA = 'https://tito-jupyter.org/events/open';

/** Call `open` with the notebook's path (relative to the server's root) for each open request on `events`. */
export function listenForOpenRequests(events: IEventSource | null, open: (path: string) => void): void {
  events?.connect((_sender, emission) => {
    const path = (emission as { path?: unknown }).path;
    if (emission.schema_id === OPEN_EVENT_SCHEMA && typeof path === 'string' && path.endsWith('.ipynb')) {
      open(path);
    }
  });
}
