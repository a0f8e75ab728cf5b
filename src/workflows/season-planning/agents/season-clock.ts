/** Closes a season week: how many are left (the workflow loops back while there are). */
import { z } from 'zod';
import { defineAgent } from '../../../engine/index.js';
import { ClockOutput } from '../contracts.js';

export const clockInput = z.object({ week: z.number().int().min(1), horizon: z.number().int().min(1) });
/** Declared once in the contracts (its stored result and `complete` event carry it). */
export const clockOutput = ClockOutput;

export const seasonClock = defineAgent({
  name: 'season_clock',
  description: 'Closes a season week and says how many are left.',
  input: clockInput,
  output: clockOutput,
  run: ({ input }) => {
    const left = Math.max(0, input.horizon - input.week);
    return {
      week: input.week,
      weeks_left: left,
      explanation: left > 0 ? `Week ${input.week} closed; ${left} to go.` : `Week ${input.week} closed: the season is over.`,
    };
  },
});
