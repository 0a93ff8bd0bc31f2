import { KilnError, type ModelContext, type ModelFactory } from '@kiln/core-trainer';
import type * as tfl from '@tensorflow/tfjs-layers';
import { UnetErrorCodes } from './errors.js';
import { type UnetOptions, resolveUnetConfig, unetOptionsSchema } from './options.js';
import { buildUnetFromConfig } from './unet.js';

function create(options: UnetOptions, context: ModelContext): tfl.LayersModel {
  const [h, w, channels] = context.inputShape;
  if (options.inChannels !== undefined && options.inChannels !== channels) {
    throw new KilnError(UnetErrorCodes.CHANNELS_MISMATCH,
      `UNet option 'inChannels' = ${options.inChannels} but the dataset's images have ${channels} channels. Remove 'inChannels' or set it to ${channels}.`,
      { details: { option: 'inChannels', inChannels: options.inChannels, datasetChannels: channels } });
  }
  const config = resolveUnetConfig(options, { inChannels: channels, numClasses: context.numClasses });
  return buildUnetFromConfig(config, [h, w, channels]);
}

/**
 * The `unet` model factory: options validated by `unetOptionsSchema`; channels and classes
 * default to the dataset's. One class gives a sigmoid output, more give a softmax.
 * @example registries.models.register('unet', unetFactory)
 */
export const unetFactory: ModelFactory<UnetOptions> = {
  schema: unetOptionsSchema,
  description: 'UNet for segmentation (small default: depth 3, 8 base filters; variant: classic for depth 4, 64 filters)',
  create,
};

/**
 * The `unet-classic` factory: the `classic` variant (depth 4, 64 base filters, transposed-conv
 * up-sampling, no batch norm, dropout 0.5) unless options override single fields.
 * @example registries.models.register('unet-classic', unetClassicFactory)
 */
export const unetClassicFactory: ModelFactory<UnetOptions> = {
  schema: unetOptionsSchema,
  description: 'UNet, classic configuration of Ronneberger et al. 2015 (depth 4, 64 base filters, ~31M parameters)',
  create: (options, context) => create({ variant: 'classic', ...options }, context),
};
