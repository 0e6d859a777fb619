/**
 * CO2 and cost savings of a remote (video) vessel inspection compared with an on-site one.
 *
 * The model, its defaults and their sources are documented below. Pure module (no I/O, no
 * Node-only APIs): it is bundled for the browser too. Every estimate records the values it used, where each came from, the profile
 * name and SAVINGS_MODEL_VERSION, so that an auditor can recompute it later and get the same numbers.
 *
 * Per inspection (all quantities in tonnes unless stated):
 *   sail_h     = vessel_detour_km / vessel_speed_kmh                       avoided sailing time [h]
 *   fuel_sail  = (me_kw*me_load*sfoc_me + ae_kw*ae_load*sfoc_ae) * sail_h / 1e6
 *                (IMO activity-based method: kW x load factor x h x SFOC g/kWh, g -> t)
 *   fuel_wait  = ae_kw*ae_load*sfoc_ae * vessel_wait_h / 1e6  (waiting: auxiliary engine only)
 *   co2_vessel = (fuel_sail + fuel_wait) * cf_fuel             (Cf, IMO MEPC.364(79))
 *   co2_travel = surveyor_trip_km * car_kg_per_km / 1000       (surveyor's avoided car trip)
 *   co2_remote = session_hours * video_kg_per_h / 1000         (the video session's own footprint)
 *   co2_saved  = co2_vessel + co2_travel - co2_remote
 *   cost_saved = (fuel_sail + fuel_wait) * diesel_cny_per_t
 *              + (sail_h + vessel_wait_h) / 24 * vessel_day_value_cny + crew_extra_cny   [CNY, ship side]
 * No rounding is applied; round only for display.
 */
import { z } from './zod';

/** Bump whenever a formula, a default or a fallback figure changes. */
export const SAVINGS_MODEL_VERSION = '1.0.0';

/** Per-inspection inputs; every one is optional and falls back to the profile's default. */
export interface SavingsInputs {
  /** Main engine power, total over all main engines [kW]. */
  meKw?: number;
  /** Auxiliary engine power [kW]. */
  aeKw?: number;
  /** Main engine load factor under way [0..1]. */
  meLoad?: number;
  /** Auxiliary engine load factor [0..1]. */
  aeLoad?: number;
  /** Main engine specific fuel oil consumption [g/kWh]. */
  sfocMe?: number;
  /** Auxiliary engine specific fuel oil consumption [g/kWh]. */
  sfocAe?: number;
  /** CO2 emitted per tonne of fuel burned [t CO2 / t fuel]. */
  cfFuel?: number;
  /** Detour the vessel avoids, round trip [km]. */
  vesselDetourKm?: number;
  /** Vessel speed over the detour [km/h]. */
  vesselSpeedKmh?: number;
  /** Time the vessel would have waited at the inspection point (auxiliary engine running) [h]. */
  vesselWaitH?: number;
  /** Surveyor's avoided car trip, round trip [km]. */
  surveyorTripKm?: number;
  /** Car emission factor [kg CO2 / vehicle-km]. */
  carKgPerKm?: number;
  /** Duration of the remote video session [h]. */
  sessionHours?: number;
  /** Emissions of video streaming [kg CO2 / h]. */
  videoKgPerH?: number;
  /** Diesel price [CNY / t]. */
  dieselCnyPerT?: number;
  /** Value of one day of the ship's time (charter/opportunity value) [CNY / day]. */
  vesselDayValueCny?: number;
  /** Other avoided ship-side costs per inspection (crew overtime, fees) [CNY]. */
  crewExtraCny?: number;
}

export type SavingsInputKey = keyof SavingsInputs;
export type SavingsValues = Required<SavingsInputs>;
export type SavingsProfileName = 'published-calibrated' | 'economic';

/** A complete set of default values, with the source of each. */
export interface SavingsProfile {
  name: SavingsProfileName;
  description: string;
  values: Readonly<SavingsValues>;
  sources: Readonly<Record<SavingsInputKey, string>>;
}

