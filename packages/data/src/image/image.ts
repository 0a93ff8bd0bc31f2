/**
 * A decoded image on the host: `data` is HWC float32, `channels` values per pixel. Images from
 * `decodeImage` hold values in [0, 1]; masks hold class indices (0, 1, …) as floats.
 */
export interface Image {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** A zero-filled image. */
export function blankImage(width: number, height: number, channels: number, fill = 0): Image {
  return { data: new Float32Array(width * height * channels).fill(fill), width, height, channels };
}
