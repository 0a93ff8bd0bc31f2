/** Where callbacks send warnings; the default writes one line to stderr. */
export type WarnFn = (message: string) => void;
export const defaultWarn: WarnFn = (message) => {
  process.stderr.write(`warning: ${message}\n`);
};