export interface SavingsEstimate {
  modelVersion: string;
  /** Profile whose defaults (or, for the fallback, whose calibrated average) were used. */
  profile: SavingsProfileName;
  /** 'computed' from the formulas, or 'calibrated-average' (fallback: inspection had no inputs). */
  basis: 'computed' | 'calibrated-average';
  /** Human-readable label for reports. */
  label: string;
  /** Values actually used (inspection inputs merged over profile defaults); null for the fallback. */
  resolved: Readonly<SavingsValues> | null;
  /** Keys whose value came from the inspection. */
  overridden: SavingsInputKey[];
  /** Keys whose value came from the profile. */
  fromProfile: SavingsInputKey[];
  /** Source of each value used ('inspection input' for overridden ones). */
  sources: Partial<Record<SavingsInputKey, string>>;
  /** Intermediate results (null for the fallback). */
  sailH: number | null;
  fuelSailT: number | null;
  fuelWaitT: number | null;
  co2VesselT: number | null;
  co2TravelT: number | null;
  co2RemoteT: number | null;
  /** Net CO2 avoided [t]. */
  co2SavedT: number;
  /** Ship-side cost avoided [CNY]. Surveyor (authority-side) travel cost is not included. */
  costSavedCny: number;
}

/** One field-level validation problem. */
export interface SavingsFieldIssue {
  field: string;
  message: string;
}

/** Thrown by estimateSavings on invalid inputs or an unknown profile. */
export class SavingsInputError extends Error {
  readonly issues: SavingsFieldIssue[];
  constructor(issues: SavingsFieldIssue[]) {
    super(`Invalid savings inputs: ${issues.map((i) => i.message).join('; ')}`);
    this.name = 'SavingsInputError';
    this.issues = issues;
  }
}

/** A finite, non-negative (or strictly positive) number with an upper cap; messages name the field. */
function num(field: SavingsInputKey, what: string, unit: string, max: number, positive = false) {
  const name = `${field} (${what})`;
  // z.number() refuses NaN and ±Infinity itself: one message for what is not a usable number.
  const base = z.number({
    error: (issue) =>
      issue.input === undefined
        ? `${name} is required`
        : typeof issue.input === 'number'
          ? `${name} must be a finite number`
          : `${name} must be a number`,
  });
  const floored = positive ? base.positive(`${name} must be greater than 0`) : base.min(0, `${name} must not be negative`);
  return floored.max(max, `${name} must be at most ${max}${unit ? ` ${unit}` : ''}`).optional();
}

/** Field-level limits; values beyond them are refused as absurd. Unknown keys are refused too. */
export const savingsInputsSchema = z
  .object({
    meKw: num('meKw', 'main engine power', 'kW', 20_000),
    aeKw: num('aeKw', 'auxiliary engine power', 'kW', 20_000),
    meLoad: num('meLoad', 'main engine load factor', '', 1),
    aeLoad: num('aeLoad', 'auxiliary engine load factor', '', 1),
    sfocMe: num('sfocMe', 'main engine SFOC', 'g/kWh', 400),
    sfocAe: num('sfocAe', 'auxiliary engine SFOC', 'g/kWh', 400),
    cfFuel: num('cfFuel', 'fuel CO2 factor', 't CO2/t fuel', 4),
    vesselDetourKm: num('vesselDetourKm', 'vessel detour, round trip', 'km', 5_000),
    vesselSpeedKmh: num('vesselSpeedKmh', 'vessel speed', 'km/h', 60, true),
    vesselWaitH: num('vesselWaitH', 'vessel waiting time', 'h', 720),
    surveyorTripKm: num('surveyorTripKm', 'surveyor trip, round trip', 'km', 5_000),
    carKgPerKm: num('carKgPerKm', 'car emission factor', 'kg CO2/km', 2),
    sessionHours: num('sessionHours', 'remote session duration', 'h', 24),
    videoKgPerH: num('videoKgPerH', 'video streaming emission factor', 'kg CO2/h', 5),
    dieselCnyPerT: num('dieselCnyPerT', 'diesel price', 'CNY/t', 30_000),
    vesselDayValueCny: num('vesselDayValueCny', 'value of a ship-day', 'CNY/day', 1_000_000),
    crewExtraCny: num('crewExtraCny', 'other ship-side costs', 'CNY', 1_000_000),
  })
  .strict();

const CAL = 'Calibrated to the published figures (Grand Canal authority: 267 remote inspections, 2,792.74 t CO2, >5.3 M CNY)';

