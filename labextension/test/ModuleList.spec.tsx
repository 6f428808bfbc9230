/** The module list as a student sees it, with JupyterLab's real buttons: states, prerequisites, and the verbs. */
import * as React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { ModuleList } from '../src/components/ModuleList';
import { moduleRow } from './fakeServer';

test('renders', () => {
  const onAction = jest.fn();
  render(
    <ModuleList
      modules={[moduleRow('01_numbers'), moduleRow('02_doubling')]}
      busy={false}
      activeModules={[]}
      onOpen={jest.fn()}
      onAction={onAction}
    />
  );
  fireEvent.click(screen.getByRole('button', { name: 'Test 01_numbers' }));
  expect(onAction).toHaveBeenCalledWith(expect.objectContaining({ id: '01_numbers' }), 'test');
  expect(within(screen.getByRole('list', { name: 'Modules' })).getAllByRole('listitem')).toHaveLength(2);
});
