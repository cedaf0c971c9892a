// Public surface of the simulated PDU44001 (SPEC §8): the SNMP agent, its control API and the model.
export { createSimulatedPdu, runMockPdus, type MockPdus, type SimulatedPdu, type SimulatedPduOptions } from './agent.js';
export { PduModel, type OutletCommand, type SourceId } from './model.js';
