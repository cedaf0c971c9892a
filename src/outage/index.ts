// The outage engine and its pure helpers (SPEC §11.3–§11.8).
export { DEFAULT_ENGINE_CONFIG, engineConfig, pduEvidenceTtlS, type EngineConfig } from './config.js';
export {
  pduBothSourcesLost, pduSourceLost, sourceReadsLost, type PduPollEvidence, type ProbeCycleEvidence, type SourceEvidence, type SourceLetter,
  type SourceStatus,
} from './evidence.js';
export { classify, switchCounts, verdict, type SwitchCounts, type VerdictResult } from './verdict.js';
export { initialEngineState, step } from './engine.js';
export type {
  CauseToken, EngineEffect, EngineEventName, EngineInput, EngineState, OutageEvidence, OutageKey, OutageModel, OutageSignal, StepResult,
} from './engine-types.js';
export { powerStatistics, type StatisticsInput } from './statistics.js';
export { formatDuration, outageText } from './summary.js';
