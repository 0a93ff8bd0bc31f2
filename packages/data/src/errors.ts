import type { KilnErrorCode } from '@kiln/core-trainer';

/** Codes owned by @kiln/data. */
export const DataErrorCodes = {
  INVALID_OPTION: 'KILN_DATA_INVALID_OPTION', // a data option is out of range (batch size, fraction, image size…): fix the named option
  SAMPLE_SHAPE: 'KILN_DATA_SAMPLE_SHAPE', // a sample's x or y length differs from the dataset spec: make every sample match spec.inputShape / targetShape
  INDEX_RANGE: 'KILN_DATA_INDEX_RANGE', // a sample index is outside the dataset: pass indices in [0, size)
  EMPTY: 'KILN_DATA_EMPTY', // a dataset, split or class has no samples: add samples or lower the split fraction
} as const satisfies Record<string, KilnErrorCode>;
