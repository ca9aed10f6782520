/**
 * The layer rules: dependencies point inward, and only the composition root
 * knows every layer. `npm run check:layers` fails CI on any violation.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing outside itself: no packages, no Node modules, no other layer.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'application-only-domain-and-ports',
      comment: 'src/application imports only the domain and itself (its ports included).',
      severity: 'error',
      from: { path: '^src/application/' },
      to: { pathNot: '^src/(domain|application)/' },
    },
    {
      name: 'infrastructure-not-transport',
      comment: 'Adapters do not know the transport or the wiring.',
      severity: 'error',
      from: { path: '^src/infrastructure/' },
      to: { path: '^src/(interface|composition|gen)/' },
    },
    {
      name: 'interface-not-adapters',
      comment: 'The transport calls use cases, never adapters or the wiring.',
      severity: 'error',
      from: { path: '^src/interface/' },
      to: { path: '^src/(infrastructure|composition)/' },
    },
    {
      name: 'generated-types-stop-at-interface',
      comment: 'Protobuf types are transport types.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(interface|gen|composition)/' },
      to: { path: '^src/gen/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.build.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '^src/gen/' },
  },
};
