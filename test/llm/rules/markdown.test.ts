// The markdown checkpoint: week and sell-through threshold, "no markdowns", and what is not a threshold.
import { describe, expect, it } from 'vitest';
import { findMarkdown } from '../../../src/llm/rules/markdown.js';
import { Scan } from '../../../src/llm/rules/scan.js';

const markdownOf = (text: string) => {
  const found = findMarkdown(new Scan(text));
  return { week: found.week?.value, threshold: found.threshold?.value, none: found.none !== undefined, mentioned: found.mentioned };
};

describe('markdown', () => {
  it.each([
    ['Check markdowns at week 4 if sell-through is under 50%.', 4, 0.5],
    ['Markdown checkpoint at week 10, threshold 60% sell-through.', 10, 0.6],
    ['review markdowns in week 5 when sell-through is below 55 percent', 5, 0.55],
    ['Markdown at week 8 if sell-through < 70%', 8, 0.7],
    ['markdowns at week eight below sixty percent sell-through', 8, 0.6],
    ['mark down in the 10th week if sell-through is less than 0.5', 10, 0.5],
    ['check markdowns after 8 weeks when sell-through is under 45%', 8, 0.45],
    ['mark down at the 4-week mark if sell-through is under 30%', 4, 0.3],
    ['Markdown: week 4, 50%.', 4, 0.5],
    ['markdown if sell-through falls below 40% at week 6', 6, 0.4],
    ['markdown threshold of half at week 6', 6, 0.5],
  ])('reads "%s" as week %d below %d', (text, week, threshold) => {
    const found = markdownOf(text);
    expect(found.week).toBe(week);
    expect(found.threshold).toBeCloseTo(threshold, 12);
    expect(found.mentioned).toBe(true);
  });

  it.each(['No markdowns.', 'no markdown phase', 'without any markdowns', 'Markdowns: none', 'skip markdowns', 'full price only'])(
    'reads "%s" as no markdown phase',
    (text) => {
      expect(markdownOf(text)).toMatchObject({ none: true, week: undefined, threshold: undefined });
    },
  );

  it('takes the compared percentage as the threshold, not the depth of the markdown', () => {
    expect(markdownOf('50% markdown at week 6 if sell-through is below 40%')).toMatchObject({ week: 6, threshold: 0.4 });
    expect(markdownOf('20% markdown at week 8')).toMatchObject({ week: 8, threshold: undefined, mentioned: true });
  });

  it('says markdowns were not mentioned when they were not', () => {
    expect(markdownOf('12-week clearance run, 15% DC holdback')).toMatchObject({ mentioned: false, week: undefined, threshold: undefined });
  });

  it('leaves the season length and the DC share to their own families', () => {
    const scan = new Scan('12-week season with 15% DC holdback; markdown at week 8 below 60% sell-through');
    findMarkdown(scan);
    expect(scan.text).toContain('12-week');
    expect(scan.text).toContain('15%');
    expect(scan.text).not.toContain('60%');
  });
});
