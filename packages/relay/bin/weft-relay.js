#!/usr/bin/env node
// Runs the relay from its TypeScript source through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
