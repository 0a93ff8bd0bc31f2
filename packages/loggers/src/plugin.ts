import { isAbsolute, resolve } from 'node:path';
import { definePlugin, type LoggerContext, type LoggerFactory } from '@kiln/core-trainer';
import { z } from 'zod';
import { ConsoleLogger } from './console-logger.js';
import { CsvLogger } from './csv-logger.js';
import { JsonlLogger } from './jsonl-logger.js';

/** Options of the 'console' logger. */
export const consoleLoggerOptions = z.strictObject({
  digits: z.number().int().min(1).max(12).default(4).describe('significant digits of non-integer values'),
  params: z.boolean().default(false).describe("also print the run's params (secrets redacted)"),
});

/** Options of the 'jsonl' logger; `path` is relative to the run directory. */
export const jsonlLoggerOptions = z.strictObject({
  path: z.string().min(1).default('history.jsonl').describe('history file, relative to the run directory'),
});

/** Options of the 'csv' logger; `path` is relative to the run directory. */
export const csvLoggerOptions = z.strictObject({
  path: z.string().min(1).default('history.csv').describe('CSV file, relative to the run directory'),
  columns: z.array(z.string().min(1)).optional().describe('value columns known up front'),
});

const inRun = (path: string, ctx: LoggerContext): string => (isAbsolute(path) ? path : resolve(ctx.runDir, path));

/**
 * 'console': one line per logMetrics.
 * @example const log = await consoleLoggerFactory.create(consoleLoggerOptions.parse({}), ctx);
 */
export const consoleLoggerFactory: LoggerFactory<z.output<typeof consoleLoggerOptions>> = {
  schema: consoleLoggerOptions,
  create: (o) => new ConsoleLogger(o),
};

/**
 * 'jsonl': runs/<name>/history.jsonl by default.
 * @example const log = await jsonlLoggerFactory.create(jsonlLoggerOptions.parse({}), ctx);
 */
export const jsonlLoggerFactory: LoggerFactory<z.output<typeof jsonlLoggerOptions>> = {
  schema: jsonlLoggerOptions,
  create: (o, ctx) => new JsonlLogger({ path: inRun(o.path, ctx) }),
};

/**
 * 'csv': runs/<name>/history.csv by default.
 * @example const log = await csvLoggerFactory.create(csvLoggerOptions.parse({ columns: ['loss'] }), ctx);
 */
export const csvLoggerFactory: LoggerFactory<z.output<typeof csvLoggerOptions>> = {
  schema: csvLoggerOptions,
  create: (o, ctx) => new CsvLogger({ path: inRun(o.path, ctx), ...(o.columns ? { columns: o.columns } : {}) }),
};

/**
 * The built-in loggers as a plugin: registers 'console', 'jsonl' and 'csv'.
 * @example host.use(loggersPlugin); // config: loggers: [console, jsonl]
 */
export const loggersPlugin = definePlugin({
  name: 'loggers',
  version: '0.1.0',
  setup(ctx) {
    ctx.loggers.register('console', consoleLoggerFactory);
    ctx.loggers.register('jsonl', jsonlLoggerFactory);
    ctx.loggers.register('csv', csvLoggerFactory);
  },
});
