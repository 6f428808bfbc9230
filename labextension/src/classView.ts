/**
 * The instructor's class view: what `GET tito/api/class` says (the data of `class.status`), shaped for a grid.
 *
 * The server decides who is an instructor and computes every number from nbgrader's gradebook; this file only
 * asks for it and arranges it in rows. No React here, so jest drives it with the request layer mocked.
 */
import { components } from './api.generated';
import { requestAPI } from './request';

type Schemas = components['schemas'];

/** The answer of `GET class`. */
export type IClassView = Schemas['ClassView'];

/** The data of `class.status`: students × assignments, and who is stuck where. */
export type IClassStatus = Schemas['ClassStatus'];

/** One cell of the grid: a student's submission of one assignment. */
export type IClassCell = IClassStatus['cells'][number];

/** A cell's state, from the least to the most done (the engine's `class_view.STATES`). */
export type CellState = IClassCell['state'];

/** A student stuck on an assignment, and why. */
export type IStuck = IClassStatus['stuck'][number];

/** One row of the grid: a student, their cell per assignment (in the header's order), and where they are stuck. */
export interface IClassRow {
  student: string;
  cells: IClassCell[];
  stuck: IStuck | null;
}

export const STATE_LABELS: Record<CellState, string> = {
  not_submitted: 'not submitted',
  submitted: 'submitted, not graded',
  graded: 'graded',
  feedback_ready: 'graded, feedback ready',
  feedback_returned: 'graded, feedback returned'
};

/** Ask the server for the class view. */
export async function fetchClassView(): Promise<IClassView> {
  return requestAPI<IClassView>('class');
}

/** The grid's rows, students in the server's order; a missing cell is shown as not submitted. */
export function classRows(status: IClassStatus): IClassRow[] {
  const byKey = new Map(status.cells.map(c => [`${c.student}\u0000${c.assignment}`, c]));
  const stuck = new Map(status.stuck.map(s => [s.student, s]));
  return status.students.map(student => ({
    student,
    cells: status.assignments.map(
      assignment =>
        byKey.get(`${student}\u0000${assignment}`) ?? {
          student,
          assignment,
          state: 'not_submitted',
          score: 0,
          max_score: 0,
          percent: 0,
          timestamp: null
        }
    ),
    stuck: stuck.get(student) ?? null
  }));
}

/** What a cell shows: the score for work that was graded, a word otherwise. */
export function cellText(cell: IClassCell): string {
  if (cell.state === 'not_submitted') {
    return '–';
  }
  if (cell.state === 'submitted') {
    return 'submitted';
  }
  return `${formatNumber(cell.score)}/${formatNumber(cell.max_score)}`;
}

/** A student id as it can be shown: the server's `shown` form (invisible and direction-changing characters
 * written out as `\u200b`), so that a name cannot hide or reorder what follows it. */
export function shownName(status: IClassStatus, student: string): string {
  return status.shown?.[student] ?? student;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}