const CALIBRATED_SOURCES: Record<SavingsInputKey, string> = {
  meKw: 'Typical 1,500 t Grand Canal bulk ship: 2 x 240 kW main engines',
  aeKw: 'Typical 1,500 t Grand Canal bulk ship: 40 kW auxiliary engine',
  meLoad: 'IMO activity-based method, main engine load factor under way',
  aeLoad: 'IMO activity-based method, auxiliary engine load factor',
  sfocMe: 'Typical marine diesel; Xing et al., Environmental Science 2016, 37(10): 534-745 g CO2/kWh (= 167-232 g fuel/kWh)',
  sfocAe: 'Typical marine diesel; Xing et al., Environmental Science 2016, 37(10): 534-745 g CO2/kWh (= 167-232 g fuel/kWh)',
  cfFuel: 'IMO MEPC.364(79): marine diesel 3.206 t CO2/t fuel',
  vesselDetourKm: `${CAL}: 394 km round trip`,
  vesselSpeedKmh: 'Typical inland vessel speed, 10 km/h',
  vesselWaitH: `${CAL}: 24 h waiting`,
  surveyorTripKm: `${CAL}: 100 km round trip`,
  carKgPerKm: 'UK government GHG conversion factors (DEFRA): average car 0.176-0.183 kg CO2/km',
  sessionHours: `${CAL}: 1 h session`,
  videoKgPerH: 'Obringer et al. 2021, Resources, Conservation & Recycling 167:105389: 0.15-1.0 kg CO2/h',
  dieselCnyPerT: `${CAL}: 6,090 CNY/t (below China NDRC 2022 diesel ceilings, up to 10,510 CNY/t)`,
  vesselDayValueCny: 'Not counted in the published figures (0)',
  crewExtraCny: 'Not counted in the published figures (0)',
};

const CALIBRATED_VALUES: SavingsValues = {
  meKw: 480,
  aeKw: 40,
  meLoad: 0.75,
  aeLoad: 0.5,
  sfocMe: 210,
  sfocAe: 220,
  cfFuel: 3.206,
  vesselDetourKm: 394,
  vesselSpeedKmh: 10,
  vesselWaitH: 24,
  surveyorTripKm: 100,
  carKgPerKm: 0.18,
  sessionHours: 1,
  videoKgPerH: 0.5,
  dieselCnyPerT: 6_090,
  vesselDayValueCny: 0,
  crewExtraCny: 0,
};

function profile(p: SavingsProfile): SavingsProfile {
  return Object.freeze({ ...p, values: Object.freeze({ ...p.values }), sources: Object.freeze({ ...p.sources }) });
}

/** The named default profiles. Label every report with the one it used. */
export const PROFILES: Readonly<Record<SavingsProfileName, SavingsProfile>> = Object.freeze({
  'published-calibrated': profile({
    name: 'published-calibrated',
    description: 'Reproduces the published reference figures (10.46 t CO2, ~19,850 CNY per remote inspection).',
    values: CALIBRATED_VALUES,
    sources: CALIBRATED_SOURCES,
  }),
  economic: profile({
    name: 'economic',
    description: "Example: market diesel price plus a value for the ship's time. Replace the example values with your own.",
    values: { ...CALIBRATED_VALUES, dieselCnyPerT: 8_000, vesselDayValueCny: 3_000 },
    sources: {
      ...CALIBRATED_SOURCES,
      dieselCnyPerT: 'Example market diesel price, 8,000 CNY/t (China NDRC 2022 ceilings up to 10,510 CNY/t)',
      vesselDayValueCny: 'Example value of a ship-day for a 1,500 t inland bulk ship, 3,000 CNY/day (illustrative, not sourced)',
    },
  }),
});

const INPUT_KEYS = Object.keys(CALIBRATED_VALUES) as SavingsInputKey[];

/**
 * Fallback per remote inspection with no inputs at all: the published averages
 * (2,792.74 t / 267 = 10.46 t CO2; 5.3 M CNY / 267 = ~19,850 CNY). Apply to remote inspections only.
 */
export const FALLBACK = Object.freeze({ co2SavedT: 10.46, costSavedCny: 19_850, label: 'estimated (calibrated average)' });

