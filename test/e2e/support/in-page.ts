/** Reads values inside the page with JavaScript expressions: the tests are type-checked for Node, without the DOM's types. */
import type { Page } from 'playwright-core';

export const inPage = <T>(page: Page, expression: string): Promise<T> => page.evaluate<T>(expression);

/** The page's full width: above the viewport's means sideways scrolling. */
export const pageWidth = (page: Page) => inPage<number>(page, 'document.documentElement.scrollWidth');

export const focusedText = (page: Page) => inPage<string | null>(page, 'document.activeElement ? document.activeElement.textContent : null');

/** Every event the Run page holds in its event log, in order: seq and the line shown. */
export const loggedEvents = (page: Page) =>
  inPage<{ seq: number; text: string }[]>(
    page,
    `Array.from(document.querySelectorAll('[data-testid="event-log"] li'), (li) => ({ seq: Number(li.getAttribute('data-seq')), text: li.textContent || '' }))`,
  );
