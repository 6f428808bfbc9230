/** Results with `not_written` groups, as the engine reports them, for the words' and the list's tests. */
import { IResult } from '../src/types';

const NB = 'modules/01_tensor/01_tensor.ipynb';

export function group(fn: string, cell: number | null, tests: number, cellId: string | null = `tensor-0${cell}`) {
  return {
    function: fn,
    module: '01_tensor',
    notebook: cell === null ? null : NB,
    cell,
    cell_id: cell === null ? null : cellId,
    file: 'tinytorch/core/tensor.py',
    line: 23,
    tests: Array.from({ length: tests }, (_, i) => `${NB}::test_${fn.replace(/\W/g, '_')}_${i}`)
  };
}

/** A failed `module.complete` as the engine reports it. */
export function completeResult(modules: Record<string, unknown>[]): IResult {
  return { command: 'module.complete', ok: false, summary: '…', data: { modules }, error: null, duration: 1 };
}

export const untouched = completeResult([
  {
    module: '01_tensor',
    ok: false,
    not_written: [group('Tensor.__init__', 6, 86), group('zeros', 24, 2), group('randn', 24, 2)],
    nothing_written: true
  }
]);
