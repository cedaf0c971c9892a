// Public API of the pure energy accounting helpers (SPEC §13.5).
export {
  addDays,
  dayBounds,
  daysBetween,
  localDay,
  localMonth,
  localParts,
  monthBounds,
  parseDate,
  parseMonth,
  utcOffset,
  weekStart,
  zonedEpoch,
} from '../../core/calendar.js';
export type { Bounds, LocalParts } from '../../core/calendar.js';
export { counterEnergy, hybridEnergy, integratePower, powerIntervals } from './integrate.js';
export type {
  AtsSource,
  CounterPoint,
  CounterTotals,
  EnergyInterval,
  EnergyTotals,
  HybridPoint,
  HybridTotals,
  IntegrateOptions,
  PowerPoint,
} from './integrate.js';
export { monthRowsFromDays, summarize, summaryPeriods } from './summary.js';
export type {
  EnergyDayRow,
  EnergyMonthRow,
  EnergyPart,
  EnergySummary,
  SummaryInput,
  SummaryPeriods,
  SummaryWindow,
  WindowSummary,
} from './summary.js';
export { costOf, hasPrices, priceAt } from './tariff.js';
export type { CostInterval, Tariff } from './tariff.js';
