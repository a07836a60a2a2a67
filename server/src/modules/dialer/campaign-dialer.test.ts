// The production dialer (CampaignDialer with the Pacer and the simulated provider) through whole calling
// evenings on the simulated network and a simulated clock, as bench:dialer runs it: abandoned calls by
// Ofcom's measure (abandoned ÷ answered by a person, counting people detection took for machines and hung
// up on) stay under 3 % while the answer rate swings between 10 % and 35 %, and with fewer than 5 callers
// it dials one line each and abandons nobody.
import { describe, expect, it } from 'vitest';
import { runEvening, type EveningFigures } from './evening';
import { SimulatedNetwork } from './network';
import { Pacer, PACING } from './pacing';

/** 18:00–21:00 in Stockholm on a Monday in December (UTC+1). */
const START = Date.UTC(2026, 11, 7, 17, 0);

const SWINGS = {
  'a 90-minute wave 10–35 %': (ms: number) => 0.225 - 0.125 * Math.cos((2 * Math.PI * (ms - START)) / (90 * 60_000)),
  'steps 10 % ↔ 35 % every 30 minutes': (ms: number) => (Math.floor((ms - START) / (30 * 60_000)) % 2 === 0 ? 0.1 : 0.35),
};

function evening(callers: number, network: SimulatedNetwork, mode: 'power' | 'predictive' = 'predictive', linesPerCaller = 3): Promise<EveningFigures> {
  return runEvening({ mode, linesPerCaller, callers, people: 20_000, start: START, hours: 3, timeZone: 'Europe/Stockholm', network, pacer: new Pacer(), seed: 1 });
}

const shown = (r: EveningFigures) =>
  `abandoned ${(100 * (r.abandonment_rate ?? 0)).toFixed(2)} % (${r.abandoned} + ${r.hung_up_by_detection} hung up by detection, of ${r.human_answers} people), ` +
  `${r.conversations_per_caller_hour.toFixed(1)} conversations per caller-hour, idle ${(100 * r.caller_idle_share).toFixed(1)} %`;

describe('the dialer through an evening', () => {
  for (const callers of [20, 50]) {
    for (const [swing, answerAt] of Object.entries(SWINGS)) {
      it(`keeps abandoned calls under 3 % with ${callers} callers while the answer rate swings (${swing})`, async () => {
        const r = await evening(callers, new SimulatedNetwork(1, { humanAnswerAt: answerAt }));
        console.log(`${callers} callers, ${swing}: ${shown(r)}`);
        expect(r.abandonment_rate).toBeLessThan(PACING.abandonmentLimit);
        expect(r.human_answers).toBeGreaterThan(callers * 40);
        // Idle far less than the 74 % of a volunteer dialling by hand (bench:dialer's preview).
        expect(r.caller_idle_share).toBeLessThan(0.45);
      });
    }
  }

  it('with fewer than 5 callers dials one line each and abandons nobody', async () => {
    const r = await evening(4, new SimulatedNetwork(1));
    console.log(`4 callers, predictive: ${shown(r)}`);
    expect(r.abandoned).toBe(0);
  });
});
