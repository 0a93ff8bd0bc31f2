import { readFixtureJson } from '@kiln/test-utils';

export { expectClose, toTensor, type FixtureTensor } from '@kiln/test-utils';

/** A fixture of tools/scripts/reference/math, from this package's test/fixtures/. */
export function loadFixture<T>(name: string): T {
  return readFixtureJson<T>(new URL(`./fixtures/${name}`, import.meta.url));
}
