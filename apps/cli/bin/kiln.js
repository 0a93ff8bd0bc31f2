#!/usr/bin/env node
// kiln: the reference CLI. reflect-metadata must load before anything that uses tsyringe.
import 'reflect-metadata';

const { main } = await import('../dist/main.js');
process.exitCode = await main(process.argv.slice(2));
