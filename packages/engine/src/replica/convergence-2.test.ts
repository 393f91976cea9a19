import { convergenceShard } from './convergence.test-suite.ts';

convergenceShard(1, 2);
