/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(ts|m?js)$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  // Prisma's schema engine glue and the adaptivecards parser ship as ES modules: compile them too.
  transformIgnorePatterns: ['/node_modules/(?!(@prisma/schema-engine-wasm|adaptivecards|swiper|ssr-window|dom7)/)'],
  testTimeout: 30000,
};
