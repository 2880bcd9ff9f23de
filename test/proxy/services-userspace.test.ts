/** The Service traffic suite (services-suite.ts) with the userspace service proxy. */
import { servicesSuite } from './services-suite.js';

servicesSuite('userspace');
