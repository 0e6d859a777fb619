import {
  PROFILES,
  SAVINGS_MODEL_VERSION,
  SavingsInputError,
  SavingsInputs,
  estimateSavings,
  savingsInputsSchema,
  sumEstimates,
} from './savings';

/** An inspection that only records the surveyor's trip (100 km, the default); the rest comes from the profile. */
const defaultInspection: SavingsInputs = { surveyorTripKm: 100 };

const PUBLISHED_CO2_PER_INSPECTION = 10.4597; // 2,792.74 t / 267
const within = (actual: number, expected: number, fraction: number) =>
  expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(fraction);

function refusal(inputs: unknown): SavingsInputError {
  try {
    estimateSavings(inputs as SavingsInputs);
  } catch (e) {
    expect(e).toBeInstanceOf(SavingsInputError);
    return e as SavingsInputError;
  }
  throw new Error(`expected ${JSON.stringify(inputs)} to be refused`);
}

describe('savings model: published-calibrated profile', () => {
  it('reproduces the published 10.46 t CO2 and ~19,850 CNY for one default inspection', () => {
    const e = estimateSavings(defaultInspection);
    expect(e.basis).toBe('computed');
    within(e.co2SavedT, PUBLISHED_CO2_PER_INSPECTION, 0.001);
    expect(e.co2SavedT).toBeCloseTo(10.4614, 4);
    expect(Math.round(e.costSavedCny)).toBeGreaterThanOrEqual(19_839);
    expect(Math.round(e.costSavedCny)).toBeLessThanOrEqual(19_850);
  });

  it('exposes the intermediate results of the spec worked example', () => {
    const e = estimateSavings(defaultInspection);
    expect(e.sailH).toBeCloseTo(39.4, 10);
    expect(e.fuelSailT).toBeCloseTo(3.152, 10);
    expect(e.fuelWaitT).toBeCloseTo(0.1056, 10);
    expect(e.co2VesselT).toBeCloseTo(3.2576 * 3.206, 10);
    expect(e.co2TravelT).toBeCloseTo(0.018, 10);
    expect(e.co2RemoteT).toBeCloseTo(0.0005, 10);
  });

  it('267 default inspections sum to the published 2,792.74 t and 5.3 million CNY', () => {
    const totals = sumEstimates(Array.from({ length: 267 }, () => estimateSavings(defaultInspection)));
    expect(totals.count).toBe(267);
    expect(totals.estimatedCount).toBe(0);
    within(totals.co2SavedT, 2_792.74, 0.005);
    within(totals.costSavedCny, 5_300_000, 0.005);
  });

  it('records the model version, the profile and the source of every value', () => {
    const e = estimateSavings(defaultInspection);
    expect(e.modelVersion).toBe(SAVINGS_MODEL_VERSION);
    expect(e.profile).toBe('published-calibrated');
    expect(e.sources.cfFuel).toMatch(/MEPC\.364\(79\)/);
    expect(Object.keys(e.sources)).toHaveLength(17);
    expect(e.resolved).toEqual(PROFILES['published-calibrated'].values);
  });
});

describe('savings model: fallback when an inspection has no inputs', () => {
  it.each([
    ['undefined', undefined],
    ['an empty object', {}],
  ])('returns the calibrated average for %s', (_, inputs) => {
    const e = estimateSavings(inputs);
    expect(e.basis).toBe('calibrated-average');
    expect(e.label).toBe('estimated (calibrated average)');
    expect(e.co2SavedT).toBe(10.46);
    expect(e.costSavedCny).toBe(19_850);
    expect(e.resolved).toBeNull();
    expect(e.fuelSailT).toBeNull();
    expect(e.modelVersion).toBe(SAVINGS_MODEL_VERSION);
  });

  it('267 fallback inspections also match the published totals and are counted as estimated', () => {
    const totals = sumEstimates(Array.from({ length: 267 }, () => estimateSavings(undefined)));
    expect(totals.estimatedCount).toBe(267);
    within(totals.co2SavedT, 2_792.74, 0.005);
    within(totals.costSavedCny, 5_300_000, 0.005);
  });
});

