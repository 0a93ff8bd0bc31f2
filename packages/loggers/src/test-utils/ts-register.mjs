// `node --conditions=@kiln/source --import <this file> child.ts` runs TypeScript sources (tests only).
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
