import type { KilnErrorCode } from '@kiln/core-trainer';

/** Codes owned by @kiln/data. */
export const DataErrorCodes = {
  INVALID_OPTION: 'KILN_DATA_INVALID_OPTION', // a data option is out of range (batch size, fraction, image size…): fix the named option
  SAMPLE_SHAPE: 'KILN_DATA_SAMPLE_SHAPE', // a sample's x or y length differs from the dataset spec: make every sample match spec.inputShape / targetShape
  INDEX_RANGE: 'KILN_DATA_INDEX_RANGE', // a sample index is outside the dataset: pass indices in [0, size)
  EMPTY: 'KILN_DATA_EMPTY', // a dataset, split or loader has no samples: add samples or lower the split fraction / batch size
  EMPTY_CLASS: 'KILN_DATA_EMPTY_CLASS', // a class has no samples (empty class folder, unused class name): add images or remove the class
  DECODE: 'KILN_DATA_DECODE', // an image or mask file is unreadable or corrupt: re-export it as PNG/JPEG or remove it (or set onBadSample: skip)
  MISSING_FILE: 'KILN_DATA_MISSING_FILE', // a manifest row or option points at a file or folder that does not exist: fix the path (relative to the manifest)
  MISSING_MASK: 'KILN_DATA_MISSING_MASK', // an image has no mask of the same name in the mask folder: add the mask or remove the image
  MASK_SIZE: 'KILN_DATA_MASK_SIZE', // a mask's size differs from its image: re-export the mask at the image's size
  MASK_VALUE: 'KILN_DATA_MASK_VALUE', // a mask holds a class index ≥ numClasses or a colour not in the palette: fix the mask or the numClasses/palette option
  UNKNOWN_LABEL: 'KILN_DATA_UNKNOWN_LABEL', // a label is not in the class list (or a multi-label value is not 0/1/-1/blank): fix the row or add the class to 'classes'
  DUPLICATE: 'KILN_DATA_DUPLICATE', // the same file is in two splits: remove it from one (with onBadSample: skip it is dropped from the later split)
  GROUP_LEAK: 'KILN_DATA_GROUP_LEAK', // a group (patient, lesion) has samples in two splits: split by group or fix the manifest's split column
  MANIFEST: 'KILN_DATA_MANIFEST', // a manifest cannot be parsed or lacks a named column: fix the CSV/JSON or the column options
  IDX_FORMAT: 'KILN_DATA_IDX_FORMAT', // an IDX file has a bad magic number, type or length, or images and labels disagree: use matching MNIST-style files
  WORKER: 'KILN_DATA_WORKER', // a decode worker thread failed to start or died: check the cause; set workers: 0 to decode on the main thread
} as const satisfies Record<string, KilnErrorCode>;