describe('savings model: inputs and profiles', () => {
  it('an explicit input overrides the profile and the estimate records which values were overridden', () => {
    const e = estimateSavings({ vesselDetourKm: 200, vesselWaitH: 0 });
    expect(e.resolved?.vesselDetourKm).toBe(200);
    expect(e.resolved?.meKw).toBe(480);
    expect(e.overridden).toEqual(['vesselDetourKm', 'vesselWaitH']);
    expect(e.fromProfile).not.toContain('vesselDetourKm');
    expect(e.fromProfile).toContain('meKw');
    expect(e.sources.vesselDetourKm).toBe('inspection input');
    expect(e.fuelSailT).toBeCloseTo(0.08 * 20, 10);
    expect(e.fuelWaitT).toBe(0);
    expect(e.costSavedCny).toBeCloseTo(1.6 * 6_090, 6);
  });

  it('the economic profile yields a higher cost saving than the calibrated one for the same inputs', () => {
    const calibrated = estimateSavings(defaultInspection, 'published-calibrated');
    const economic = estimateSavings(defaultInspection, 'economic');
    expect(economic.profile).toBe('economic');
    expect(economic.costSavedCny).toBeGreaterThan(calibrated.costSavedCny);
    expect(economic.co2SavedT).toBeCloseTo(calibrated.co2SavedT, 10);
    // 3.2576 t x 8,000 + (39.4 + 24) h / 24 x 3,000 CNY/day
    expect(economic.costSavedCny).toBeCloseTo(3.2576 * 8_000 + (63.4 / 24) * 3_000, 6);
  });

  it('refuses an unknown profile', () => {
    expect(() => estimateSavings(defaultInspection, 'nope' as never)).toThrow(SavingsInputError);
  });
});

describe('savings model: validation refuses absurd inputs with field-level messages', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a 6,000 km detour', { vesselDetourKm: 6_000 }, 'vesselDetourKm'],
    ['a 25,000 kW engine', { meKw: 25_000 }, 'meKw'],
    ['a negative wait', { vesselWaitH: -1 }, 'vesselWaitH'],
    ['NaN', { aeKw: NaN }, 'aeKw'],
    ['Infinity', { surveyorTripKm: Infinity }, 'surveyorTripKm'],
    ['a load of 1.5', { meLoad: 1.5 }, 'meLoad'],
    ['a zero speed', { vesselSpeedKmh: 0 }, 'vesselSpeedKmh'],
    ['a 61 km/h speed', { vesselSpeedKmh: 61 }, 'vesselSpeedKmh'],
    ['a 25 h session', { sessionHours: 25 }, 'sessionHours'],
    ['a 721 h wait', { vesselWaitH: 721 }, 'vesselWaitH'],
    ['a string', { dieselCnyPerT: '6090' }, 'dieselCnyPerT'],
    ['an unknown key', { vesselDetour: 100 }, 'vesselDetour'],
  ])('refuses %s', (_, inputs, field) => {
    const err = refusal(inputs);
    const issue = err.issues.find((i) => i.field === field);
    expect(issue).toBeDefined();
    expect(issue?.message).toContain(field);
    expect(err.message).toContain(field);
  });

  it('says whether a value is no number at all or not a finite one', () => {
    const messages = (inputs: Record<string, unknown>) => refusal(inputs).issues.map((i) => i.message);
    expect(messages({ aeKw: NaN })).toEqual(['aeKw (auxiliary engine power) must be a finite number']);
    expect(messages({ surveyorTripKm: -Infinity })).toEqual([expect.stringMatching(/^surveyorTripKm .* must be a finite number$/)]);
    expect(messages({ dieselCnyPerT: '6090' })).toEqual([expect.stringMatching(/^dieselCnyPerT .* must be a number$/)]);
  });

  it('reports every bad field at once', () => {
    const err = refusal({ vesselDetourKm: 6_000, meKw: 25_000, aeLoad: -0.1 });
    expect(err.issues.map((i) => i.field).sort()).toEqual(['aeLoad', 'meKw', 'vesselDetourKm']);
  });

  it('accepts the boundary values', () => {
    const ok = savingsInputsSchema.safeParse({
      vesselDetourKm: 5_000,
      meKw: 20_000,
      meLoad: 1,
      aeLoad: 0,
      vesselSpeedKmh: 60,
      vesselWaitH: 720,
      surveyorTripKm: 5_000,
      sessionHours: 24,
    });
    expect(ok.success).toBe(true);
  });
});
