import { kilnVitestConfig } from '@kiln/vitest-preset';

export default kilnVitestConfig(import.meta.dirname);
