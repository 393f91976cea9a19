import { convergenceShard } from './convergence.test-suite.ts';

convergenceShard(0, 2);
