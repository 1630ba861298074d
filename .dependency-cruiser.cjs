// The layering of DESIGN.md §4/§5 (items 1 and 11), checked by `npm run lint` and by
// test/unit/architecture.test.ts. Paths are relative to the repository root. Tests are not layered:
// they may reach into any folder to build fakes and drive the edges.

/** The pages' bundles (web/src) run in the browser and share two pure helpers with the server. */
const BROWSER_SHARED_HELPERS = [
  // Money, dates and plurals worded the same on the pages as in chat and cards.
  '^cards/format\\.ts$',
  // The checkout page checks a card number as it is typed with the same Luhn rule the sandbox processor applies.
  '^payments/card-number\\.ts$',
];
/** npm packages the pages may bundle. */
const BROWSER_PACKAGES = '^node_modules/(@microsoft/teams-js|adaptivecards)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-itself',
      comment: 'domain/ depends on nothing outside itself but Node built-ins: no botbuilder, restify, Prisma, adaptivecards, cards or bot (DESIGN §5.1).',
      severity: 'error',
      from: { path: '^domain/' },
      to: { pathNot: '^domain/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'prisma-not-to-edges',
      comment: 'prisma/ implements the domain ports; it never imports the Teams edge (bot/) or the cards.',
      severity: 'error',
      from: { path: '^prisma/' },
      to: { path: '^(bot|cards)/' },
    },
    {
      name: 'cards-not-to-prisma-or-bot',
      comment: 'cards/ are pure functions of view models: they never import prisma/ or bot/.',
      severity: 'error',
      from: { path: '^cards/' },
      to: { path: '^(prisma|bot)/' },
    },
    {
      name: 'cards-not-to-repositories',
      comment: 'cards/ may use domain types and read results, but not the ports (repositories, providers) in domain/**/ports.ts.',
      severity: 'error',
      from: { path: '^cards/' },
      to: { path: ['^domain/ports\\.ts$', '^domain/.+/ports\\.ts$'] },
    },
    {
      name: 'payments-imports-only-domain',
      comment: 'payments/ (the sandbox processor behind the PaymentProvider port) imports only domain/, itself and Node built-ins.',
      severity: 'error',
      from: { path: '^payments/' },
      to: { pathNot: '^(payments|domain)/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'web-pages-only-through-contracts',
      comment:
        'web/src (browser pages) talks to the server only through web/contracts; besides web/** it may import the pure helpers ' +
        'it shares with the server and the browser packages it bundles, never Node built-ins.',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { pathNot: ['^web/', ...BROWSER_SHARED_HELPERS, BROWSER_PACKAGES] },
    },
    {
      name: 'web-contracts-are-types',
      comment: 'web/contracts holds the JSON shapes both sides compile against; it may name domain types (type-only, erased from the bundle) and nothing else.',
      severity: 'error',
      from: { path: '^web/contracts/' },
      to: { pathNot: '^web/contracts/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'browser-shared-helpers-stay-pure',
      comment: 'The helpers web/src bundles run in the browser too: they may import only types (erased) and each other.',
      severity: 'error',
      from: { path: BROWSER_SHARED_HELPERS },
      to: { pathNot: BROWSER_SHARED_HELPERS, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-src-only-from-web',
      comment: 'Nothing outside web/ imports the pages themselves: the server (bot/web) shares web/contracts only.',
      severity: 'error',
      from: { pathNot: '^(web|test)/' },
      to: { path: '^web/src/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles outside the tests.',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { circular: true },
    },
    {
      name: 'source-not-to-dev-dep',
      comment: 'What `npm start` runs (and the pages it bundles) imports only packages in dependencies, never devDependencies (type-only imports are erased).',
      severity: 'error',
      from: { path: '^(bot|cards|domain|prisma|payments|web)/', pathNot: '^prisma/(seed|seed-demo|schema-engine)\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package (tests too are checked by tsc).',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a card importing a repository interface is still a card knowing about repositories.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: ['node_modules', '^prisma/generated/', '^prisma/generated-pg/'] },
    exclude: { path: ['^build/', '^docs/', '^\\.tmp/', '^coverage/', '^bench/\\.data/'] },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
    cache: false,
  },
};
