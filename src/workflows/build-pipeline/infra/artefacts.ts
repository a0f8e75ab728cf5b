/**
 * The infrastructure files a generated repository carries (stage 7 → the repository stage): the ARM template,
 * one parameter file per environment, and the Bicep text, at fixed paths so a re-run writes the same bytes.
 */
import { armFiles } from './arm.js';
import { bicepText } from './bicep.js';
import { ENVIRONMENTS, type InfraSpec } from './spec.js';

/** Path in the repository → file content (JSON with two-space indent and a final newline). */
export function infraArtefacts(spec: InfraSpec, directory = 'infra'): Record<string, string> {
  const files = armFiles(spec);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const out: Record<string, string> = { [`${directory}/main.json`]: json(files.template), [`${directory}/main.bicep`]: bicepText(spec) };
  for (const env of ENVIRONMENTS) out[`${directory}/main.parameters.${env}.json`] = json(files.parameters[env]);
  return out;
}
