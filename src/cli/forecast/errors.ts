/** The error `baton forecast` raises for unusable input: it names the file, the line and the problem. */
import { BatonError } from '../../errors/index.js';

export class ForecastInputError extends BatonError {
  constructor(file: string, line: number | null, problem: string) {
    super('BAD_REQUEST', line === null ? `${file}: ${problem}` : `${file}, line ${line}: ${problem}`, {
      details: { file, line, problem },
      suggestions: [
        'input is long CSV `series_id,date,value[,group]` (ISO dates; series of a group are forecast together) or M4 wide CSV (`"V1","V2",…`, id first)',
      ],
    });
  }
}

/** The output path cannot be written: raised before any forecasting, so the work is not lost at the end. */
export class ForecastOutputError extends BatonError {
  constructor(file: string, problem: string) {
    super('BAD_REQUEST', `--output ${file}: ${problem}`, {
      details: { file, problem },
      suggestions: ['give --output a file in a folder that exists and that you can write to'],
    });
  }
}