export function isSavingsProfileName(name: string): name is SavingsProfileName {
  return Object.prototype.hasOwnProperty.call(PROFILES, name);
}

function toIssues(error: z.ZodError): SavingsFieldIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, message: `${key} is not a known savings input` }))
      : [{ field: issue.path.join('.') || '(inputs)', message: issue.message }],
  );
}

/**
 * Estimate what one remote inspection saved. Validates `inputs` (throws SavingsInputError with
 * field-level issues), fills missing values from the profile and applies the formulas above.
 * With no inputs at all, returns the calibrated-average fallback (basis 'calibrated-average').
 */
export function estimateSavings(
  inputs: SavingsInputs | undefined,
  profileName: SavingsProfileName = 'published-calibrated',
): SavingsEstimate {
  if (!isSavingsProfileName(profileName)) {
    throw new SavingsInputError([{ field: 'profile', message: `profile "${String(profileName)}" is not a known savings profile` }]);
  }
  const parsed = savingsInputsSchema.safeParse(inputs ?? {});
  if (!parsed.success) throw new SavingsInputError(toIssues(parsed.error));
  const given = parsed.data;
  const overridden = INPUT_KEYS.filter((k) => given[k] !== undefined);

  const base = {
    modelVersion: SAVINGS_MODEL_VERSION,
    overridden,
    sailH: null,
    fuelSailT: null,
    fuelWaitT: null,
    co2VesselT: null,
    co2TravelT: null,
    co2RemoteT: null,
  } as const;
  if (overridden.length === 0) {
    return {
      ...base,
      overridden: [],
      profile: 'published-calibrated',
      basis: 'calibrated-average',
      label: FALLBACK.label,
      resolved: null,
      fromProfile: [],
      sources: {},
      co2SavedT: FALLBACK.co2SavedT,
      costSavedCny: FALLBACK.costSavedCny,
    };
  }

  const prof = PROFILES[profileName];
  const v: SavingsValues = { ...prof.values };
  const sources: Record<SavingsInputKey, string> = { ...prof.sources };
  for (const k of overridden) {
    v[k] = given[k] as number;
    sources[k] = 'inspection input';
  }

  const sailH = v.vesselDetourKm / v.vesselSpeedKmh;
  const auxGPerH = v.aeKw * v.aeLoad * v.sfocAe;
  const fuelSailT = ((v.meKw * v.meLoad * v.sfocMe + auxGPerH) * sailH) / 1e6;
  const fuelWaitT = (auxGPerH * v.vesselWaitH) / 1e6;
  const co2VesselT = (fuelSailT + fuelWaitT) * v.cfFuel;
  const co2TravelT = (v.surveyorTripKm * v.carKgPerKm) / 1000;
  const co2RemoteT = (v.sessionHours * v.videoKgPerH) / 1000;
  const costSavedCny = (fuelSailT + fuelWaitT) * v.dieselCnyPerT + ((sailH + v.vesselWaitH) / 24) * v.vesselDayValueCny + v.crewExtraCny;

  return {
    ...base,
    profile: prof.name,
    basis: 'computed',
    label: `computed (${prof.name} profile, model ${SAVINGS_MODEL_VERSION})`,
    resolved: Object.freeze(v),
    fromProfile: INPUT_KEYS.filter((k) => given[k] === undefined),
    sources,
    sailH,
    fuelSailT,
    fuelWaitT,
    co2VesselT,
    co2TravelT,
    co2RemoteT,
    co2SavedT: co2VesselT + co2TravelT - co2RemoteT,
    costSavedCny,
  };
}

/** Totals for reports; `estimatedCount` is how many used the calibrated-average fallback. */
export function sumEstimates(estimates: readonly SavingsEstimate[]): {
  count: number;
  estimatedCount: number;
  co2SavedT: number;
  costSavedCny: number;
} {
  return estimates.reduce(
    (acc, e) => ({
      count: acc.count + 1,
      estimatedCount: acc.estimatedCount + (e.basis === 'calibrated-average' ? 1 : 0),
      co2SavedT: acc.co2SavedT + e.co2SavedT,
      costSavedCny: acc.costSavedCny + e.costSavedCny,
    }),
    { count: 0, estimatedCount: 0, co2SavedT: 0, costSavedCny: 0 },
  );
}
