// Switch probes (SPEC §11.1-§11.2) and the simulated switches of the demo (SPEC §8).
export { classifyProbe, errorText, type ProbeObservation, type ProbeVerdict, type TlsErrorsSetting } from './classify.js';
export { probeUrl, readStatusLine, tcpConnect, type ProbeOptions, type ProbeOutcome, type TcpConnectOptions } from './probe.js';
export {
  demoSwitchesOf, GATEWAY_NAME, startSwitchSimulator, switchName,
  type SimulatedSwitch, type SimulatedSwitchMode, type SwitchSimulator, type SwitchSimulatorOptions,
} from './simulator.js';
export { normalizeSwitchInput, type NormalizedSwitch, type SwitchInputCheck, type SwitchInputField } from './target-input.js';
