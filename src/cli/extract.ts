/** `baton extract "<text>"`: season parameters from plain words, printed as JSON (errors too, exit code 1). */
import type { Command } from 'commander';
import { BatonError, toBatonError } from '../errors/index.js';
import { extractParameters, EXTRACTION_MODES, ExtractionMode } from '../llm/index.js';

interface ExtractFlags {
  referenceDate?: string;
  mode?: string;
}

export function registerExtractCommand(program: Command): void {
  program
    .command('extract')
    .description('read season parameters from plain words and print them as JSON (offline rules unless OPENAI_API_KEY or AZURE_OPENAI_* is set)')
    .argument('<text>', 'the request, e.g. "12 weeks from Jan 6, weekly replenishment, 15% DC holdback"')
    .option('--reference-date <YYYY-MM-DD>', 'the day relative dates count from (default: today, UTC)')
    .option('--mode <mode>', `${EXTRACTION_MODES.join(' | ')} (default: hybrid when a model is configured, else rules)`)
    .action(async (text: string, flags: ExtractFlags) => {
      try {
        const mode = flags.mode === undefined ? undefined : parseMode(flags.mode);
        const result = await extractParameters(text, {
          ...(flags.referenceDate === undefined ? {} : { referenceDate: flags.referenceDate }),
          ...(mode === undefined ? {} : { mode }),
        });
        console.log(JSON.stringify(result, null, 2));
      } catch (error) {
        // The same body the HTTP API sends, so scripts read one shape whichever way they ask.
        console.log(JSON.stringify(toBatonError(error, 'INTERNAL_ERROR').toJSON(), null, 2));
        process.exitCode = 1;
      }
    });
}

function parseMode(raw: string): ExtractionMode {
  const mode = ExtractionMode.safeParse(raw);
  if (mode.success) return mode.data;
  throw new BatonError('BAD_REQUEST', `--mode "${raw}" is not one of ${EXTRACTION_MODES.join(', ')}`, {
    details: { mode: raw, allowed: [...EXTRACTION_MODES] },
    suggestions: [`use --mode ${EXTRACTION_MODES.join(' | ')}`],
  });
}
