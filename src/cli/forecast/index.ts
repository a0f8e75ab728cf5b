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
  weekDates: z.enum(['end', 'start']),
});

export function registerForecastCommand(program: Command): void {
  program
    .command('forecast')
    .description(
      'forecast every series of a CSV (long series_id,date,value[,group] or M4 wide) with 80% and 95% intervals; ' +
        'series sharing a group (e.g. the stores of one department) are pooled and forecast as one panel',
    )
    .requiredOption('--input <file>', 'input CSV: long series_id,date,value with an optional 4th column group, or M4 wide ("V1","V2",…)')
    .requiredOption('--horizon <weeks>', 'steps to forecast')
    .requiredOption('--output <file>', 'output CSV: series_id,step,forecast,lo80,hi80,lo95,hi95')
    .option('--method <name>', `one of ${METHODS.join(', ')}`, 'ensemble')
    .option(
      '--week-dates <end|start>',
      'what each long-CSV date marks: the last day of its week (week-ending data) or the first; it lets the seasonal methods line up Christmas and Easter with last year',
      'end',
    )
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
