/** The sidebar, its package.json and the Python package are one version: the handshake depends on it. */
import { readFileSync } from 'fs';
import { join } from 'path';

import { FRONTEND_VERSION } from '../src/version';

describe('version', () => {
  it('agrees with package.json and tito_jupyter/_version.py', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf-8'));
    const python = readFileSync(join(__dirname, '..', '..', 'tito_jupyter', '_version.py'), 'utf-8');
    const match = /__version__\s*=\s*["']([^"']+)["']/.exec(python);
    expect(pkg.version).toBe(FRONTEND_VERSION);
    expect(match?.[1]).toBe(FRONTEND_VERSION);
  });
});
