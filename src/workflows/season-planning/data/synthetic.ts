/**
 * Realistic synthetic retail history for the demo and the tests: trend, yearly seasonality per
 * category, holiday peaks, store effects from size, location tier and income, and noise — plus
 * the hidden "true" in-season demand the demo uses to simulate weekly actuals.
 */
import type { Category, StoreProfile, WeeklySales } from './types.js';
import { hashSeed, seededRandom, type Random } from './random.js';
import { addDays, toDayNumber, yearFraction } from './weeks.js';

export interface SyntheticOptions {
  stores: number;
  categories: number;
  /** Weeks of history, ending with `lastWeek`. */
  weeks: number;
  seed: number;
  /** The Monday of the last history week (YYYY-MM-DD). */
  lastWeek: string;
  /**
   * How in-season demand departs from the history's pattern, so monitoring has something to find:
   * demand of the first category is multiplied by `factor` from season week `fromWeek` on.
   */
  inSeasonShift?: { factor: number; fromWeek: number };
}

export interface SyntheticDataSet {
  stores: StoreProfile[];
  categories: Category[];
  sales: WeeklySales[];
  /** What shoppers really buy in a week after the history (the demo's simulated actuals). */
  trueDemand(storeId: string, categoryId: string, weekStart: string): number;
}

interface CategoryModel {
  category: Category;
  base: number;
  /** Seasonal swing around the mean (0.3 = ±30%) and the peak as a fraction of the year. */
  amplitude: number;
  peak: number;
  /** Growth per year. */
  trend: number;
  /** How strongly sales follow local income. */
  incomeElasticity: number;
}

interface StoreModel {
  profile: StoreProfile;
  /** Sales scale from size, tier and a store-specific draw. */
  scale: number;
  trend: number;
}

const CATEGORY_TEMPLATES = [
  { name: 'Outerwear', amplitude: 0.55, peak: 0.9, incomeElasticity: 0.5 },
  { name: 'Swimwear', amplitude: 0.7, peak: 0.45, incomeElasticity: 0.3 },
  { name: 'Knitwear', amplitude: 0.45, peak: 0.05, incomeElasticity: 0.4 },
  { name: 'Denim', amplitude: 0.15, peak: 0.67, incomeElasticity: 0.2 },
  { name: 'Dresses', amplitude: 0.35, peak: 0.38, incomeElasticity: 0.6 },
  { name: 'Accessories', amplitude: 0.2, peak: 0.95, incomeElasticity: 0.7 },
  { name: 'Footwear', amplitude: 0.2, peak: 0.7, incomeElasticity: 0.4 },
  { name: 'Activewear', amplitude: 0.25, peak: 0.05, incomeElasticity: 0.3 },
];
const REGIONS = ['North', 'South', 'East', 'West', 'Central'];
const TIER_EFFECT = { urban: 1.2, suburban: 1.0, rural: 0.75 } as const;
const NOISE_SD = 0.12;

function categoryModels(count: number, random: Random): CategoryModel[] {
  return Array.from({ length: count }, (_, i) => {
    const template = CATEGORY_TEMPLATES[i % CATEGORY_TEMPLATES.length] ?? CATEGORY_TEMPLATES[0]!;
    const round = Math.floor(i / CATEGORY_TEMPLATES.length);
    return {
      category: { categoryId: `C${String(i + 1).padStart(2, '0')}`, name: round === 0 ? template.name : `${template.name} ${round + 1}` },
      base: 25 + random.next() * 35,
      amplitude: template.amplitude,
      peak: template.peak,
      trend: -0.03 + random.next() * 0.12,
      incomeElasticity: template.incomeElasticity,
    };
  });
}

