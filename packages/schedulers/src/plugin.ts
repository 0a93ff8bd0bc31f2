import { type LrSchedule, type LrScheduleFactory, type ScheduleContext, definePlugin } from '@kiln/core-trainer';
import { z } from 'zod';
import { runLength } from './base.js';
import { ConstantSchedule } from './basic.js';
import { CosineSchedule, CosineWarmRestartsSchedule } from './cosine.js';
import { ExponentialSchedule, MultiStepSchedule, PolynomialSchedule, StepSchedule } from './decay.js';
import { ScheduleErrorCodes, scheduleError } from './errors.js';
import { OneCycleSchedule } from './one-cycle.js';
import { ReduceOnPlateauSchedule } from './plateau.js';
import { LinearWarmup } from './warmup.js';

const interval = z.enum(['step', 'epoch']).default('epoch');
const count = z.number().int().min(1);
const gamma = z.number().finite().positive();
const etaMin = z.number().finite().min(0).default(0);

const schemas = {
  constant: z.strictObject({ interval }),
  cosine: z.strictObject({ interval, tMax: count.optional(), etaMin }),
  step: z.strictObject({ interval, stepSize: count, gamma: gamma.default(0.1) }),
  'multi-step': z.strictObject({ interval, milestones: z.array(count).min(1), gamma: gamma.default(0.1) }),
  exponential: z.strictObject({ interval, gamma }),
  polynomial: z.strictObject({ interval, totalIters: count.optional(), power: z.number().finite().min(0).default(1) }),
  'cosine-warm-restarts': z.strictObject({ interval, t0: count, tMult: count.default(1), etaMin }),
  'one-cycle': z.strictObject({
    interval: z.enum(['step', 'epoch']).default('step'), totalSteps: z.number().int().min(2).optional(), pctStart: z.number().gt(0).lt(1).default(0.3),
    annealStrategy: z.enum(['cos', 'linear']).default('cos'), divFactor: gamma.default(25), finalDivFactor: gamma.default(1e4), threePhase: z.boolean().default(false),
  }),
  'reduce-on-plateau': z.strictObject({
    interval, monitor: z.string().min(1).default('val_loss'), mode: z.enum(['min', 'max']).default('min'), factor: z.number().gt(0).lt(1).default(0.1),
    patience: z.number().int().min(0).default(10), threshold: z.number().finite().min(0).default(1e-4), thresholdMode: z.enum(['rel', 'abs']).default('rel'),
    cooldown: z.number().int().min(0).default(0), minLr: z.number().finite().min(0).default(0), eps: z.number().finite().min(0).default(1e-8),
  }),
  warmup: z.strictObject({
    interval, warmup: count, startFactor: z.number().min(0).max(1).default(0.01),
    schedule: z.looseObject({ name: z.string() }).default({ name: 'constant' }),
  }),
};
type Out<K extends keyof typeof schemas> = z.output<(typeof schemas)[K]>;
type Options<K extends keyof typeof schemas> = LrScheduleFactory<Out<K>>;

/**
 * The schedule factories this package registers, by name: 'constant', 'cosine', 'step', 'multi-step',
 * 'exponential', 'polynomial', 'cosine-warm-restarts', 'one-cycle', 'reduce-on-plateau', 'warmup'.
 * Lengths default to the run: cosine's `tMax`, polynomial's `totalIters` and one-cycle's
 * `totalSteps` are the total steps (interval 'step') or epochs (interval 'epoch'). 'warmup' wraps
 * `schedule: { name, ...options }`, which then runs over what is left of the run.
 * @example const s = scheduleFactories.cosine.create({ interval: 'step', etaMin: 0 }, { baseLr: 0.1, stepsPerEpoch: 10, maxEpochs: 5, totalSteps: 50 });
 */
