// Checkpoint format of ARCHITECTURE §7: tfjs model files, optimizer state, trainer state, sha256 manifest.
export { CheckpointErrorCodes } from './codes.js';
export { saveModelFiles, loadModelFiles } from './model-files.js';
export { writeCheckpoint, type CheckpointContent, type CheckpointStage, type WriteCheckpointOptions } from './write.js';
export { readCheckpoint, type LoadedCheckpoint } from './read.js';
export { verifyCheckpoint, type CheckpointManifest } from './manifest.js';
export { listCheckpoints, latestCheckpoint, type CheckpointInfo, type CheckpointListing, type SkippedCheckpoint } from './list.js';
