/** The Azure deploy target (stage 9 through the `az` CLI): the target, its settings and errors, and its record. */
export { AzCli, AzError, AzNotInstalledError, AzNotLoggedInError, AzTimeoutError, azureSettingsFromEnv, parseAzureSettings } from './cli.js';
export type { AzureSettings, AzureSettingsInput } from './cli.js';
export { AzureStateStore } from './state.js';
export type { AzureDeploymentRecord, AzureEnvironmentRecord, WhatIfChange } from './state.js';
export { AzureTarget, STAGING_SLOT, azureDeploymentName, startupCommand } from './target.js';
export type { AzureTargetOptions } from './target.js';
