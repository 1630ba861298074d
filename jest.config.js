/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(ts|m?js)$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  // Prisma's schema engine glue, the adaptivecards parser and app-manifest's strip-bom ship as ES modules: compile them too (judged by the innermost node_modules, as strip-bom is nested).
  transformIgnorePatterns: ['/node_modules/(?!(@prisma/schema-engine-wasm|adaptivecards|swiper|ssr-window|dom7|strip-bom)/)(?!.*/node_modules/)'],
  testTimeout: 30000,
};
