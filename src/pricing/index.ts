/** Pricing library for season planning: the markdown recommendation on a constant-elasticity demand model. Pure: no I/O. */
export { DEFAULT_ELASTICITY, demandAt } from './elasticity.js';
export { recommendMarkdown } from './recommend-markdown.js';
export { DEFAULT_CANDIDATES, markdownInputSchema, type MarkdownInput, type MarkdownOutcome, type MarkdownRecommendation } from './types.js';
