import { oracleShard } from './oracle.test-suite.ts';

oracleShard(0, 2);
