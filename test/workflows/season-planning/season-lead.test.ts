// Where a season falls on the history's weekly grid: a start off the history's weekday is planned on the history's week
// it shares most days with, and the plan says so.
import { describe, expect, it } from 'vitest';
import { seasonLead } from '../../../src/workflows/season-planning/season.js';

// Walmart's grid: weeks starting on Saturdays, the last one 2012-04-21 (to 2012-04-27); 117 weeks of history.
const lead = (start: string) => seasonLead('2012-04-21', 117, start);

describe('a season on the history’s weekly grid', () => {
  it('starts on the history’s next week when it starts on its weekday', () => {
    expect(lead('2012-04-28')).toMatchObject({ gap: 0, firstSeasonWeek: '2012-04-28' });
    expect(lead('2012-05-05')).toMatchObject({ gap: 1, firstSeasonWeek: '2012-05-05' });
  });

  it('plans a Monday start on the Saturday week begun two days before, not the one five days after', () => {
    // Season week 1, Mon 30 Apr – Sun 6 May, shares 5 days with the week of 28 Apr and 2 with that of 5 May.
    expect(lead('2012-04-30')).toMatchObject({ gap: 0, firstSeasonWeek: '2012-04-28' });
    expect(lead('2012-05-01')).toMatchObject({ gap: 0, firstSeasonWeek: '2012-04-28' });
    // Wednesday 2 May – Tuesday 8 May: 3 days with the week of 28 Apr, 4 with that of 5 May.
    expect(lead('2012-05-02')).toMatchObject({ gap: 1, firstSeasonWeek: '2012-05-05' });
  });

  it('still refuses a start within the history’s last week', () => {
    expect(() => lead('2012-04-25')).toThrow(/before the sales history ends.*the earliest start is 2012-04-28/);
  });
});
