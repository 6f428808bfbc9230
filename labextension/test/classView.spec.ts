/** The class view: the request it makes, the grid's rows, and the grid as markup (react-dom/server, no DOM). */
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

import { IClassStatus, cellText, classRows, fetchClassView, shownName } from '../src/classView';
import { ClassGrid, ClassPanel } from '../src/components/ClassPanel';
import { requestAPI } from '../src/request';

jest.mock('../src/request', () => ({ requestAPI: jest.fn() }));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;
const ZOE = 'Zoë\u202eevil';

const STATUS: IClassStatus = {
  course_dir: '/course/nbgrader',
  assignments: ['01_numbers', '02_doubling'],
  students: ['alice', 'bob', ZOE],
  last_released: '02_doubling',
  cells: [
    {
      student: 'alice',
      assignment: '01_numbers',
      state: 'feedback_returned',
      score: 3,
      max_score: 3,
      percent: 100.0,
      timestamp: null
    },
    {
      student: 'alice',
      assignment: '02_doubling',
      state: 'graded',
      score: 1,
      max_score: 1,
      percent: 100.0,
      timestamp: null
    },
    {
      student: 'bob',
      assignment: '01_numbers',
      state: 'feedback_ready',
      score: 2,
      max_score: 3,
      percent: 66.7,
      timestamp: null
    },
    {
      student: 'bob',
      assignment: '02_doubling',
      state: 'graded',
      score: 0,
      max_score: 1,
      percent: 0.0,
      timestamp: null
    },
    {
      student: ZOE,
      assignment: '01_numbers',
      state: 'submitted',
      score: 0,
      max_score: 3,
      percent: 0.0,
      timestamp: null
    }
  ],
  stuck: [
    {
      student: 'bob',
      assignment: '02_doubling',
      reason: 'low_score',
      detail: 'latest graded module 02_doubling scored 0 of 1'
    }
  ],
  shown: { alice: 'alice', bob: 'bob', [ZOE]: 'Zoë\\u202eevil' },
  states: ['not_submitted', 'submitted', 'graded', 'feedback_ready', 'feedback_returned'],
  counts: { '01_numbers': { feedback_returned: 1, feedback_ready: 1, submitted: 1 }, '02_doubling': { graded: 2 } }
};

test('the class view is one GET of tito/api/class', async () => {
  request.mockResolvedValueOnce({ instructor: false, reason: 'no nbgrader course', class: null, message: null });
  const view = await fetchClassView();
  expect(request).toHaveBeenCalledWith('class');
  expect(view.instructor).toBe(false);
});

test('rows follow the students and assignments, a missing cell is not submitted', () => {
  const rows = classRows(STATUS);
  expect(rows.map(r => r.student)).toEqual(['alice', 'bob', ZOE]);
  expect(rows[1].cells.map(cellText)).toEqual(['2/3', '0/1']);
  expect(rows[1].stuck?.assignment).toBe('02_doubling');
  expect(rows[2].cells.map(c => c.state)).toEqual(['submitted', 'not_submitted']);
  expect(rows[2].cells.map(cellText)).toEqual(['submitted', '–']);
  expect(
    cellText({
      student: 'x',
      assignment: 'a',
      state: 'graded',
      score: 2.456,
      max_score: 3,
      percent: 81.9,
      timestamp: null
    })
  ).toBe('2.46/3');
});

test('a name with a direction override is shown written out', () => {
  expect(shownName(STATUS, ZOE)).toBe('Zoë\\u202eevil');
  expect(shownName({ ...STATUS, shown: {} }, 'alice')).toBe('alice');
});

test('the grid renders a row per student, each cell with its state, and marks where one is stuck', () => {
  const html = renderToStaticMarkup(React.createElement(ClassGrid, { status: STATUS }));
  expect(html).toContain('aria-label="Class grid"');
  expect(html.match(/<tr data-student=/g)).toHaveLength(3);
  expect(html).toContain('data-assignment="01_numbers" data-state="feedback_returned"');
  expect(html).toMatch(/data-state="graded" data-stuck="true"[^>]*>0\/1/);
  expect(html).toContain('>Zoë\\u202eevil<');
  const text = html.replace(/<[^>]*>/g, ''); // what is on screen (attributes keep the id as it is, unseen)
  expect(text).not.toContain('\u202e');
  expect(html).toContain('latest graded module 02_doubling scored 0 of 1');
});

test('an empty gradebook is a sentence, not an empty table', () => {
  const html = renderToStaticMarkup(
    React.createElement(ClassGrid, { status: { ...STATUS, students: [], cells: [], stuck: [] } })
  );
  expect(html).not.toContain('<table');
  expect(html).toContain('No students in the gradebook yet');
});

test('before the server has answered (and for a student) the panel renders nothing', () => {
  const load = jest.fn(() => new Promise<never>(() => undefined));
  expect(renderToStaticMarkup(React.createElement(ClassPanel, { load }))).toBe('');
});
