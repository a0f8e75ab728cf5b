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
