// Shared test helpers of Kiln's projects (private, test code only).
export { readFixtureJson, toTensor, expectClose, type FixtureTensor } from './numeric.js';
export { readFixture, summarize, type KerasModelFixture } from './keras-fixture.js';
export { readKerasOutputs, maxAbsDiff } from './keras-outputs.js';
export { trainSteps, useWasmForTraining } from './train-steps.js';
