import { describe, expect, it } from 'vitest';
import { distanceMatrix, meanSilhouette } from '../../../src/allocation/clustering/silhouette.js';

describe('meanSilhouette', () => {
  it('matches a hand computation for two pairs on a line (0, 1 | 10, 11)', () => {
    // Ends: a = 1, b = (10 + 11) / 2 = 10.5 → 9.5 / 10.5 = 19/21. Inner points: a = 1, b = 9.5 → 17/19.
    const distances = distanceMatrix([[0], [1], [10], [11]]);
    expect(meanSilhouette(distances, [0, 0, 1, 1], 2)).toBeCloseTo((19 / 21 + 17 / 19) / 2, 12);
  });

  it('scores a point alone in its cluster 0 and a bad split below 0', () => {
    const distances = distanceMatrix([[0], [1], [10]]);
    // 10 alone: 0. Point 0: a = 1, b = 10 → 0.9. Point 1: a = 1, b = 9 → 8/9.
    expect(meanSilhouette(distances, [0, 0, 1], 2)).toBeCloseTo((0.9 + 8 / 9) / 3, 12);
    // Splitting the close pair and joining the far points is worse than no structure.
    expect(meanSilhouette(distanceMatrix([[0], [1], [10], [11]]), [0, 1, 0, 1], 2)).toBeLessThan(0);
  });

  it('uses Euclidean distance over every column', () => {
    const distances = distanceMatrix([
      [0, 0],
      [3, 4],
    ]);
    expect(distances[0]?.[1]).toBe(5);
    expect(distances[1]?.[0]).toBe(5);
  });
});
