/**
 * The build pipeline's infrastructure as code (stage 7): ARM JSON and Bicep text per template, offline
 * validation against the catalogue, monthly cost from the dated price table, and planned changes.
 */
export * from './arm.js';
export * from './artefacts.js';
export * from './bicep.js';
export * from './catalogue.js';
export * from './changes.js';
export * from './cost.js';
export * from './prices.js';
export * from './spec.js';
export * from './validate.js';
export { DeployTimeValue, ExpressionError, isExpression } from './expressions.js';
