/**
 * The sidebar's unit tests. Two projects:
 * - `model`: plain TypeScript in Node (*.spec.ts), the request layer replaced by the fake server (test/fakeServer.ts);
 * - `components`: the React components in jsdom (*.spec.tsx), rendered with @testing-library/react and JupyterLab's
 *   real ui-components. Those ship as ES modules, so ts-jest compiles them (and their ES dependencies) too.
 * Type checking is `npm run lint:check`'s (tsc), so ts-jest only transpiles here (isolatedModules).
 */
const ESM_PACKAGES = [
  '@jupyterlab',
  '@jupyter',
  '@lumino',
  '@microsoft',
  '@rjsf',
  'exenv-es6',
  'lib0',
  'y-protocols',
  'yjs',
  'nanoid',
  'marked',
  'vscode-ws-jsonrpc',
  '@codemirror',
  '@lezer'
];
const transform = {
  '^.+\\.(t|j)sx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }]
};
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`];

module.exports = {
  projects: [
    {
      displayName: 'model',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.spec.ts'],
      transform,
      transformIgnorePatterns
    },
    {
      displayName: 'components',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.spec.tsx'],
      setupFiles: ['<rootDir>/test/jsdomGaps.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setupComponents.ts'],
      // Icons are SVG text the build inlines; CSS is the build's too.
      moduleNameMapper: {
        '\\.svg$': '<rootDir>/test/assetText.js',
        '\\.css$': '<rootDir>/test/assetText.js'
      },
      transform,
      transformIgnorePatterns
    }
  ]
};