function storeModels(count: number, random: Random): StoreModel[] {
  return Array.from({ length: count }, (_, i) => {
    const tier = random.next() < 0.35 ? 'urban' : random.next() < 0.7 ? 'suburban' : 'rural';
    const size = Math.round(Math.exp(Math.log(60_000) + 0.45 * random.normal()) / 100) * 100;
    const income = Math.round((tier === 'urban' ? 85_000 : tier === 'suburban' ? 70_000 : 50_000) * Math.exp(0.2 * random.normal()) / 500) * 500;
    const format = random.next() < 0.1 ? 'outlet' : size > 110_000 ? 'flagship' : size < 35_000 ? 'express' : 'standard';
    const storeId = `S${String(i + 1).padStart(3, '0')}`;
    return {
      profile: {
        storeId,
        storeName: `${random.pick(REGIONS)} ${format} #${i + 1}`,
        region: random.pick(REGIONS),
        storeSizeSqft: size,
        locationTier: tier,
        medianIncome: income,
        storeFormat: format,
      },
      scale: Math.pow(size / 60_000, 0.7) * TIER_EFFECT[tier] * Math.exp(0.1 * random.normal()) * (format === 'outlet' ? 0.8 : 1),
      trend: 0.02 * random.normal(),
    };
  });
}

/** Black Friday week, the weeks before Christmas and back to school lift sales. */
function holidayLift(weekStart: string): number {
  const month = Number(weekStart.slice(5, 7));
  const day = Number(weekStart.slice(8, 10));
  if (month === 11 && day >= 22 && day <= 28) return 1.8;
  if (month === 12 && day >= 8 && day <= 24) return 1.4;
  if (month === 8 && day >= 10) return 1.12;
  return 1;
}

export function generateRetailData(options: SyntheticOptions): SyntheticDataSet {
  const random = seededRandom(options.seed);
  const categories = categoryModels(options.categories, random);
  const stores = storeModels(options.stores, random);
  const origin = toDayNumber(options.lastWeek);
  const firstSeasonWeek = addDays(options.lastWeek, 7);

  const expected = (store: StoreModel, category: CategoryModel, weekStart: string): number => {
    const years = (toDayNumber(weekStart) - origin) / 365.25;
    const season = 1 + category.amplitude * Math.cos(2 * Math.PI * (yearFraction(weekStart) - category.peak));
    const income = Math.pow((store.profile.medianIncome ?? 70_000) / 70_000, category.incomeElasticity);
    const trend = Math.exp((category.trend + store.trend) * years);
    return category.base * store.scale * income * season * trend * holidayLift(weekStart);
  };
  const noisy = (mean: number, key: string): number => {
    const z = seededRandom(hashSeed(key, options.seed)).normal();
    return Math.max(0, Math.round(mean * Math.exp(NOISE_SD * z - (NOISE_SD * NOISE_SD) / 2)));
  };

  const weeks = Array.from({ length: options.weeks }, (_, i) => addDays(options.lastWeek, -7 * (options.weeks - 1 - i)));
  const sales: WeeklySales[] = [];
  for (const store of stores) {
    for (const category of categories) {
      for (const weekStart of weeks) {
        const key = `${store.profile.storeId}|${category.category.categoryId}|${weekStart}`;
        sales.push({ storeId: store.profile.storeId, categoryId: category.category.categoryId, weekStartDate: weekStart, unitsSold: noisy(expected(store, category, weekStart), key) });
      }
    }
  }

  const storeById = new Map(stores.map((s) => [s.profile.storeId, s]));
  const categoryById = new Map(categories.map((c) => [c.category.categoryId, c]));
  const shifted = categories[0]?.category.categoryId;
  return {
    stores: stores.map((s) => s.profile),
    categories: categories.map((c) => c.category),
    sales,
    trueDemand(storeId, categoryId, weekStart) {
      const store = storeById.get(storeId);
      const category = categoryById.get(categoryId);
      if (!store || !category) return 0;
      const seasonWeek = Math.floor((toDayNumber(weekStart) - toDayNumber(firstSeasonWeek)) / 7) + 1;
      const shift = options.inSeasonShift;
      const factor = shift && categoryId === shifted && seasonWeek >= shift.fromWeek ? shift.factor : 1;
      return noisy(expected(store, category, weekStart) * factor, `${storeId}|${categoryId}|${weekStart}|actual`);
    },
  };
}