export const scheduleFactories = {
  constant: { schema: schemas.constant, create: (o, ctx) => new ConstantSchedule(ctx.baseLr, o) } satisfies Options<'constant'>,
  cosine: {
    schema: schemas.cosine, create: (o, ctx) => new CosineSchedule(ctx.baseLr, { ...o, tMax: o.tMax ?? runLength(o.interval, ctx) }),
  } satisfies Options<'cosine'>,
  step: { schema: schemas.step, create: (o, ctx) => new StepSchedule(ctx.baseLr, o) } satisfies Options<'step'>,
  'multi-step': { schema: schemas['multi-step'], create: (o, ctx) => new MultiStepSchedule(ctx.baseLr, o) } satisfies Options<'multi-step'>,
  exponential: { schema: schemas.exponential, create: (o, ctx) => new ExponentialSchedule(ctx.baseLr, o) } satisfies Options<'exponential'>,
  polynomial: {
    schema: schemas.polynomial, create: (o, ctx) => new PolynomialSchedule(ctx.baseLr, { ...o, totalIters: o.totalIters ?? runLength(o.interval, ctx) }),
  } satisfies Options<'polynomial'>,
  'cosine-warm-restarts': { schema: schemas['cosine-warm-restarts'], create: (o, ctx) => new CosineWarmRestartsSchedule(ctx.baseLr, o) } satisfies Options<'cosine-warm-restarts'>,
  'one-cycle': {
    schema: schemas['one-cycle'], create: (o, ctx) => new OneCycleSchedule(ctx.baseLr, { ...o, totalSteps: o.totalSteps ?? runLength(o.interval, ctx) }),
  } satisfies Options<'one-cycle'>,
  'reduce-on-plateau': {
    schema: schemas['reduce-on-plateau'], monitor: (o) => o.monitor, create: (o, ctx) => new ReduceOnPlateauSchedule(ctx.baseLr, o),
  } satisfies Options<'reduce-on-plateau'>,
  warmup: {
    schema: schemas.warmup,
    monitor: (o) => {
      const f = innerFactory(o.schedule.name);
      return f.monitor?.(f.schema.parse(innerOptions(o)));
    },
    create: (o, ctx) => {
      innerFactory(o.schedule.name);
      const length = runLength(o.interval, ctx);
      if (o.warmup >= length) {
        scheduleError(ScheduleErrorCodes.WARMUP_TOO_LONG,
          `Schedule 'warmup': warmup = ${o.warmup} ${o.interval}s is not shorter than the run (${length} ${o.interval}s). Use a warmup in [1, ${length - 1}] or train longer.`,
          { argument: 'warmup', value: o.warmup, validRange: [1, length - 1] });
      }
      const rest: ScheduleContext = o.interval === 'step'
        ? { ...ctx, totalSteps: ctx.totalSteps - o.warmup }
        : { ...ctx, maxEpochs: ctx.maxEpochs - o.warmup, totalSteps: ctx.totalSteps - o.warmup * ctx.stepsPerEpoch };
      const inner = createSchedule(o.schedule.name, innerOptions(o), rest);
      return new LinearWarmup(inner, ctx.baseLr, o);
    },
  } satisfies Options<'warmup'>,
} as const;

type Name = keyof typeof scheduleFactories;
const innerNames: readonly string[] = Object.keys(schemas).filter((n) => n !== 'warmup');

function innerFactory(name: string): LrScheduleFactory<unknown> {
  if (!innerNames.includes(name)) {
    scheduleError(ScheduleErrorCodes.UNKNOWN, `Schedule 'warmup': schedule.name '${name}' is not a schedule it can wrap. Use one of: ${innerNames.join(', ')}.`,
      { argument: 'schedule.name', value: name, allowed: innerNames });
  }
  return scheduleFactories[name as Name] as LrScheduleFactory<unknown>;
}

function innerOptions(o: Out<'warmup'>): Record<string, unknown> {
  const { name: _name, ...rest } = o.schedule;
  if (rest.interval !== undefined && rest.interval !== o.interval) {
    scheduleError(ScheduleErrorCodes.INVALID_OPTION, `Schedule 'warmup': schedule.interval '${String(rest.interval)}' differs from warmup's interval '${o.interval}'; set interval once, on warmup.`,
      { argument: 'schedule.interval', value: rest.interval });
  }
  return { ...rest, interval: o.interval };
}

/**
 * Validates `options` with the named factory's schema and creates the schedule; an unknown name
 * throws KILN_SCHEDULE_UNKNOWN listing the names, invalid options KILN_SCHEDULE_INVALID_OPTION naming the field.
 * @example const s = createSchedule('step', { stepSize: 30 }, { baseLr: 0.1, stepsPerEpoch: 100, maxEpochs: 90, totalSteps: 9000 });
 */
export function createSchedule(name: string, options: unknown, ctx: ScheduleContext): LrSchedule {
  if (!(name in scheduleFactories)) {
    scheduleError(ScheduleErrorCodes.UNKNOWN, `Unknown schedule '${name}'. Available: ${Object.keys(scheduleFactories).join(', ')}.`,
      { argument: 'name', value: name, allowed: Object.keys(scheduleFactories) });
  }
  const f = scheduleFactories[name as Name] as LrScheduleFactory<unknown>;
  const parsed = f.schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    scheduleError(ScheduleErrorCodes.INVALID_OPTION, `Schedule '${name}': option '${issue.path.join('.')}' is invalid: ${issue.message}.`,
      { argument: issue.path.join('.'), schedule: name });
  }
  return f.create(parsed.data, ctx);
}

/**
 * Plugin 'schedulers': registers every entry of `scheduleFactories` in the `schedules` registry.
 * @example host.use(schedulersPlugin); await host.setup(); host.registries.schedules.get('cosine');
 */
export const schedulersPlugin = definePlugin({
  name: 'schedulers',
  version: '0.1.0',
  setup(ctx) {
    for (const [name, factory] of Object.entries(scheduleFactories)) ctx.schedules.register(name, factory);
  },
});
