/**
 * The sidebar, its package.json and the Python package are one version, written once in package.json: the
 * handshake with the server extension depends on it.
 */
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

import { FRONTEND_VERSION } from '../src/version.generated';

const LABEXTENSION = join(__dirname, '..');
const REPO = join(LABEXTENSION, '..');

describe('version', () => {
  it('is package.json’s', () => {
    const pkg = JSON.parse(readFileSync(join(LABEXTENSION, 'package.json'), 'utf-8'));
    expect(FRONTEND_VERSION).toBe(pkg.version);
  });

  it('is written nowhere else: the Python package reads package.json', () => {
    const python = readFileSync(join(REPO, 'tito_jupyter', '_version.py'), 'utf-8');
    expect(python).not.toMatch(/__version__\s*=\s*["']\d/);
    expect(python).toContain('labextension');
    const pyproject = readFileSync(join(REPO, 'pyproject.toml'), 'utf-8');
    expect(pyproject).toMatch(/\[tool\.hatch\.version\]\nsource = "nodejs"\npath = "labextension\/package\.json"/);
  });

  it('is generated, and the generator says when it is stale', () => {
    const check = () =>
      execFileSync(process.execPath, [join(LABEXTENSION, 'scripts', 'gen-types.mjs'), '--check'], {
        cwd: LABEXTENSION,
        encoding: 'utf-8'
      });
    expect(check()).toContain('src/version.generated.ts matches package.json');
  });
});
