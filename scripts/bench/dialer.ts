// `npm run bench:dialer [-- --callers 50 --people 20000 --hours 3 --seed 1]`: one calling evening
// (18:00–21:00 in Stockholm, a Tuesday) on the simulated phone network and a sped-up clock, in three
// modes with the same people, network and volunteers: preview (today's: the caller asks for the next
// person, dials, waits the ring out, records the outcome), power (2 lines per caller) and predictive.
// Power and predictive run the production dialer (CampaignDialer), pacing loop (Pacer) and simulated
// provider; the calling engine's queue is kept in memory with its rules (dialer-evening.ts), so that
// the evening takes seconds. Progress to stderr; one JSON line of figures to stdout.
import { parseArgs } from 'node:util';
import { SimulatedNetwork } from '../../server/src/modules/dialer/network';
import { Pacer } from '../../server/src/modules/dialer/pacing';
import { runEvening, type EveningFigures } from '../../server/src/modules/dialer/evening';

const { values } = parseArgs({
  options: {
    callers: { type: 'string', default: '50' },
    people: { type: 'string', default: '20000' },
    hours: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
  },
});

const callers = Number(values.callers);
const people = Number(values.people);
const hours = Number(values.hours);
const seed = Number(values.seed);
// Tuesday 8 December 2026, 18:00 in Stockholm.
const start = Date.parse('2026-12-08T17:00:00Z');
const timeZone = 'Europe/Stockholm';

const round = (figures: EveningFigures) =>
  Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value]));

const figures: Record<string, Record<string, unknown>> = {};
const began = performance.now();
// The fourth run shows why a "machine" verdict goes to a waiting caller: hung up on every time, the people
// detection takes for machines are abandoned calls by Ofcom's measure.
for (const [name, mode, linesPerCaller, machineVerdict] of [
  ['preview', 'preview', 1, undefined],
  ['power', 'power', 2, undefined],
  ['predictive', 'predictive', 3, undefined],
  ['predictive_hanging_up_on_machine_verdicts', 'predictive', 3, 'hang-up'],
] as const) {
  const started = performance.now();
  const result = await runEvening({
    mode,
    ...(machineVerdict ? { machineVerdict } : {}),
    linesPerCaller,
    callers,
    people,
    start,
    hours,
    timeZone,
    network: new SimulatedNetwork(seed),
    ...(mode === 'preview' ? {} : { pacer: new Pacer() }),
    seed,
  });
  figures[name] = round(result);
  process.stderr.write(`${name}: ${JSON.stringify(figures[name])} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
const preview = figures.preview?.conversations_per_caller_hour as number;
process.stderr.write(
  `power ${((figures.power?.conversations_per_caller_hour as number) / preview).toFixed(2)}× preview, predictive ${((figures.predictive?.conversations_per_caller_hour as number) / preview).toFixed(2)}× preview; ${((performance.now() - began) / 1000).toFixed(1)} s in all\n`,
);
process.stdout.write(`${JSON.stringify({ callers, people, hours, seed, ...figures })}\n`);
