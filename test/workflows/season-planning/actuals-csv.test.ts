// A week's actuals read from CSV (actuals-csv.ts): the headers a planner's weekly export carries, besides Baton's own.
import { expect, it } from 'vitest';
import { parseActualsCsv } from '../../../src/workflows/season-planning/actuals-csv.js';

it("reads a weekly export in the sales import's well-known names (Walmart's Store, Dept, Date, Weekly_Sales), its other columns left aside", () => {
  const text = ['Store,Dept,Date,Weekly_Sales,IsHoliday', '1,1,2011-07-08,24924.5,FALSE', '1,2,2011-07-08,46039.49,FALSE'].join('\n');
  expect(parseActualsCsv(text, 'till.csv', 1)).toEqual({
    sales: [
      { store_id: '1', category_id: '1', units_sold: 24924.5 },
      { store_id: '1', category_id: '2', units_sold: 46039.49 },
    ],
    late: [],
    measure: 'sales_value',
  });
});

it('reads sales_value as the figure of a season planned in money, and Units or Quantity as units', () => {
  for (const figure of ['sales_value', 'Sales Value', 'Units', 'quantity', 'units_sold']) {
    const { sales } = parseActualsCsv([`store_id,category_id,${figure}`, 'S1,C1,12'].join('\n'), 'week.csv', 3);
    expect(sales, figure).toEqual([{ store_id: 'S1', category_id: 'C1', units_sold: 12 }]);
  }
});

it('says what the figures count when the figure column does (Units; Weekly_Sales or sales_value), and nothing for units_sold', () => {
  const measureOf = (figure: string) => parseActualsCsv([`Store,Dept,${figure}`, '1,1,5'].join('\n'), 'week.csv', 1).measure;
  expect(measureOf('Weekly_Sales')).toBe('sales_value');
  expect(measureOf('sales_value')).toBe('sales_value');
  expect(measureOf('Units')).toBe('units');
  // The name every season's files have used, money seasons' too: no claim either way.
  expect(measureOf('units_sold')).toBeUndefined();
  expect(measureOf('quantity')).toBeUndefined();
});

it('keeps week as the season week, not a date', () => {
  const text = ['week,Store,Dept,units', '2,S1,C1,5', '1,S1,C1,4'].join('\n');
  expect(parseActualsCsv(text, 'weeks.csv', 2)).toEqual({
    sales: [{ store_id: 'S1', category_id: 'C1', units_sold: 5 }],
    late: [{ week: 1, store_id: 'S1', category_id: 'C1', units_sold: 4 }],
    measure: 'units',
  });
  expect(() => parseActualsCsv(['Week,Store,Dept,Units', '2011-07-08,S1,C1,5'].join('\n'), 'dated.csv', 1)).toThrow(
    /dated\.csv, line 2: week "2011-07-08" is not a season week/,
  );
});

it('refuses two columns read as one field with 400 naming both, rather than keep one of them silently', () => {
  const text = ['store_id,category_id,units_sold,sales_value', 'S1,C1,3,59.97'].join('\n');
  expect(() => parseActualsCsv(text, 'both.csv', 1)).toThrow(
    expect.objectContaining({ code: 'BAD_REQUEST', message: 'both.csv: the columns "units_sold" and "sales_value" both read as units_sold' }),
  );
});
