/**
 * What to write next: a test or complete result's `not_written` groups (docs/rest-api.md), in words.
 *
 * The engine groups the tests that fail on a function still raising `NotImplementedError` by that function, in
 * the order a student writes them, and says whether nothing is written yet (`nothing_written`). These pure
 * functions read that from a job's result and word it for the sidebar; `NotWrittenList` renders them.
 */
import { components } from './api.generated';
import { IResult } from './types';

/** One function a run's tests wait on (the engine's `not_written` entry): the server's OpenAPI schema. */
export type INotWritten = components['schemas']['NotWritten'];

/** The functions a result's tests wait on, in the order to write them, and whether nothing is written yet. */
export interface INotWrittenView {
  groups: INotWritten[];
  /** True only when the engine knows it: the notebook is as handed out, and every failure waits on a stub. */
  nothingWritten: boolean;
  /** How many tests wait, over all the groups. */
  waiting: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asGroup(value: unknown): INotWritten | null {
  if (!isRecord(value) || typeof value.function !== 'string' || !Array.isArray(value.tests)) {
    return null;
  }
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    function: value.function,
    module: str(value.module),
    notebook: str(value.notebook),
    cell: typeof value.cell === 'number' ? value.cell : null,
    cell_id: str(value.cell_id),
    file: typeof value.file === 'string' ? value.file : '',
    line: typeof value.line === 'number' ? value.line : 0,
    tests: value.tests.map(String)
  };
}

/**
 * The `not_written` groups of every module in a result (`module.test` and `module.complete` report per module),
 * in the order to write them; null when there are none.
 */
export function notWrittenOf(result: IResult | null | undefined): INotWrittenView | null {
  const data = result?.data;
  const modules = isRecord(data) && Array.isArray(data.modules) ? data.modules.filter(isRecord) : [];
  const groups: INotWritten[] = [];
  let nothingWritten = true;
  for (const report of modules) {
    const found = Array.isArray(report.not_written) ? report.not_written.map(asGroup) : [];
    const own = found.filter((g): g is INotWritten => g !== null);
    groups.push(...own);
    // Every module whose functions are listed must be untouched (a module that passed lists none).
    nothingWritten = nothingWritten && (own.length === 0 || report.nothing_written === true);
  }
  if (!groups.length) {
    return null;
  }
  return { groups, nothingWritten, waiting: groups.reduce((n, g) => n + g.tests.length, 0) };
}

/** "1 test waits" / "86 tests wait" (the engine's words, `testing.tests_waiting`). */
export function testsWaiting(count: number): string {
  return count === 1 ? '1 test waits' : `${count} tests wait`;
}

/** The heading: "Nothing written yet" or "3 functions to write". */
export function notWrittenHeading(view: INotWrittenView): string {
  if (view.nothingWritten) {
    return 'Nothing written yet';
  }
  const n = view.groups.length;
  return n === 1 ? '1 function to write' : `${n} functions to write`;
}

/** The sentence under the heading: where to start, and how many tests wait on what. */
export function notWrittenLead(view: INotWrittenView): string {
  const first = view.groups[0];
  const functions = view.groups.length === 1 ? '1 function' : `${view.groups.length} functions`;
  const where = first.cell !== null ? ` in cell ${first.cell}` : '';
  const start = view.nothingWritten ? 'Start with' : 'Next, write';
  return `${start} ${first.function}${where}; ${testsWaiting(view.waiting)} on ${functions}.`;
}

/** Where a function is written: "cell 6 of 01_tensor.ipynb", or the exported file and line. */
export function placeOf(group: INotWritten): string {
  if (group.notebook === null || group.cell === null) {
    return `${group.file}, line ${group.line}`;
  }
  const name = group.notebook.split('/').pop() ?? group.notebook;
  return `cell ${group.cell} of ${name}`;
}

/** A test id as a short name: "test_unit_tensor_creation" from "modules/…ipynb::test_unit_tensor_creation". */
export function testName(id: string): string {
  const parts = id.split('::');
  return parts[parts.length - 1] || id;
}

/** Where a link to the function's cell goes: the cell's id if known, else its position (1-based). */
export interface ICellTarget {
  cellId: string | null;
  cell: number | null;
}

/** The cell a group's link opens, or null when the function is not in a notebook cell. */
export function cellTarget(group: INotWritten): ICellTarget | null {
  if (group.notebook === null || (group.cell === null && group.cell_id === null)) {
    return null;
  }
  return { cellId: group.cell_id, cell: group.cell };
}
