import { oracleShard } from './oracle.test-suite.ts';

oracleShard(1, 2);
