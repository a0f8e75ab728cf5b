/** Registers `baton forecast` on the command line; options are validated with zod before any work starts. */
import type { Command } from 'commander';
import { z } from 'zod';
import { InvalidParametersError } from '../../errors/index.js';
import { methodSchema, METHODS } from '../../forecasting/index.js';
import { runForecastCommand } from './run.js';

const optionsSchema = z.object({
  input: z.string().min(1),
  output: z.string().min(1),
  horizon: z.coerce.number().int().min(1).max(520),
  method: methodSchema,
});

export function registerForecastCommand(program: Command): void {
  program
    .command('forecast')
    .description('forecast every series of a CSV (long series_id,date,value or M4 wide) with 80% and 95% intervals')
    .requiredOption('--input <file>', 'input CSV')
    .requiredOption('--horizon <weeks>', 'steps to forecast')
    .requiredOption('--output <file>', 'output CSV: series_id,step,forecast,lo80,hi80,lo95,hi95')
    .option('--method <name>', `one of ${METHODS.join(', ')}`, 'ensemble')
    .action(async (raw: Record<string, unknown>) => {
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success) {
        throw new InvalidParametersError(
          'invalid forecast options',
          parsed.error.issues.map((issue) => ({ path: `--${issue.path.join('.')}`, message: issue.message })),
        );
      }
      const started = performance.now();
      const { series, rows } = await runForecastCommand(parsed.data);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      console.error(`forecast ${series} series × ${parsed.data.horizon} steps (${parsed.data.method}) → ${parsed.data.output} (${rows} rows, ${seconds} s)`);
    });
}
