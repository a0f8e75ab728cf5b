/**
 * Monthly cost of the build pipeline's infrastructure (stage 7): per resource hourly × 730 × instances
 * from the dated price table, per environment and per build, and the change against a previous cost.
 * All arithmetic is in integer micro-dollars, rounded once to cents (half up) per resource line.
 */
import { BatonError } from '../../../errors/index.js';
import { armFiles } from './arm.js';
import { HOURS_PER_MONTH, PRICES_CURRENCY, PRICES_TAKEN_ON, priceFor, type PriceSource } from './prices.js';
import { ENVIRONMENTS, type Environment, type InfraSpec } from './spec.js';
import { assertValidArm, type ResolvedResource } from './validate.js';

export interface CostLine {
  type: string;
  name: string;
  sku: string | null;
  instances: number;
  unit: 'hour' | 'month';
  unitPriceMicros: number;
  monthlyCents: number;
  source: PriceSource;
}

export interface EnvironmentCost {
  environment: Environment;
  lines: CostLine[];
  monthlyCents: number;
  currency: string;
  pricesTakenOn: string;
}

export interface BuildCost {
  environments: Record<Environment, EnvironmentCost>;
  /** The sum over dev, staging and prod: what the build costs a month with every environment running. */
  monthlyCents: number;
  currency: string;
  pricesTakenOn: string;
}

/** Micro-dollars to cents, half up (costs are never negative). */
const toCents = (micros: number): number => Math.floor((micros + 5_000) / 10_000);

/** One resource's monthly line; a resource the table does not price is refused, never costed as zero. */
export function costLine(resource: ResolvedResource): CostLine {
  const price = priceFor(resource.type, resource.sku);
  if (!price) {
    throw new BatonError('INVALID_PARAMETERS', `no price for ${resource.type} ${resource.sku ?? '(no SKU)'} in the table of ${PRICES_TAKEN_ON}`, {
      details: { type: resource.type, sku: resource.sku ?? null, name: resource.name },
    });
  }
  const monthlyMicros = price.unit === 'hour' ? price.priceMicros * HOURS_PER_MONTH * resource.instances : price.priceMicros * resource.instances;
  return {
    type: resource.type,
    name: resource.name,
    sku: resource.sku ?? null,
    instances: resource.instances,
    unit: price.unit,
    unitPriceMicros: price.priceMicros,
    monthlyCents: toCents(monthlyMicros),
    source: price.source,
  };
}

export function costOfResources(environment: Environment, resources: readonly ResolvedResource[]): EnvironmentCost {
  const lines = resources.map(costLine);
  return {
    environment,
    lines,
    monthlyCents: lines.reduce((sum, l) => sum + l.monthlyCents, 0),
    currency: PRICES_CURRENCY,
    pricesTakenOn: PRICES_TAKEN_ON,
  };
}

/** The monthly cost of a spec in one environment, from its validated ARM template and parameter file. */
export function environmentCost(spec: InfraSpec, environment: Environment): EnvironmentCost {
  const files = armFiles(spec);
  return costOfResources(environment, assertValidArm(files.template, files.parameters[environment], environment));
}

export function buildCost(spec: InfraSpec): BuildCost {
  const [dev, staging, prod] = ENVIRONMENTS.map((env) => environmentCost(spec, env)) as [EnvironmentCost, EnvironmentCost, EnvironmentCost];
  return {
    environments: { dev, staging, prod },
    monthlyCents: dev.monthlyCents + staging.monthlyCents + prod.monthlyCents,
    currency: PRICES_CURRENCY,
    pricesTakenOn: PRICES_TAKEN_ON,
  };
}

export interface CostChange {
  previousCents: number;
  monthlyCents: number;
  changeCents: number;
  /** The change as a percentage of the previous cost to two decimals; null when there was nothing before. */
  changePercent: number | null;
}

/** The change against what the target costs now (0 when nothing is deployed yet). */
export function costChange(previousCents: number, monthlyCents: number): CostChange {
  const changeCents = monthlyCents - previousCents;
  return {
    previousCents,
    monthlyCents,
    changeCents,
    changePercent: previousCents === 0 ? null : Math.round((changeCents * 10_000) / previousCents) / 100,
  };
}

/** Cents as dollars for people: 1314 → "$13.14", -500 → "-$5.00". */
export function formatUsd(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}
