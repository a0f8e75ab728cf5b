/**
 * What the build stages work with, made once per module: the build data, the model (for the architect), the
 * workspace on disk, the deploy targets, the settings, and the API key each app and environment is started with.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LlmSettings } from '../../llm/provider.js';
import type { Environment } from './contracts.js';
import type { BuildData } from './data/index.js';
import type { DeployTarget, TargetName } from './deploy/contracts.js';
import type { BuildSettings } from './settings.js';
import type { BuildWorkspace } from './workspace.js';

export interface BuildServices {
  data: BuildData;
  llm?: LlmSettings | undefined;
  workspace: BuildWorkspace;
  settings: BuildSettings;
  /** The targets this installation deploys to, by name (made on first use: the Azure one needs its settings). */
  target(name: TargetName): DeployTarget;
  /** The API key an app is started with in an environment: stable across its releases, so clients keep working. */
  apiKeyFor(appName: string, environment: Environment): string;
}

/**
 * The secret API keys derive from: the setting, else a random one kept (0600) in the build directory so keys survive
 * restarts. Derived (HMAC) rather than stored per app so nothing else needs keeping.
 */
export function apiKeys(workspace: BuildWorkspace, configured: string | undefined): (appName: string, environment: Environment) => string {
  let secret = configured;
  return (appName, environment) => {
    if (secret === undefined) {
      const file = join(workspace.root, '.api-key-secret');
      try {
        secret = readFileSync(file, 'utf8').trim();
      } catch {
        mkdirSync(workspace.root, { recursive: true });
        const fresh = randomBytes(32).toString('hex');
        // 'wx': two processes racing keep the first one's secret.
        try {
          writeFileSync(file, fresh, { mode: 0o600, flag: 'wx' });
          secret = fresh;
        } catch {
          secret = readFileSync(file, 'utf8').trim();
        }
      }
    }
    return `bk_${createHmac('sha256', secret).update(`${appName}\n${environment}`).digest('hex').slice(0, 40)}`;
  };
}
