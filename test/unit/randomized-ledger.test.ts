import fc from 'fast-check';
import { buildUseCases } from '../../src/composition/application-module.js';
import { fakeBilling } from '../fakes/fake-billing.js';
import { ledgerOp, runLedgerScenario } from '../model/ledger-scenario.js';

// FC_SEED=<n> replays a reported failure; fast-check prints the seed and path of any counterexample.
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

describe('randomized ledger (use cases over fakes) against the reference model', () => {
  it('agrees with the model and keeps every invariant after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ledgerOp, { minLength: 5, maxLength: 40 }), async (ops) => {
        const fakes = fakeBilling('2026-03-10T15:00:00Z');
        const useCases = buildUseCases(fakes.dependencies);
        await runLedgerScenario({ useCases, clock: fakes.clock }, ops);
      }),
      { numRuns: 300, seed },
    );
  });
});
