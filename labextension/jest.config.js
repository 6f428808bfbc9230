/** Unit tests of the sidebar's model: plain TypeScript in Node, the request layer mocked. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }]
  },
  testMatch: ['**/*.spec.ts']
};
