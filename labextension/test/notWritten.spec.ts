/** What to write next: a result's `not_written` groups, in words (NotWrittenList.spec.tsx renders them). */
import { cellIdOfFragment, cellLinkOf } from '../src/cellLink';
import {
  cellTarget,
  INotWritten,
  notWrittenHeading,
  notWrittenLead,
  notWrittenOf,
  placeOf,
  testsWaiting
} from '../src/notWritten';
import { completeResult, group, untouched } from './notWrittenFixtures';

describe('notWrittenOf', () => {
  it('reads the groups in the engine’s order and knows nothing is written yet', () => {
    const view = notWrittenOf(untouched)!;
    expect(view.groups.map(g => [g.function, g.cell, g.tests.length])).toEqual([
      ['Tensor.__init__', 6, 86],
      ['zeros', 24, 2],
      ['randn', 24, 2]
    ]);
    expect(view.nothingWritten).toBe(true);
    expect(view.waiting).toBe(90);
    expect(notWrittenHeading(view)).toBe('Nothing written yet');
    expect(notWrittenLead(view)).toBe('Start with Tensor.__init__ in cell 6; 90 tests wait on 3 functions.');
  });

  it('says how many functions are left once something is written, never "Nothing written yet"', () => {
    const some = completeResult([
      { module: '01_tensor', not_written: [group('zeros', 24, 2), group('randn', 24, 2)], nothing_written: false }
    ]);
    const view = notWrittenOf(some)!;
    expect(view.nothingWritten).toBe(false);
    expect(notWrittenHeading(view)).toBe('2 functions to write');
    expect(notWrittenLead(view)).toBe('Next, write zeros in cell 24; 4 tests wait on 2 functions.');
    const one = notWrittenOf(completeResult([{ module: '01_tensor', not_written: [group('randn', 24, 1)] }]))!;
    expect(notWrittenHeading(one)).toBe('1 function to write');
    expect(notWrittenLead(one)).toBe('Next, write randn in cell 24; 1 test waits on 1 function.');
  });

  it('is null when no test waits on a stub, or the result is not a test result', () => {
    expect(notWrittenOf(completeResult([{ module: '01_tensor', not_written: [] }]))).toBeNull();
    expect(notWrittenOf(completeResult([{ module: '01_tensor' }]))).toBeNull();
    expect(notWrittenOf(null)).toBeNull();
    expect(notWrittenOf({ ...untouched, data: { checkpoint: 'c01', counts: {} } })).toBeNull();
  });

  it('skips malformed entries rather than showing "undefined"', () => {
    const odd = completeResult([{ module: '01_tensor', not_written: [{ function: 3 }, null, group('zeros', 24, 1)] }]);
    expect(notWrittenOf(odd)!.groups.map(g => g.function)).toEqual(['zeros']);
  });

  it('over several modules, says nothing is written only if every listed module says so', () => {
    const both = completeResult([
      { module: '01_tensor', ok: true, not_written: [] },
      { module: '02_activations', not_written: [group('ReLU.forward', 5, 3)], nothing_written: true }
    ]);
    expect(notWrittenOf(both)!.nothingWritten).toBe(true);
    const mixed = completeResult([
      { module: '01_tensor', not_written: [group('zeros', 24, 1)], nothing_written: false },
      { module: '02_activations', not_written: [group('ReLU.forward', 5, 3)], nothing_written: true }
    ]);
    expect(notWrittenOf(mixed)!.nothingWritten).toBe(false);
  });
});

describe('words and targets', () => {
  it('names the place and the waiting tests', () => {
    const view = notWrittenOf(untouched)!;
    expect(placeOf(view.groups[0])).toBe('cell 6 of 01_tensor.ipynb');
    expect(placeOf(group('helper', null, 1) as INotWritten)).toBe('tinytorch/core/tensor.py, line 23');
    expect([testsWaiting(1), testsWaiting(86)]).toEqual(['1 test waits', '86 tests wait']);
  });

  it('links to the cell by id, else by position, and to nothing outside a notebook', () => {
    expect(cellTarget(group('zeros', 24, 1) as INotWritten)).toEqual({ cellId: 'tensor-024', cell: 24 });
    expect(cellTarget(group('zeros', 24, 1, null) as INotWritten)).toEqual({ cellId: null, cell: 24 });
    expect(cellTarget(group('helper', null, 1) as INotWritten)).toBeNull();
  });

  const BASE = 'http://127.0.0.1:8888/user/me/';

  it('reads the notebook and cell a %tito link names, relative to the notebook showing it', () => {
    const here = 'course/modules/01_tensor/01_tensor.ipynb';
    expect(cellLinkOf('01_tensor.ipynb#cell-id=tensor-05', here, BASE)).toEqual({
      path: 'course/modules/01_tensor/01_tensor.ipynb',
      cellId: 'tensor-05'
    });
    expect(cellLinkOf('../02_x/02_x.ipynb#cell-id=a%20b%23c', here, BASE)).toEqual({
      path: 'course/modules/02_x/02_x.ipynb',
      cellId: 'a b#c'
    });
    expect(cellLinkOf('01_t%C3%A9nsor.ipynb#cell-id=x', 'top.ipynb', BASE)).toEqual({
      path: '01_ténsor.ipynb',
      cellId: 'x'
    });
    expect(cellLinkOf('/user/me/lab/tree/modules/01_tensor/01_tensor.ipynb#cell-id=x', here, BASE)).toEqual({
      path: 'modules/01_tensor/01_tensor.ipynb',
      cellId: 'x'
    });
    // As JupyterLab rewrites a relative link in rendered HTML: the file's download URL on this server.
    const rendered = `${BASE}files/modules/01_tensor/01_tensor.ipynb?_xsrf=2%7Cabc#cell-id=tensor-05`;
    expect(cellLinkOf(rendered, here, BASE)).toEqual({
      path: 'modules/01_tensor/01_tensor.ipynb',
      cellId: 'tensor-05'
    });
  });

  it('takes no other link: no cell id, another site or server, not a notebook, a bad escape', () => {
    const here = 'modules/01_tensor/01_tensor.ipynb';
    for (const href of [
      '01_tensor.ipynb',
      '01_tensor.ipynb#Heading',
      'https://example.com/x.ipynb#cell-id=a',
      '//example.com/x.ipynb#cell-id=a',
      'http://127.0.0.1:9999/user/me/files/x.ipynb#cell-id=a',
      '/user/other/files/x.ipynb#cell-id=a',
      'javascript:alert(1)#cell-id=a',
      'notes.md#cell-id=a',
      '/user/me/api/contents/x.ipynb#cell-id=a',
      '01_tensor.ipynb#cell-id=%E0%A4%A',
      '#cell-id=a'
    ]) {
      expect([href, cellLinkOf(href, here, BASE)]).toEqual([href, null]);
    }
  });

  it('reads the cell id of a JupyterLab cell link, and nothing else', () => {
    expect(cellIdOfFragment('#cell-id=tensor-05')).toBe('tensor-05');
    expect(cellIdOfFragment('#cell-id=caf%C3%A9%20%F0%9F%94%A5')).toBe('café 🔥');
    expect(cellIdOfFragment('#cell-id=')).toBeNull();
    expect(cellIdOfFragment('#Heading-1')).toBeNull();
    expect(cellIdOfFragment(undefined)).toBeNull();
  });
});
