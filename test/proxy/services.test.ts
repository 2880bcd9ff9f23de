/** The Service traffic suite (services-suite.ts) with the nftables service proxy. */
import { servicesSuite } from './services-suite.js';

servicesSuite('nftables');
