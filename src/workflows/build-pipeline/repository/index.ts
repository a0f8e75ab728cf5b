/**
 * Stages 3 (repository) and 6 (merge) of the build pipeline: what the rest of the module imports.
 */
export { GitError, GitPushRefusedError, GitTimeoutError, runGit, assertBranchName, BranchNameSchema, CommitShaSchema } from './git.js';
export {
  PROTECTED_BRANCH,
  createProtectedOrigin,
  recordPassingCheck,
  readCheck,
  originBranchSha,
  pushRef,
  deleteRemoteBranch,
  mergeThroughOrigin,
} from './origin.js';
export type { CheckRecord, MergeResult, PushOptions } from './origin.js';
export { BuildRepositoryInputSchema, PIPELINE_IDENTITY, commitFiles, createBuildRepository } from './repository.js';
export type { BuildRepository, BuildRepositoryInput, CommitOptions, CommitResult } from './repository.js';
export { assertValidWorkflow, ciWorkflow } from './workflow-file.js';
export type { AppStack } from './workflow-file.js';
