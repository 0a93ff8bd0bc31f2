// Loaded before every test file: tsyringe needs the Reflect metadata polyfill first.
import 'reflect-metadata';
